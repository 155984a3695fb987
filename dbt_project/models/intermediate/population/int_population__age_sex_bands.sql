-- Every source's population by sex and five-year age band, in the shared shape. A source
-- joins by adding its int_population__age_sex_bands__<source> model to this list.
{% set age_sex_band_models = [
    'int_population__age_sex_bands__ndc_projection',
    'int_population__age_sex_bands__moi_township_age',
    'int_population__age_sex_bands__segis_village',
] %}

with

{% for model in age_sex_band_models %}
    {{ model }} as (
        select * from {{ ref(model) }}
    ),
{% endfor %}

unioned as (
    {% for model in age_sex_band_models %}
        select
            cast(region_code as string) as region_code,
            cast(period as date) as period,
            cast(grain as string) as grain,
            cast(scenario as string) as scenario,
            cast(sex as string) as sex,
            cast(age_band as string) as age_band,
            cast(age_from as integer) as age_from,
            cast(age_to as integer) as age_to,
            cast(population as bigint) as population,
            cast(is_synthetic as boolean) as is_synthetic,
            cast(source_id as string) as source_id,
            cast(quality_flag as string) as quality_flag
        from {{ model }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from unioned
