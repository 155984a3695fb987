with

source as (
    select * from {{ source('boundaries', 'regions') }}
),

renamed as (
    select
        cast(region_code as string) as region_code,
        region_level,
        -- the boundary file writes 台 (台北市); the code is what joins, the name is for checks
        {{ normalise_region_name('name_zh') }} as name_zh,
        name_en,
        cast(parent_code as string) as parent_code,
        geometry as geometry_geojson,
        _source_id as source_id,
        _raw_sha256 as raw_sha256,
        _is_synthetic as is_synthetic
    from source
)

select * from renamed
