with

source as (
    select * from {{ source('ndc', 'population_projection') }}
),

renamed as (
    select
        case scenario
            when '高推估' then 'high'
            when '中推估' then 'medium'
            when '低推估' then 'low'
        end as scenario,
        case sex when '男性' then 'male' when '女性' then 'female' end as sex,
        -- '0-4歲' ... '95-99歲', '100歲以上': the lower bound of each five-year group
        cast(regexp_extract(age_group, '^([0-9]+)', 1) as integer) as age_from,
        cast(year as integer) as year,
        cast(persons as bigint) as persons,
        cast(persons_text as string) as persons_text,
        cast(is_projection as boolean) as is_projection,
        _source_id as source_id,
        _raw_sha256 as raw_sha256,
        _is_synthetic as is_synthetic
    from source
)

select * from renamed
