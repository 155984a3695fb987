{# `left.c = right.c and ...` over the columns of a composite key: a join on the key, written
   once. `operator` 'is not distinct from' matches null key parts too. #}
{% macro key_columns_match(left, right, columns, operator='=') -%}
    {%- for column in columns -%}
        {{ left }}.{{ column }} {{ operator }} {{ right }}.{{ column }}
        {%- if not loop.last %} and {% endif -%}
    {%- endfor -%}
{%- endmacro %}
