with

source as (
    select * from {{ source('tourism', 'spot_visitors') }}
),

renamed as (
    select
        cast(year as integer) as year,
        cast(month as integer) as month,
        {{ month_start('year', 'month') }} as period,
        spot_type,
        recreation_area,
        spot_name,
        -- spot names mix 台 and 臺 (台北植物園 beside 臺北市孔廟): the key uses 臺
        {{ normalise_region_name('spot_name') }} as spot_key,
        {{ normalise_region_name('county_name') }} as county_name,
        cast(visitors as bigint) as visitors,
        cast(reported_annual_total as bigint) as reported_annual_total,
        _source_id as source_id,
        _raw_sha256 as raw_sha256,
        _is_synthetic as is_synthetic,
        cast(_loaded_at as timestamp) as loaded_at
    from source
)

select * from renamed
