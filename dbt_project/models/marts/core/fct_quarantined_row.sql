-- Published: every source row rejected on its way to the marts, with the reason, so nothing
-- is lost silently. A domain joins by adding its int_<domain>__quarantine model here.
{% set quarantine_models = [
    'int_population__quarantine',
    'int_tourism__quarantine',
    'int_real_estate__quarantine',
    'int_township__quarantine',
    'int_welfare__quarantine',
    'int_income__quarantine',
    'int_dgbas__quarantine',
] %}

with

{% for model in quarantine_models %}
    {{ model }} as (
        select * from {{ ref(model) }}
    ),
{% endfor %}

unioned as (
    {% for model in quarantine_models %}
        select
            cast(source_id as string) as source_id,
            cast(raw_sha256 as string) as raw_sha256,
            cast(record as string) as record,
            cast(reason as string) as reason
        from {{ model }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from unioned
