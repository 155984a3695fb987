-- ODRP014 township cells: totals with indicator codes, five-year bands as
-- indicator_code 'population_band' with sex and age range (age_100up_m: 100+, open band).
with

source as (
    select * from {{ source('township', 'township_age') }}
),

renamed as (
    select
        _source_id as source_id,
        _raw_sha256 as raw_sha256,
        _is_synthetic as is_synthetic,
        'township' as region_level,
        {{ normalise_region_name('county_name') }} as county_name,
        {{ normalise_region_name('township_name') }} as township_name,
        cast(null as string) as town_code,
        roc_yyymm_text as period_text,
        {{ roc_yyymm_start('trim(roc_yyymm_text)') }} as period,
        'month' as grain,
        case
            when measure like 'age!_%' escape '!' then 'population_band'
            when measure = '戶數' then 'households'
            when measure = '人口數' then 'pop_total'
            when measure = '男' then 'pop_male'
            when measure = '女' then 'pop_female'
            when measure = '0_14歲人口' then 'pop_0_14'
            when measure = '15_64歲人口' then 'pop_15_64'
            when measure = '40_64歲人口' then 'pop_40_64'
            when measure = '65歲以上人口' then 'pop_65plus'
        end as indicator_code,
        measure,
        cast(null as string) as section,
        case
            when measure like 'age!_%!_m' escape '!' then 'male'
            when measure like 'age!_%!_f' escape '!' then 'female'
        end as sex,
        case
            when measure like 'age!_%' escape '!'
                then cast(regexp_extract(measure, '^age_([0-9]+)', 1) as integer)
        end as age_from,
        case
            when measure like 'age!_%' escape '!'
                then try_cast(regexp_extract(measure, '^age_[0-9]+_([0-9]+)_', 1) as integer)
        end as age_to,
        cast(value as double) as value,
        cast(value_text as string) as value_text
    from source
)

select * from renamed
