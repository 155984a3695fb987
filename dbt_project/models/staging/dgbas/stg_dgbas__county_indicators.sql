with

source as (
    select * from {{ source('dgbas', 'county_indicators') }}
),

renamed as (
    select
        category,
        indicator_zh,
        cast(year as integer) as year,
        {{ normalise_region_name('region_name') }} as region_name,
        cast(value as double) as value,
        value_text,
        cast(export_created as timestamp) as export_created,
        _source_id as source_id,
        _raw_sha256 as raw_sha256,
        _is_synthetic as is_synthetic
    from source
)

select * from renamed
