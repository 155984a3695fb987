-- panel_town / panel_county cells with the warehouse's indicator codes; the year as published
-- beside the parsed one (a year that does not parse is quarantined downstream).
with

source as (
    select * from {{ source('township', 'township_panel') }}
),

renamed as (
    select
        _source_id as source_id,
        _raw_sha256 as raw_sha256,
        _is_synthetic as is_synthetic,
        case when township_name is null then 'county' else 'township' end as region_level,
        {{ normalise_region_name('county_name') }} as county_name,
        {{ normalise_region_name('township_name') }} as township_name,
        cast(null as string) as town_code,
        roc_year_text as period_text,
        case
            when {{ matches_fully("trim(roc_year_text)", '[0-9]{2,3}') }}
                then {{ year_start(roc_to_ad_year('trim(roc_year_text)')) }}
        end as period,
        'year' as grain,
        case measure
            when '年底人口' then 'pop_total'
            when '土地面積_km2' then 'area_km2'
            when '出生數' then 'births'
            when '死亡數' then 'deaths'
            when '戶數' then 'households'
            when '0_14歲人口' then 'pop_0_14'
            when '15_64歲人口' then 'pop_15_64'
            when '40_64歲人口' then 'pop_40_64'
            when '65歲以上人口' then 'pop_65plus'
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
