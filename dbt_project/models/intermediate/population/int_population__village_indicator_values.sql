-- Village-level population indicators beyond the structure counts (which reach the warehouse
-- through int_population__counts_unioned): education of the population aged 15 and over (MOI,
-- year end), indigenous population and density as SEGIS publishes them (2021-06).
with

education as (
    select
        village_code as region_code,
        {{ year_start(roc_to_ad_year('roc_year')) }} as period,
        source_id,
        is_synthetic,
        edu_pop_15plus,
        postgraduate_graduates,
        university_graduates,
        tertiary_graduates,
        illiterate
    from {{ ref('int_population__village_education_checked') }}
    where rejection_reason is null
),

segis_villages as (
    select * from {{ ref('int_population__segis_villages_checked') }}
    where rejection_reason is null
),

indigenous as (
    select * from {{ ref('int_population__segis_indigenous_checked') }}
    where rejection_reason is null
),

education_values as (
    {{ derived_indicator_rows('education', {
        'edu_pop_15plus': 'edu_pop_15plus',
        'edu_postgraduate_share': '100 * ' ~ safe_divide('postgraduate_graduates', 'edu_pop_15plus'),
        'edu_university_share': '100 * ' ~ safe_divide('university_graduates', 'edu_pop_15plus'),
        'edu_tertiary_share': '100 * ' ~ safe_divide('tertiary_graduates', 'edu_pop_15plus'),
        'illiterate_pop_15plus': 'illiterate',
        'literacy_rate': '100 * ' ~ safe_divide('edu_pop_15plus - illiterate', 'edu_pop_15plus'),
    }) }}
),

segis_values as (
    -- SEGIS gives density but no area: published as it is, not recomputed
    select
        'pop_density' as indicator_code,
        village_code as region_code,
        {{ roc_month_start('roc_yyymm') }} as period,
        source_id,
        is_synthetic,
        pop_density as value
    from segis_villages
    where density_rejection_reason is null
    union all
    select
        'pop_indigenous' as indicator_code,
        village_code as region_code,
        {{ roc_month_start('roc_yyymm') }} as period,
        source_id,
        is_synthetic,
        cast(pop_indigenous as double) as value
    from indigenous
    union all
    select
        'pop_indigenous_share' as indicator_code,
        village_code as region_code,
        {{ roc_month_start('roc_yyymm') }} as period,
        source_id,
        is_synthetic,
        100 * {{ safe_divide('pop_indigenous', 'pop_total') }} as value
    from indigenous
    where pop_total > 0
),

unioned as (
    select * from education_values
    union all
    select
        indicator_code,
        region_code,
        period,
        'month' as grain,
        cast(null as string) as scenario,
        value,
        is_synthetic,
        source_id,
        case when is_synthetic then 'synthetic' end as quality_flag
    from segis_values
)

select * from unioned
