with

source as (
    select * from {{ source('segis', 'village_population') }}
),

renamed as (
    select
        cast(district_code as string) as village_code,
        {{ normalise_region_name('substr(countytown, 1, 3)') }} as county_name,
        {{ normalise_region_name('substr(countytown, 4)') }} as township_name,
        {{ normalise_region_name('village') }} as village_name,
        -- info_time 110Y06M: ROC year and month
        cast(substr(info_time, 1, 3) as integer) * 100 + cast(substr(info_time, 5, 2) as integer)
            as roc_yyymm,
        cast(h_cnt as bigint) as households,
        cast(p_cnt as bigint) as pop_total,
        cast(m_cnt as bigint) as pop_male,
        cast(f_cnt as bigint) as pop_female,
        cast(p_den as double) as pop_density,
        cast(h_cnt_text as string) as households_text,
        cast(p_cnt_text as string) as pop_total_text,
        cast(m_cnt_text as string) as pop_male_text,
        cast(f_cnt_text as string) as pop_female_text,
        _source_id as source_id,
        _raw_sha256 as raw_sha256,
        _is_synthetic as is_synthetic
    from source
)

select * from renamed
