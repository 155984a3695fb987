-- Tourism (domain 5), by county and year: tourist hotels from DGBAS (2009-2014; the export has
-- no hotel figures before 2009).
with

dgbas as (
    select * from {{ ref('int_dgbas__catalogue_values') }}
),

dgbas_published as (
    {{ dgbas_published_rows('dgbas', 'tourism') }}
)

select * from dgbas_published
