with

boundaries as (
    select * from {{ ref('stg_boundaries__regions') }}
),

regions as (
    select * from {{ ref('dim_region') }}
),

joined as (
    select
        boundaries.region_code,
        regions.region_level,
        regions.name_zh,
        regions.name_en,
        boundaries.geometry_geojson,
        boundaries.is_synthetic,
        boundaries.source_id
    from boundaries
    -- a boundary code that is not a known region fails the relationships test of the staging
    -- model before it could be dropped here
    inner join regions on boundaries.region_code = regions.region_code
)

select * from joined
