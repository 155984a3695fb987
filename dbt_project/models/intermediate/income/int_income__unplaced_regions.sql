-- Pseudo-regions for income FIA could not place one level down, so that the children of a
-- region add up to it: '<township code>-unplaced' (the village row 「其他」 of a township,
-- 2012-2018) and '<county code>-unplaced' (county 「其他」 rows beyond the township tables,
-- 2024). region_level 'unplaced'; dim_region lists them under their parent.
with

cells as (
    select distinct
        region_code,
        township_code
    from {{ ref('int_income__cells_checked') }}
    where is_unplaced_remainder and rejection_reason is null
),

county_remainders as (
    select distinct
        region_code,
        county_code
    from {{ ref('int_income__county_remainders') }}
    where rejection_reason is null
),

townships as (
    select * from {{ ref('town_codes_moi_20200324') }}
),

counties as (
    select * from {{ ref('county_names') }}
),

county_codes as (
    select * from {{ ref('county_codes_moi_20200324') }}
),

in_townships as (
    select
        cells.region_code,
        'unplaced' as region_level,
        townships.townname || '其他（未歸村里）' as name_zh,
        townships.towneng || ': returns not placed in a village' as name_en,
        cells.township_code as parent_code,
        lower(townships.countyid) as county_letter
    from cells
    inner join townships on cast(townships.towncode as string) = cells.township_code
),

in_counties as (
    select
        county_remainders.region_code,
        'unplaced' as region_level,
        counties.name_zh || '其他（未歸鄉鎮市區）' as name_zh,
        counties.name_en || ': returns not placed in a township' as name_en,
        county_remainders.county_code as parent_code,
        lower(county_codes.countyid) as county_letter
    from county_remainders
    inner join counties on cast(counties.county_code as string) = county_remainders.county_code
    inner join county_codes
        on cast(county_codes.countycode as string) = county_remainders.county_code
),

unioned as (
    select * from in_townships
    union all
    select * from in_counties
)

select * from unioned
