with

source as (
    select * from {{ source('mol', 'manpower_by_area') }}
),

renamed as (
    select
        {{ normalise_region_name('region_name') }} as region_name,
        measure,
        measure_zh,
        cast(year as integer) as year,
        cast(value as double) as value,
        unit,
        _source_id as source_id,
        _raw_sha256 as raw_sha256,
        _is_synthetic as is_synthetic
    from source
)

select * from renamed
