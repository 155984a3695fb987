-- Births, deaths and net migration by county and year from DGBAS (1998-2014): population
-- indicators that are flows, not counts of the structure, so they do not pass through
-- int_population__counts_unioned.
with

dgbas as (
    select * from {{ ref('int_dgbas__catalogue_values') }}
),

dgbas_published as (
    select
        indicator_code, region_code, period, 'year' as grain, cast(null as varchar) as scenario,
        value, is_synthetic, source_id, quality_flag
    from dgbas
    where domain = 'population' and catalogue_source_id = 'dgbas_county_indicators'
        and indicator_code in ('births', 'deaths', 'net_migration_rate')
)

select * from dgbas_published
