-- Where each published number comes from: the registry of sources with what the warehouse
-- holds from each (years and region levels of its values in fct_indicator_value).
with

registry as (
    select * from {{ ref('stg_registry__sources') }}
),

indicator_values as (
    select * from {{ ref('fct_indicator_value') }}
),

regions as (
    select * from {{ ref('dim_region') }}
),

values_by_level as (
    select
        indicator_values.source_id,
        regions.region_level,
        case regions.region_level
            when 'nation' then 1 when 'county' then 2 when 'township' then 3 when 'village' then 4
        end as level_order,
        min(extract(year from indicator_values.period)) as first_year,
        max(extract(year from indicator_values.period)) as last_year,
        count(*) as value_rows,
        count(*) filter (where indicator_values.is_synthetic) as synthetic_value_rows,
        count(distinct indicator_values.indicator_code) as indicators
    from indicator_values
    inner join regions on indicator_values.region_code = regions.region_code
    group by indicator_values.source_id, regions.region_level
),

coverage as (
    select
        source_id,
        min(first_year) as first_year,
        max(last_year) as last_year,
        {{ ordered_string_agg('region_level', "', '", 'level_order') }} as region_levels,
        sum(value_rows) as value_rows,
        sum(synthetic_value_rows) as synthetic_value_rows
    from values_by_level
    group by source_id
),

indicators as (
    select
        source_id,
        count(distinct indicator_code) as indicators
    from indicator_values
    group by source_id
),

final as (
    select
        registry.source_id,
        registry.publisher,
        registry.dataset,
        registry.kind,
        registry.licence,
        registry.attribution,
        registry.url_template as url,
        registry.file_format,
        registry.cadence,
        cast(coverage.first_year as integer) as first_year,
        cast(coverage.last_year as integer) as last_year,
        coverage.region_levels,
        cast(coalesce(indicators.indicators, 0) as integer) as indicators,
        cast(coalesce(coverage.value_rows, 0) as bigint) as value_rows,
        cast(coalesce(coverage.synthetic_value_rows, 0) as bigint) as synthetic_value_rows,
        registry.snapshot_files,
        registry.synthetic_snapshot_files,
        registry.notes
    from registry
    left join coverage on registry.source_id = coverage.source_id
    left join indicators on registry.source_id = indicators.source_id
)

select * from final
