with

source as (
    select * from {{ source('township', 'township_population') }}
),

renamed as (
    select
        _source_id as source_id,
        _raw_sha256 as raw_sha256,
        _is_synthetic as is_synthetic,
        'township' as region_level,
        {{ normalise_region_name('county_name') }} as county_name,
        {{ normalise_region_name('township_name') }} as township_name,
        trim(town_code) as town_code,
        roc_yyymm_text as period_text,
        {{ roc_yyymm_start('trim(roc_yyymm_text)') }} as period,
        'month' as grain,
        case measure
            when '戶數' then 'households'
            when '人口數' then 'pop_total'
            when '土地面積_km2' then 'area_km2'
        end as indicator_code,
        measure,
        cast(null as string) as section,
        cast(null as string) as sex,
        cast(null as integer) as age_from,
        cast(null as integer) as age_to,
        cast(value as double) as value,
        cast(value_text as string) as value_text
    from source
)

select * from renamed
