-- Every population count any source gives, one row per region, period, scenario and source,
-- with the source's priority where two sources give the same figure (1 = published directly,
-- 2 = aggregated by us from a lower level).
with

region_names as (
    select * from {{ ref('int_region_names') }}
),

townships as (
    select * from {{ ref('stg_moi__township_pop_density') }}
),

county_table as (
    select * from {{ ref('stg_moi__county_population_by_sex') }}
),

villages as (
    select * from {{ ref('stg_moi__village_households') }}
),

registration_api as (
    select * from {{ ref('stg_moi__household_registration') }}
),

projection as (
    select * from {{ ref('stg_ndc__population_projection') }}
),

township_rows as (
    select
        region_names.region_code,
        substr(region_names.region_code, 1, 5) as county_code,
        {{ year_start('townships.year') }} as period,
        townships.pop_total,
        townships.area_km2,
        townships.source_id,
        townships.is_synthetic
    from townships
    -- 東沙/南沙 rows have no population ('…') and are not townships of the code table
    inner join region_names
        on region_names.lookup_name = townships.county_name || townships.township_name
        and region_names.region_level = 'township'
    where townships.pop_total is not null
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
        cast(null as bigint) as households, sum(area_km2) as area_km2
    from township_rows
    group by county_code, period, source_id
    union all
    select
        'TW' as region_code, 'nation' as region_level, period, 'year' as grain,
        cast(null as varchar) as scenario, source_id, 2 as source_priority,
        bool_or(is_synthetic) as is_synthetic,
        sum(pop_total), null, null, null, null, null, null, sum(area_km2)
    from township_rows
    group by period, source_id
),

county_table_level as (
    select
        region_names.region_code, region_names.region_level,
        {{ month_start('county_table.roc_yyymm // 100 + 1911', 'county_table.roc_yyymm % 100') }} as period,
        'month' as grain, cast(null as varchar) as scenario, county_table.source_id,
        1 as source_priority, county_table.is_synthetic,
        county_table.pop_total, county_table.pop_male, county_table.pop_female,
        null, null, null, null, cast(null as double) as area_km2
    from county_table
    -- the subtotal rows 臺灣省 / 福建省 are not regions of the warehouse
    inner join region_names
        on region_names.lookup_name = county_table.region_name
        and region_names.region_level in ('nation', 'county')
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
)

select * from unioned
