-- Every DGBAS county-indicator value with its region code, unit and definition: 總計 is the
-- nation (TW); 臺灣地區 (Taiwan area, without 金門 and 連江) is no region of the warehouse and is
-- left out; cells with a PX placeholder (no data) are left out.
with

indicator_values as (
    select * from {{ ref('stg_dgbas__county_indicators') }}
),

notes as (
    select * from {{ ref('stg_dgbas__county_indicator_notes') }}
),

region_names as (
    select * from {{ ref('int_region_names') }}
),

coded as (
    select
        indicator_values.category,
        indicator_values.indicator_zh,
        region_names.region_code,
        region_names.region_level,
        indicator_values.year,
        {{ year_start('indicator_values.year') }} as period,
        indicator_values.value,
        notes.unit,
        notes.definition,
        indicator_values.source_id,
        indicator_values.is_synthetic
    from indicator_values
    inner join region_names
        on region_names.lookup_name = indicator_values.region_name
        and region_names.region_level in ('nation', 'county')
    inner join notes on notes.indicator_zh = indicator_values.indicator_zh
    where indicator_values.value is not null
)

select * from coded
