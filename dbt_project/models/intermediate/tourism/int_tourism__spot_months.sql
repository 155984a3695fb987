-- Spot visitors per month with the county's code. Incremental by year: a run processes only
-- the years Dagster loaded (or re-loaded) since the last run, each replaced whole.
{{ config(
    materialized='incremental',
    unique_key='year',
    incremental_strategy=replace_key_strategy(),
    partition_by=replace_key_partitions('year'),
    on_schema_change='fail',
) }}

with

visitors as (
    select * from {{ ref('stg_tourism__spot_visitors') }}
),

county_names as (
    select distinct
        region_code,
        lookup_name
    from {{ ref('int_region_names') }}
    where region_level = 'county'
),

years_to_process as (
    select distinct
        year,
        loaded_at
    from visitors
    {% if is_incremental() %}
    where not exists (
        select 1 from {{ this }} as processed
        where processed.year = visitors.year and processed.loaded_at = visitors.loaded_at
    )
    {% endif %}
),

located as (
    select
        visitors.year,
        visitors.month,
        visitors.period,
        visitors.spot_type,
        visitors.recreation_area,
        visitors.spot_name,
        visitors.spot_key,
        visitors.county_name,
        visitors.visitors,
        visitors.reported_annual_total,
        visitors.source_id,
        visitors.raw_sha256,
        visitors.is_synthetic,
        visitors.loaded_at,
        county_names.region_code as county_code,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp) as processed_at,
        case
            when county_names.region_code is null
                then '縣市別 ' || coalesce(visitors.county_name, '(empty)') || ' is no county'
        end
            as rejection_reason
    from visitors
    inner join years_to_process
        on visitors.year = years_to_process.year and visitors.loaded_at = years_to_process.loaded_at
    left join county_names on visitors.county_name = county_names.lookup_name
)

select * from located
