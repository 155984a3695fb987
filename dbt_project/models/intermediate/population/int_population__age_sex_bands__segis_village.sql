-- Five-year age x sex bands of every village whose bands passed the checks (they add up to
-- the village's population), in the shared int_population__age_sex_bands__<source> shape.
with

age as (
    select * from {{ ref('stg_segis__village_age') }}
),

accepted as (
    select
        village_code,
        roc_yyymm,
        raw_sha256
    from {{ ref('int_population__segis_age_checked') }}
    where rejection_reason is null
),

bands as (
    select
        age.village_code as region_code,
        {{ roc_month_start('age.roc_yyymm') }} as period,
        'month' as grain,
        cast(null as string) as scenario,
        age.sex,
        case
            when age.age_to is null then cast(age.age_from as string) || '+'
            else cast(age.age_from as string) || '-' || cast(age.age_to as string)
        end as age_band,
        age.age_from,
        age.age_to,
        cast(age.population as bigint) as population,
        age.is_synthetic,
        age.source_id,
        case when age.is_synthetic then 'synthetic' end as quality_flag
    from age
    inner join accepted
        on
            age.village_code = accepted.village_code
            and age.roc_yyymm = accepted.roc_yyymm
            and age.raw_sha256 = accepted.raw_sha256
)

select * from bands
