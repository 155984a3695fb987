-- Every population count any source gives, one row per region, period, scenario and source,
-- with the source's priority where two sources give the same figure (1 = published directly,
-- 2 = aggregated by us from a lower level, 3 = a second publisher's national total).
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

registration_api as (
    select * from {{ ref('stg_moi__household_registration') }}
),

projection as (
    select * from {{ ref('int_population__projection_checked') }}
    where rejection_reason is null
),

dgbas as (
    select * from {{ ref('int_dgbas__catalogue_values') }}
),

township_rows as (
    select
        region_code,
        substr(region_code, 1, 5) as county_code,
        {{ year_start('year') }} as period,
        pop_total,
        area_km2,
        source_id,
        is_synthetic
    from townships
),

township_level as (
    select
        region_code, 'township' as region_level, period, 'year' as grain,
        cast(null as varchar) as scenario, source_id, 1 as source_priority, is_synthetic,
        pop_total, cast(null as bigint) as pop_male, cast(null as bigint) as pop_female,
        cast(null as bigint) as pop_0_14, cast(null as bigint) as pop_15_64,
        cast(null as bigint) as pop_65plus, cast(null as bigint) as households, area_km2
    from township_rows
),

township_aggregates as (
    select
        county_code as region_code, 'county' as region_level, period, 'year' as grain,
        cast(null as varchar) as scenario, source_id, 2 as source_priority,
        bool_or(is_synthetic) as is_synthetic,
        sum(pop_total) as pop_total, cast(null as bigint) as pop_male,
        cast(null as bigint) as pop_female, cast(null as bigint) as pop_0_14,
        cast(null as bigint) as pop_15_64, cast(null as bigint) as pop_65plus,
        cast(null as bigint) as households,
        -- summed as decimals: a sum of doubles depends on the (parallel) order of the rows, so
        -- two runs on the same inputs published densities differing in the last bit
        cast(sum(cast(area_km2 as decimal(18, 4))) as double) as area_km2
    from township_rows
    group by county_code, period, source_id
    union all
    select
        'TW' as region_code, 'nation' as region_level, period, 'year' as grain,
        cast(null as varchar) as scenario, source_id, 2 as source_priority,
        bool_or(is_synthetic) as is_synthetic,
        sum(pop_total), null, null, null, null, null, null,
        cast(sum(cast(area_km2 as decimal(18, 4))) as double)
    from township_rows
    group by period, source_id
),

county_table_level as (
    select
        region_code, region_level,
        {{ month_start('roc_yyymm // 100 + 1911', 'roc_yyymm % 100') }} as period,
        'month' as grain, cast(null as varchar) as scenario, source_id,
        1 as source_priority, is_synthetic, pop_total, pop_male, pop_female,
        null, null, null, null, cast(null as double) as area_km2
    from county_table
),

village_level as (
    select
        village_code as region_code, 'village' as region_level,
        {{ month_start('roc_yyymm // 100 + 1911', 'roc_yyymm % 100') }} as period,
        'month' as grain, cast(null as varchar) as scenario, source_id, 1 as source_priority,
        is_synthetic, pop_total, null, null, null, null, null, households,
        cast(null as double) as area_km2
    from villages
    union all
    select
        village_code, 'village',
        {{ month_start('roc_yyymm // 100 + 1911', 'roc_yyymm % 100') }},
        'month', cast(null as varchar), source_id, 1, is_synthetic,
        pop_total, pop_male, pop_female, null, null, null, households, cast(null as double)
    from registration_api
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
        'TW' as region_code, 'nation' as region_level, {{ year_start('year') }} as period,
        'year' as grain, scenario, source_id, 1 as source_priority, is_synthetic,
        pop_total, pop_male, pop_female, pop_0_14, pop_15_64, pop_65plus,
        cast(null as bigint) as households, cast(null as double) as area_km2
    from projection_by_year
),

-- DGBAS county history 1998-2018 (year-end registration counts). Its 總計 gives the county
-- shares their nation total but loses to NDC's national series and to our township sums.
dgbas_level as (
    select
        region_code, region_level, period, 'year' as grain, cast(null as varchar) as scenario,
        source_id, case when region_level = 'nation' then 3 else 1 end as source_priority,
        bool_or(is_synthetic) as is_synthetic,
        {{ pivot_indicators(['pop_total', 'pop_male', 'pop_female', 'pop_0_14', 'pop_15_64',
                             'pop_65plus', 'households', 'area_km2']) }}
    from dgbas
    where indicator_code in ('pop_total', 'pop_male', 'pop_female', 'pop_0_14', 'pop_15_64',
                             'pop_65plus', 'households', 'area_km2')
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
    select * from projection_level
    union all
    select * from dgbas_level
)

select * from unioned
