{# Cross-database helpers: DuckDB today, Spark next. Each dispatches so an adapter can
   override it without touching the models. #}

{% macro year_start(year_expression) -%}
    {{ return(adapter.dispatch('year_start', 'tw_resas')(year_expression)) }}
{%- endmacro %}

{% macro default__year_start(year_expression) -%}
    make_date(cast({{ year_expression }} as integer), 1, 1)
{%- endmacro %}

{% macro month_start(year_expression, month_expression) -%}
    {{ return(adapter.dispatch('month_start', 'tw_resas')(year_expression, month_expression)) }}
{%- endmacro %}

{% macro default__month_start(year_expression, month_expression) -%}
    make_date(cast({{ year_expression }} as integer), cast({{ month_expression }} as integer), 1)
{%- endmacro %}

{# ROC year (民國) to AD: ROC 1 = 1912 #}
{% macro roc_to_ad_year(roc_year_expression) -%}
    (cast({{ roc_year_expression }} as integer) + 1911)
{%- endmacro %}

{% macro safe_divide(numerator, denominator) -%}
    case when {{ denominator }} is null or {{ denominator }} = 0 then null
         else cast({{ numerator }} as double) / {{ denominator }} end
{%- endmacro %}

{% macro years_before(date_expression, years) -%}
    {{ return(adapter.dispatch('years_before', 'tw_resas')(date_expression, years)) }}
{%- endmacro %}

{% macro default__years_before(date_expression, years) -%}
    cast({{ date_expression }} - interval '{{ years }}' year as date)
{%- endmacro %}

{% macro spark__years_before(date_expression, years) -%}
    add_months({{ date_expression }}, -12 * {{ years }})
{%- endmacro %}
