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

{# ROC year (民國) to AD: ROC 1 = 1912. The one place SQL does the arithmetic. #}
{% macro roc_to_ad_year(roc_year_expression) -%}
    (cast({{ roc_year_expression }} as integer) + 1911)
{%- endmacro %}

{# The first day of an ROC month given as the integer yyymm (11006 -> 2021-06-01). #}
{% macro roc_month_start(yyymm_expression) -%}
    {{ month_start(roc_to_ad_year(yyymm_expression ~ ' // 100'), yyymm_expression ~ ' % 100') }}
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

{# 民國 yyyMMdd to a date; older rows drop the zero before years below 100 (990412). Null
   when it is no valid date (81052, '076  03', day 00). Unit-tested in stg_lvr__transactions.yml. #}
{% macro roc_date(text_expression) -%}
    {{ return(adapter.dispatch('roc_date', 'tw_resas')(text_expression)) }}
{%- endmacro %}

{% macro default__roc_date(x) -%}
    case when regexp_full_match({{ x }}, '[0-9]{6,7}') then cast(try_strptime(
        cast({{ roc_to_ad_year("substr(lpad(" ~ x ~ ", 7, '0'), 1, 3)") }} as varchar)
        || substr(lpad({{ x }}, 7, '0'), 4), '%Y%m%d') as date) end
{%- endmacro %}

{% macro spark__roc_date(x) -%}
    case when {{ x }} rlike '^[0-9]{6,7}$' then to_date(try_to_timestamp(concat(
        cast({{ roc_to_ad_year("substr(lpad(" ~ x ~ ", 7, '0'), 1, 3)") }} as string),
        substr(lpad({{ x }}, 7, '0'), 4)), 'yyyyMMdd')) end
{%- endmacro %}

{# Full-width digits (０-９, in addresses and some numbers) to ASCII; nothing else changes.
   The one SQL home of the rule (normalise_region_name uses it); unit-tested in
   stg_lvr__transactions.yml. #}
{% macro half_width_digits(x) -%}
    translate({{ x }}, '０１２３４５６７８９', '0123456789')
{%- endmacro %}

{# A number from publisher text: null when empty or not a number (then *_parse_ok says which).
   try_cast: DuckDB and Spark 3.2+ (dbt.safe_cast is a plain cast on dbt-duckdb). #}
{% macro text_to_number(x, type='double') -%}
    try_cast(nullif(trim({{ half_width_digits(x) }}), '') as {{ type }})
{%- endmacro %}

{# Median, as the SQL standard writes it (DuckDB and Spark 3.3+ accept it). #}
{% macro median(x) -%}
    percentile_cont(0.5) within group (order by {{ x }})
{%- endmacro %}

{# A number from publisher text, strictly: plain decimal digits (a whole number for integer
   types), else null. Unlike text_to_number it never rounds 386336.7 into a count, nor reads
   1e999 as infinity, NaN, 0x10 or 1_000 as numbers. #}
{% macro strict_number(x, type='double') -%}
    {%- set pattern = '[0-9]+' if type in ('bigint', 'integer') else '-?[0-9]+([.][0-9]+)?' -%}
    case when regexp_full_match(trim({{ half_width_digits(x) }}), '{{ pattern }}')
         then try_cast(trim({{ half_width_digits(x) }}) as {{ type }}) end
{%- endmacro %}
