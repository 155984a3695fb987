with

source as (
    select * from {{ source('moi', 'village_education') }}
),

renamed as (
    select
        cast(district_code as string) as village_code,
        {{ normalise_region_name('substr(site_id, 1, 3)') }} as county_name,
        {{ normalise_region_name('substr(site_id, 4)') }} as township_name,
        {{ normalise_region_name('village') }} as village_name,
        cast(statistic_yyy as integer) as roc_year,
        cast(field as string) as field,
        cast(level as string) as education_level,
        cast(completion as string) as completion,
        cast(sex as string) as sex,
        cast(persons as bigint) as persons,
        cast(persons_text as string) as persons_text,
        _source_id as source_id,
        _raw_sha256 as raw_sha256,
        _is_synthetic as is_synthetic
    from source
)

select * from renamed
