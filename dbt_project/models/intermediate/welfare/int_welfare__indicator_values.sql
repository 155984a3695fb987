-- Employment, medical care and welfare (domain 7), by county and year: DGBAS 1998-2018, the
-- labour series extended to 2015-2016 by the MOL yearbook (表2-3) and to 2019-2024 by the
-- county labour panel (a transcription, lowest priority), and the per-10k and
-- per-capita values derived from the population of the same region and year.
with

dgbas as (
    select * from {{ ref('int_dgbas__catalogue_values') }}
),

manpower as (
    select * from {{ ref('stg_mol__manpower_by_area') }}
),

labour_panel as (
    select * from {{ ref('int_welfare__labour_panel_checked') }}
    where
        rejection_reason is null
        and indicator_code in (
            'median_annual_wage', 'labour_force_participation_rate',
            'unemployment_rate', 'civilian_15plus_tertiary_share'
        )
),

region_names as (
    select * from {{ ref('int_region_names') }}
),

denominators as (
    select * from {{ ref('int_population_denominators') }}
),

dgbas_published as (
    {{ dgbas_published_rows('dgbas', 'welfare', source_priority=1) }}
),

mol_published as (
    select
        case manpower.measure
            when 'civilian_pop_15plus_thousand' then 'civilian_pop_15plus'
            when 'labour_force_thousand' then 'labour_force'
            when 'employed_thousand' then 'employed'
            when 'unemployed_thousand' then 'unemployed'
            when 'lfpr_pct' then 'labour_force_participation_rate'
            when 'unemployment_rate_pct' then 'unemployment_rate'
        end as indicator_code,
        region_names.region_code,
        {{ year_start('manpower.year') }} as period,
        'year' as grain,
        cast(null as string) as scenario,
        case when manpower.unit = '千人' then manpower.value * 1000 else manpower.value end as value,
        manpower.is_synthetic,
        manpower.source_id,
        case when manpower.is_synthetic then 'synthetic' end as quality_flag,
        -- DGBAS's series wins where both publish a year (the yearbook repeats 2014's rates)
        2 as source_priority
    from manpower
    -- 總計 is the survey's Taiwan area (金門, 連江 not surveyed), not the nation: left out
    -- (DGBAS's own 臺灣地區 series, region TW-TA, holds those years)
    inner join region_names
        on
            manpower.region_name = region_names.lookup_name
            and region_names.region_level = 'county'
    where manpower.measure <> 'not_in_labour_force_thousand'
),

-- the panel transcribes DGBAS's figures for 2019-2024; where DGBAS's own file or the MOL
-- yearbook gives the same county-year, theirs wins
labour_panel_published as (
    select
        indicator_code,
        region_code,
        period,
        'year' as grain,
        cast(null as string) as scenario,
        value,
        is_synthetic,
        source_id,
        case when is_synthetic then 'synthetic' end as quality_flag,
        3 as source_priority
    from labour_panel
),

inputs as (
    select
        region_code,
        period,
        source_id,
        bool_or(is_synthetic) as is_synthetic,
        {{ pivot_indicators(['hospital_beds', 'physicians', 'low_income_pop',
                             'elderly_care_institutions', 'elderly_care_capacity',
                             'elderly_care_residents', 'gov_health_spending']) }}
    from dgbas
    group by region_code, period, source_id
),

with_population as (
    select
        inputs.region_code,
        inputs.period,
        inputs.source_id,
        inputs.is_synthetic or coalesce(denominators.is_synthetic, false) as is_synthetic,
        inputs.hospital_beds,
        inputs.physicians,
        inputs.low_income_pop,
        inputs.elderly_care_institutions,
        inputs.elderly_care_capacity,
        inputs.elderly_care_residents,
        inputs.gov_health_spending,
        denominators.pop_total,
        denominators.pop_mid_year,
        denominators.pop_65plus
    from inputs
    left join denominators
        on
            inputs.region_code = denominators.region_code
            and inputs.period = denominators.period
),

derived as (
    {{ derived_indicator_rows('with_population', {
        'beds_per_10k_pop': '10000 * ' ~ safe_divide('hospital_beds', 'pop_total'),
        'physicians_per_10k_pop': '10000 * ' ~ safe_divide('physicians', 'pop_total'),
        'pop_per_physician': safe_divide('pop_total', 'physicians'),
        'pop_per_bed': safe_divide('pop_total', 'hospital_beds'),
        'low_income_share': '100 * ' ~ safe_divide('low_income_pop', 'pop_total'),
        'elderly_care_occupancy_rate':
            '100 * ' ~ safe_divide('elderly_care_residents', 'elderly_care_capacity'),
        'elderly_care_institutions_per_10k_elderly':
            '10000 * ' ~ safe_divide('elderly_care_institutions', 'pop_65plus'),
        'health_spending_per_capita': safe_divide('gov_health_spending', 'pop_mid_year'),
    }) }}
),

unioned as (
    select * from dgbas_published
    union all
    select * from mol_published
    union all
    select * from labour_panel_published
    union all
    select
        *,
        1 as source_priority
    from derived
),

deduplicated as (
    {{ first_by_priority('unioned') }}
)

select * from deduplicated
