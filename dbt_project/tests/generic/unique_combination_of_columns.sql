{# Primary-key test over several columns (our own: the dbt package hub is out of reach).
   Null key parts compare equal, as a key (scenario null = observed) must. #}
{% test unique_combination_of_columns(model, combination_of_columns) %}

with

keyed as (
    select {{ combination_of_columns | join(', ') }}, count(*) as rows_with_key
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
),

duplicated as (
    select * from keyed where rows_with_key > 1
)

select * from duplicated

{% endtest %}
