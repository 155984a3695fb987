-- The published long table: every indicator value of every domain.
-- A domain joins the warehouse by adding its int_<domain>__indicator_values model here.
{% set indicator_value_models = [
    'int_population__indicator_values',
    'int_population__vital_statistics',
    'int_population__village_indicator_values',
    'int_economy__indicator_values',
    'int_industry__indicator_values',
    'int_enterprise__indicator_values',
    'int_tourism__indicator_values',
    'int_tourism__visitor_indicator_values',
    'int_town__indicator_values',
    'int_real_estate__indicator_values',
    'int_welfare__indicator_values',
    'int_finance__indicator_values',
    'int_township__segis_indicator_values',
    'int_income__indicator_values',
] %}

with

{% for model in indicator_value_models %}
    {{ model }} as (
        select * from {{ ref(model) }}
    ),
{% endfor %}

unioned as (
    {% for model in indicator_value_models %}
        select
            cast(indicator_code as string) as indicator_code,
            cast(region_code as string) as region_code,
            cast(period as date) as period,
            cast(grain as string) as grain,
            cast(scenario as string) as scenario,
            cast(value as double) as value,
            cast(is_synthetic as boolean) as is_synthetic,
            cast(source_id as string) as source_id,
            cast(quality_flag as string) as quality_flag
        from {{ model }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from unioned
