-- Tourism (domain 5), by county and year: tourist hotels from DGBAS (2009-2014; the export has
-- no hotel figures before 2009).
with

dgbas as (
    select * from {{ ref('int_dgbas__catalogue_values') }}
),

dgbas_published as (
    select
        indicator_code, region_code, period, 'year' as grain, cast(null as varchar) as scenario,
        value, is_synthetic, source_id, quality_flag
    from dgbas
    where domain = 'tourism' and catalogue_source_id = 'dgbas_county_indicators'
)

select * from dgbas_published
