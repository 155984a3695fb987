{# Not-null over several columns of a model in one scan (one test node instead of one per
   column: dbt's fixed cost per node, and a view computed once). A failure row names the column
   and how many of its values are null. #}
{% test not_null_columns(model, columns) %}

with

null_counts as (
    select
        {% for column in columns -%}
        sum(case when {{ column }} is null then 1 else 0 end) as nulls_{{ loop.index }}
        {%- if not loop.last %},{% endif %}
        {% endfor %}
    from {{ model }}
),

by_column as (
    {% for column in columns -%}
    select '{{ column }}' as null_column, nulls_{{ loop.index }} as null_rows from null_counts
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

columns_with_nulls as (
    select * from by_column where null_rows > 0
)

select * from columns_with_nulls

{% endtest %}
