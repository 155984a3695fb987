{# Helpers for the int_<domain>__indicator_values models, which all end in the same nine
   columns (indicator_code, region_code, period, grain, scenario, value, is_synthetic,
   source_id, quality_flag). #}

{# One column per code from a long relation with a code column (`key`) and value. #}
{% macro pivot_indicators(codes, key='indicator_code') -%}
    {%- for code in codes %}
    max(case when {{ key }} = '{{ code }}' then value end) as {{ code }}{% if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}

{# Yearly indicator rows from a wide relation (region_code, period, is_synthetic, source_id
   and the input columns): `indicators` maps each code to the SQL expression computing it;
   rows where the expression is null are left out. #}
{% macro derived_indicator_rows(relation, indicators) -%}
    {%- for code, expression in indicators.items() %}
    select
        '{{ code }}' as indicator_code,
        region_code,
        period,
        'year' as grain,
        cast(null as string) as scenario,
        cast({{ expression }} as double) as value,
        is_synthetic,
        source_id,
        case when is_synthetic then 'synthetic' end as quality_flag
    from {{ relation }}
    where {{ expression }} is not null
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}

{# A domain's values as DGBAS publishes them (the county indicator export), from
   int_dgbas__catalogue_values; `source_priority` adds that column (1 = DGBAS's own series) for
   models that extend a DGBAS series from another source. #}
{% macro dgbas_published_rows(relation, domain, source_priority=none) -%}
    select
        indicator_code, region_code, period, 'year' as grain, cast(null as string) as scenario,
        value, is_synthetic, source_id, quality_flag
        {%- if source_priority is not none %}, {{ source_priority }} as source_priority{% endif %}
    from {{ relation }}
    where domain = '{{ domain }}' and catalogue_source_id = 'dgbas_county_indicators'
{%- endmacro %}

{# Keep one row per key: the lowest source_priority wins (DGBAS's series over the MOL yearbook
   tables that extend it), then the source id, so reruns pick the same row. #}
{% macro first_by_priority(relation) -%}
    select
        indicator_code, region_code, period, grain, scenario, value, is_synthetic, source_id,
        quality_flag
    from (
        select
            *,
            row_number() over (
                partition by indicator_code, region_code, period, grain, scenario
                order by source_priority, source_id
            ) as rank_in_key
        from {{ relation }}
    ) as ranked
    where rank_in_key = 1
{%- endmacro %}
