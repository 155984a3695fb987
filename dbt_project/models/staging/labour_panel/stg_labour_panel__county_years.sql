with

source as (
    select * from {{ source('labour_panel', 'county_years') }}
),

renamed as (
    select
        {{ normalise_region_name('county') }} as county_name,
        cast(year as integer) as year,
        cast(measure as string) as measure,
        cast(value as double) as value,
        cast(value_text as string) as value_text,
        _source_id as source_id,
        _raw_sha256 as raw_sha256,
        _is_synthetic as is_synthetic
    from source
)

select * from renamed
