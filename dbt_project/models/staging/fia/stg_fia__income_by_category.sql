with

source as (
    select * from {{ source('fia', 'income_by_category') }}
),

renamed as (
    select
        case level when 'town' then 'township' else level end as region_level,
        case when year_is_roc then {{ roc_to_ad_year('year') }} else cast(year as integer) end
            as income_year,
        cast(region_code as string) as published_code,
        {{ normalise_region_name('county_name') }} as county_name,
        {{ normalise_region_name('town_name') }} as township_name,
        {{ normalise_region_name('village_name') }} as village_name,
        measure,
        cast(value as double) as value,
        value_text,
        value_problem,
        cast(null as string) as release_status,
        _source_id as source_id,
        _raw_sha256 as raw_sha256,
        _is_synthetic as is_synthetic
    from source
)

select * from renamed
