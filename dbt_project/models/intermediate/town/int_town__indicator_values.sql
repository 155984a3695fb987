-- Town development (domain 6), by county and year: housing from DGBAS 1998-2014 (家庭收支調查),
-- extended to 2015 by the MOL yearbook (表14-2).
with

dgbas as (
    select * from {{ ref('int_dgbas__catalogue_values') }}
),

household_income as (
    select * from {{ ref('stg_mol__household_income_by_area') }}
),

region_names as (
    select * from {{ ref('int_region_names') }}
),

dgbas_published as (
    select
        indicator_code, region_code, period, 'year' as grain, cast(null as varchar) as scenario,
        value, is_synthetic, source_id, quality_flag, 1 as source_priority
    from dgbas
    where domain = 'town' and catalogue_source_id = 'dgbas_county_indicators'
),

mol_wide as (
    select
        region_names.region_code,
        {{ year_start('household_income.year') }} as period,
        household_income.source_id,
        bool_or(household_income.is_synthetic) as is_synthetic,
        {{ pivot_indicators(['home_ownership_rate_pct', 'floor_space_ping',
                             'persons_per_household'], key='measure') }}
    from household_income
    -- 總平均 is the survey's Taiwan area (金門, 連江 not surveyed), not the nation: left out
    inner join region_names
        on region_names.lookup_name = household_income.region_name
        and region_names.region_level = 'county'
    group by region_names.region_code, household_income.year, household_income.source_id
),

mol_published as (
    {{ derived_indicator_rows('mol_wide', {
        'home_ownership_rate': 'home_ownership_rate_pct',
        'floor_area_per_capita': safe_divide('floor_space_ping', 'persons_per_household'),
    }) }}
),

unioned as (
    select * from dgbas_published
    union all
    -- the yearbook extends DGBAS's series: DGBAS wins where both publish a year
    select *, 2 as source_priority from mol_published
),

deduplicated as (
    {{ first_by_priority('unioned') }}
)

select * from deduplicated
