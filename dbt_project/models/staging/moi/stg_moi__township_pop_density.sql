with

source as (
    select * from {{ source('moi', 'township_pop_density') }}
),

renamed as (
    select
        -- site_id runs county and township together (新北市板橋區); every county name has 3 characters
        {{ normalise_region_name('substr(site_id, 1, 3)') }} as county_name,
        {{ normalise_region_name('substr(site_id, 4)') }} as township_name,
        {{ roc_to_ad_year('statistic_yyy') }} as year,
        cast(people_total as bigint) as pop_total,
        cast(area as double) as area_km2,
        cast(population_density as double) as published_density,
        cast(statistic_yyy_text as string) as year_text,
        cast(people_total_text as string) as pop_total_text,
        cast(area_text as string) as area_text,
        -- the first cell that is no usable figure, as sources.values words it
        cast(problem as string) as value_problem,
        _source_id as source_id,
        _raw_sha256 as raw_sha256,
        _is_synthetic as is_synthetic
    from source
)

select * from renamed
