with

source as (
    select * from {{ source('mof', 'tax_revenue') }}
),

renamed as (
    select
        {{ normalise_region_name('region_name') }} as region_name,
        tax_item_zh,
        cast(year as integer) as year,
        cast(value_thousand_ntd as double) as value_thousand_ntd,
        _source_id as source_id,
        _raw_sha256 as raw_sha256,
        _is_synthetic as is_synthetic
    from source
)

select * from renamed
