-- Every population count any source gives, one row per region, period, scenario and source,
-- with the source's priority where two sources give the same figure (1 = published directly,
-- 2 = a second publisher's national total, 3 = aggregated by us from a lower level: a
-- published figure wins over our sum).
with

-- rows rejected by the checks (no population, unknown name, duplicate, a count that does
-- not parse ...) are quarantined
townships as (
    select * from {{ ref('int_population__townships_checked') }}
    where rejection_reason is null
),

county_table as (
    select * from {{ ref('int_population__counties_checked') }}
    where rejection_reason is null
),

villages as (
    select * from {{ ref('int_population__villages_checked') }}
    where rejection_reason is null
),

{# in the column order of every branch of `unioned` (positional) #}
{% set township_stock_codes = ['pop_total', 'pop_male', 'pop_female', 'pop_0_14', 'pop_15_64',
                               'pop_65plus', 'households', 'area_km2', 'pop_40_64'] %}
township_mirror_cells as (
    select * from {{ ref('int_township__cells_checked') }}
    where
        rejection_reason is null and region_level = 'township'
        and indicator_code in ({{ sql_string_list(township_stock_codes) }})
),

segis_villages as (
    select * from {{ ref('int_population__segis_villages_checked') }}
    where rejection_reason is null
),

-- only villages whose bands add up to their population are in the bands model
segis_age_bands as (
    select * from {{ ref('int_population__age_sex_bands__segis_village') }}
),

projection as (
    select * from {{ ref('int_population__projection_checked') }}
    where rejection_reason is null
),

dgbas as (
    select * from {{ ref('int_dgbas__catalogue_values') }}
),

-- township stocks, long: the density files (year end) and the township mirror tables (year
-- end 2020-2025, month 2026-06)
township_cells as (
    select
        region_code,
        {{ year_start('year') }} as period,
        'year' as grain,
        source_id,
        is_synthetic,
        'pop_total' as indicator_code,
        cast(pop_total as double) as value
    from townships
    union all
    select
        region_code,
        {{ year_start('year') }} as period,
        'year' as grain,
        source_id,
        is_synthetic,
        'area_km2' as indicator_code,
        area_km2 as value
    from townships
    where area_km2 is not null
    union all
    select
        region_code,
        period,
        grain,
        source_id,
        is_synthetic,
        indicator_code,
        value
    from township_mirror_cells
),

township_level as (
    select
        region_code,
        'township' as region_level,
        period,
        grain,
        cast(null as string) as scenario,
        source_id,
        1 as source_priority,
        bool_or(is_synthetic) as is_synthetic,
        {{ pivot_indicators(township_stock_codes) }}
    from township_cells
    group by region_code, period, grain, source_id
),

-- county and nation sums where no published figure exists (they lose to one that does);
-- only complete sums: every township of the county (or nation) has the value
township_sums as (
    {{ complete_township_sums('township_cells', ['indicator_code']) }}
),

township_aggregates as (
    select
        region_code, case when region_code = 'TW' then 'nation' else 'county' end as region_level,
        period, grain, cast(null as string) as scenario, source_id, 3 as source_priority,
        bool_or(is_synthetic) as is_synthetic,
        {{ pivot_indicators(township_stock_codes) }}
    from township_sums
    group by region_code, period, grain, source_id
),

county_table_level as (
    select
        region_code,
        region_level,
        {{ roc_month_start('roc_yyymm') }} as period,
        'month' as grain,
        cast(null as string) as scenario,
        source_id,
        1 as source_priority,
        is_synthetic,
        pop_total,
        pop_male,
        pop_female,
        null as pop_0_14,
        null as pop_15_64,
        null as pop_65plus,
        null as households,
        cast(null as double) as area_km2,
        cast(null as double) as pop_40_64
    from county_table
),

-- the MOI village file and the ODRP019 API (which also gives the sexes)
village_level as (
    select
        village_code as region_code,
        'village' as region_level,
        {{ roc_month_start('roc_yyymm') }} as period,
        'month' as grain, cast(null as string) as scenario, source_id, 1 as source_priority,
        is_synthetic, pop_total, pop_male, pop_female, null as pop_0_14, null as pop_15_64,
        null as pop_65plus, households,
        cast(null as double) as area_km2, cast(null as double) as pop_40_64
    from villages
),

segis_age_groups as (
    select
        region_code,
        period,
        bool_or(is_synthetic) as is_synthetic,
        sum(case when age_from < 15 then population end) as pop_0_14,
        sum(case when age_from between 15 and 64 then population end) as pop_15_64,
        sum(case when age_from >= 65 then population end) as pop_65plus,
        sum(case when age_from between 40 and 64 then population end) as pop_40_64
    from segis_age_bands
    group by region_code, period
),

segis_village_level as (
    select
        segis_villages.village_code as region_code,
        'village' as region_level,
        {{ roc_month_start('segis_villages.roc_yyymm') }}
            as period,
        'month' as grain,
        cast(null as string) as scenario,
        segis_villages.source_id,
        1 as source_priority,
        segis_villages.is_synthetic or coalesce(segis_age_groups.is_synthetic, false)
            as is_synthetic,
        segis_villages.pop_total,
        segis_villages.pop_male,
        segis_villages.pop_female,
        segis_age_groups.pop_0_14,
        segis_age_groups.pop_15_64,
        segis_age_groups.pop_65plus,
        segis_villages.households,
        cast(null as double) as area_km2,
        cast(segis_age_groups.pop_40_64 as double) as pop_40_64
    from segis_villages
    left join segis_age_groups
        on
            segis_villages.village_code = segis_age_groups.region_code
            and segis_age_groups.period = {{ roc_month_start('segis_villages.roc_yyymm') }}
),

projection_by_year as (
    select
        year,
        -- actual years are identical in every scenario: keep them once, as observed
        case when is_projection then scenario end as scenario,
        source_id,
        bool_or(is_synthetic) as is_synthetic,
        sum(persons) as pop_total,
        sum(case when sex = 'male' then persons end) as pop_male,
        sum(case when sex = 'female' then persons end) as pop_female,
        sum(case when age_from < 15 then persons end) as pop_0_14,
        sum(case when age_from between 15 and 64 then persons end) as pop_15_64,
        sum(case when age_from >= 65 then persons end) as pop_65plus
    from projection
    where is_projection or scenario = 'medium'
    group by year, case when is_projection then scenario end, source_id
),

projection_level as (
    select
        'TW' as region_code,
        'nation' as region_level,
        {{ year_start('year') }} as period,
        'year' as grain,
        scenario,
        source_id,
        1 as source_priority,
        is_synthetic,
        pop_total,
        pop_male,
        pop_female,
        pop_0_14,
        pop_15_64,
        pop_65plus,
        cast(null as bigint) as households,
        cast(null as double) as area_km2,
        cast(null as double) as pop_40_64
    from projection_by_year
),

-- DGBAS county history 1998-2018 (year-end registration counts and land area). Its 總計 is
-- published (it wins over our township sums: the national land area DGBAS publishes) but
-- loses to NDC's national population series; 臺灣地區 is a region of its own.
dgbas_level as (
    select
        region_code, region_level, period, 'year' as grain, cast(null as string) as scenario,
        source_id, case when region_level = 'nation' then 2 else 1 end as source_priority,
        bool_or(is_synthetic) as is_synthetic,
        {{ pivot_indicators(['pop_total', 'pop_male', 'pop_female', 'pop_0_14', 'pop_15_64',
                             'pop_65plus', 'households', 'area_km2']) }},
        cast(null as double) as pop_40_64
    from dgbas
    where
        indicator_code in (
            'pop_total', 'pop_male', 'pop_female', 'pop_0_14', 'pop_15_64',
            'pop_65plus', 'households', 'area_km2'
        )
    group by region_code, region_level, period, source_id
),

unioned as (
    select * from township_level
    union all
    select * from township_aggregates
    union all
    select * from county_table_level
    union all
    select * from village_level
    union all
    select * from segis_village_level
    union all
    select * from projection_level
    union all
    select * from dgbas_level
)

select * from unioned
