-- Year-end populations (grain year) and the 12 months ending in the base month (grain
-- twelve_months, dated the window's first month: 11506 -> 2025-07-01).
with

source as (
    select * from {{ source('township', 'township_migration') }}
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
        roc_period_text as period_text,
        case
            when grain = 'year' and {{ matches_fully("roc_period_text", '[0-9]{2,3}') }}
                then {{ year_start(roc_to_ad_year('roc_period_text')) }}
            -- the window's first month: 11 months before its last
            when grain = 'twelve_months'
                then cast({{ roc_yyymm_start('roc_period_text') }} - interval 11 month as date)
        end as period,
        grain,
        case measure
            when '年底人口' then 'pop_total'
            when '遷入人數_近12月' then 'migrants_in'
            when '遷出人數_近12月' then 'migrants_out'
            when '出生數_近12月' then 'births'
            when '死亡數_近12月' then 'deaths'
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
