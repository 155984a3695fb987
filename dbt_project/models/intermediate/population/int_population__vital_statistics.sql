-- Births, deaths and net migration by county and year from DGBAS (1998-2018): population
-- indicators that are flows, not counts of the structure, so they do not pass through
-- int_population__counts_unioned.
with

dgbas as (
    select * from {{ ref('int_dgbas__catalogue_values') }}
),

dgbas_published as (
    select * from ({{ dgbas_published_rows('dgbas', 'population') }}) as population_values
    where indicator_code in ('births', 'deaths', 'net_migration_rate')
)

select * from dgbas_published
