-- MOL yearbook 表14-2 by county and year, one column per measure: shared by the economy and town
-- domains, which extend DGBAS's household-income and housing series with it.
with

household_income as (
    select * from {{ ref('stg_mol__household_income_by_area') }}
),

region_names as (
    select * from {{ ref('int_region_names') }}
),

by_county as (
    select
        region_names.region_code,
        {{ year_start('household_income.year') }} as period,
        household_income.source_id,
        bool_or(household_income.is_synthetic) as is_synthetic,
        {{ pivot_indicators(['disposable_income_ntd', 'consumption_expenditure_ntd',
                             'saving_ntd', 'saving_rate_pct', 'nonconsumption_expenditure_ntd',
                             'persons_per_household', 'home_ownership_rate_pct',
                             'floor_space_ping'], key='measure') }}
    from household_income
    -- 總平均 is the survey's Taiwan area (金門, 連江 not surveyed), not the nation: left out
    inner join region_names
        on
            household_income.region_name = region_names.lookup_name
            and region_names.region_level = 'county'
    group by region_names.region_code, household_income.year, household_income.source_id
)

select * from by_county
