with

source as (
    select * from {{ source('segis', 'village_age') }}
),

renamed as (
    select
        cast(district_code as string) as village_code,
        cast(substr(info_time, 1, 3) as integer) * 100 + cast(substr(info_time, 5, 2) as integer)
            as roc_yyymm,
        cast(field as string) as field,
        cast(sex as string) as sex,
        cast(age_from as integer) as age_from,
        cast(age_to as integer) as age_to,
        cast(population as bigint) as population,
        cast(population_text as string) as population_text,
        _source_id as source_id,
        _raw_sha256 as raw_sha256,
        _is_synthetic as is_synthetic
    from source
)

select * from renamed
