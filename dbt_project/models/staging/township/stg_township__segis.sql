-- SEGIS township cells (both files); info_time '110Y06M' is ROC year 110, month 06.
-- c1_<letter>_cnt: businesses of industry section <LETTER> (行業標準分類 大類).
with

poi as (
    select * from {{ source('township', 'segis_poi') }}
),

low_income as (
    select * from {{ source('township', 'segis_low_income') }}
),

unioned as (
    {{ union_all_by_name({
        'poi': source('township', 'segis_poi'),
        'low_income': source('township', 'segis_low_income'),
    }) }}
),

renamed as (
    select
        _source_id as source_id,
        _raw_sha256 as raw_sha256,
        _is_synthetic as is_synthetic,
        'township' as region_level,
        {{ normalise_region_name('substr(countytown, 1, 3)') }} as county_name,
        {{ normalise_region_name('substr(countytown, 4)') }} as township_name,
        trim(town_id) as town_code,
        info_time as period_text,
        {{ roc_yyymm_start("regexp_extract(info_time, '^([0-9]{3})Y([0-9]{2})M$', 1)"
                           " || regexp_extract(info_time, '^([0-9]{3})Y([0-9]{2})M$', 2)") }}
            as period,
        'month' as grain,
        case
            when
                measure = 'c_cnt' or {{ matches_fully("measure", 'c1_[a-s]_cnt') }}
                then 'establishments'
            when measure = 'ecare_cnt' then 'community_care_points'
            when measure = 'h_cnt' then 'medical_institutions'
            when measure = 'h_bed' then 'medical_institution_beds'
            when measure = 'p_cnt' then 'nursing_institutions'
            when measure = 'p_bed' then 'nursing_institution_beds'
            when measure = 'rlh_cnt' then 'low_income_households'
            when measure = 'rlp_cnt' then 'low_income_pop'
            when measure = 'rlh2_cnt' then 'mid_low_income_households'
            when measure = 'rlp2_cnt' then 'mid_low_income_pop'
        end as indicator_code,
        measure,
        case
            when {{ matches_fully("measure", 'c1_[a-s]_cnt') }}
                then upper(substr(measure, 4, 1))
        end as section,
        cast(null as string) as sex,
        cast(null as integer) as age_from,
        cast(null as integer) as age_to,
        cast(value as double) as value,
        cast(value_text as string) as value_text
    from unioned
)

select * from renamed
