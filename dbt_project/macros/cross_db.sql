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

{# Integer division of two integers (DuckDB `//`, Spark `div`); truncated, the operands here are
   never negative. #}
{% macro integer_divide(numerator, denominator) -%}
    {{ return(adapter.dispatch('integer_divide', 'tw_resas')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__integer_divide(numerator, denominator) -%}
    ({{ numerator }} // {{ denominator }})
{%- endmacro %}

{% macro spark__integer_divide(numerator, denominator) -%}
    ({{ numerator }} div {{ denominator }})
{%- endmacro %}

{# True when the whole text matches the regular expression (not just a part of it). #}
{% macro matches_fully(text_expression, pattern) -%}
    {{ return(adapter.dispatch('matches_fully', 'tw_resas')(text_expression, pattern)) }}
{%- endmacro %}

{% macro default__matches_fully(text_expression, pattern) -%}
    regexp_full_match({{ text_expression }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__matches_fully(text_expression, pattern) -%}
    ({{ text_expression }} rlike '^(?:{{ pattern }})$')
{%- endmacro %}

{# string_agg of `expression` (nulls skipped) joined by `separator`, in the order of the one
   expression `order_by`, ascending. #}
{% macro ordered_string_agg(expression, separator, order_by) -%}
    {{ return(adapter.dispatch('ordered_string_agg', 'tw_resas')(expression, separator, order_by)) }}
{%- endmacro %}

{% macro default__ordered_string_agg(expression, separator, order_by) -%}
    string_agg({{ expression }}, {{ separator }} order by {{ order_by }})
{%- endmacro %}

{# nulls last, as DuckDB orders them (Spark puts them first in ascending order) #}
{% macro spark__ordered_string_agg(expression, separator, order_by) -%}
    string_agg({{ expression }}, {{ separator }}) within group (order by {{ order_by }} nulls last)
{%- endmacro %}

{# Every column of `relation_alias` but `columns` (DuckDB `* exclude`, Spark `* except`). #}
{% macro star_except(relation_alias, columns) -%}
    {{ return(adapter.dispatch('star_except', 'tw_resas')(relation_alias, columns)) }}
{%- endmacro %}

{% macro default__star_except(relation_alias, columns) -%}
    {{ relation_alias }}.* exclude ({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__star_except(relation_alias, columns) -%}
    {{ relation_alias }}.* except ({{ columns | join(', ') }})
{%- endmacro %}

{# The distinct non-null texts among `expressions`, sorted, joined by `separator`. #}
{% macro sorted_distinct_join(expressions, separator) -%}
    {{ return(adapter.dispatch('sorted_distinct_join', 'tw_resas')(expressions, separator)) }}
{%- endmacro %}

{% macro default__sorted_distinct_join(expressions, separator) -%}
    array_to_string(list_sort(list_distinct(list_value({{ expressions | join(', ') }}))), {{ separator }})
{%- endmacro %}

{% macro spark__sorted_distinct_join(expressions, separator) -%}
    array_join(array_sort(array_distinct(array({{ expressions | join(', ') }}))), {{ separator }})
{%- endmacro %}

{# ROC year (民國) to AD: ROC 1 = 1912. The one place SQL does the arithmetic. #}
{% macro roc_to_ad_year(roc_year_expression) -%}
    (cast({{ roc_year_expression }} as integer) + 1911)
{%- endmacro %}

{# The first day of an ROC month given as the integer yyymm (11006 -> 2021-06-01). #}
{% macro roc_month_start(yyymm_expression) -%}
    {{ month_start(roc_to_ad_year(integer_divide(yyymm_expression, 100)), yyymm_expression ~ ' % 100') }}
{%- endmacro %}

{% macro safe_divide(numerator, denominator) -%}
    case when {{ denominator }} is null or {{ denominator }} = 0 then null
         else cast({{ numerator }} as double) / {{ denominator }} end
{%- endmacro %}

{# The date `months` months after a date (the same day, or the month's last day). #}
{% macro months_after(date_expression, months) -%}
    {{ return(adapter.dispatch('months_after', 'tw_resas')(date_expression, months)) }}
{%- endmacro %}

{% macro default__months_after(date_expression, months) -%}
    cast({{ date_expression }} + interval ({{ months }}) month as date)
{%- endmacro %}

{% macro spark__months_after(date_expression, months) -%}
    add_months({{ date_expression }}, {{ months }})
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
    case when {{ matches_fully(x, '[0-9]{6,7}') }} then cast(try_strptime(
        cast({{ roc_to_ad_year("substr(lpad(" ~ x ~ ", 7, '0'), 1, 3)") }} as string)
        || substr(lpad({{ x }}, 7, '0'), 4), '%Y%m%d') as date) end
{%- endmacro %}

{% macro spark__roc_date(x) -%}
    case when {{ matches_fully(x, '[0-9]{6,7}') }} then to_date(try_to_timestamp(concat(
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

{# The mean of a float column summed in value order: a parallel sum in scan order can differ in
   the last bits between two runs on the same rows. #}
{% macro ordered_avg(x) -%}
    {{ return(adapter.dispatch('ordered_avg', 'tw_resas')(x)) }}
{%- endmacro %}

{% macro default__ordered_avg(x) -%}
    avg({{ x }} order by {{ x }})
{%- endmacro %}

{% macro spark__ordered_avg(x) -%}
    aggregate(array_sort(collect_list(cast({{ x }} as double))), cast(0 as double),
              (total, item) -> total + item) / count({{ x }})
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
    case when {{ matches_fully('trim(' ~ half_width_digits(x) ~ ')', pattern) }}
         then try_cast(trim({{ half_width_digits(x) }}) as {{ type }}) end
{%- endmacro %}

{# A publisher's column by its name as published (Chinese, with '-' in it), quoted for the
   engine: Spark reads "合計" as a string literal, not a column, and would silently compare or
   cast the text '合計'. With several names, the first that is not null (the same field in
   another file layout). #}
{% macro published_column(name) -%}
    {%- if varargs -%}
        coalesce({{ adapter.quote(name) }}{% for other in varargs %}, {{ adapter.quote(other) }}{% endfor %})
    {%- else -%}
        {{ adapter.quote(name) }}
    {%- endif -%}
{%- endmacro %}

{# `select * from <cte>` of every CTE in `ctes`, stacked with columns matched by name (null
   where a CTE lacks one; DuckDB `union all by name`). `ctes` maps each CTE to the relation it
   selects every column of, which tells Spark the columns; `added` are columns every CTE adds. #}
{% macro union_all_by_name(ctes, added=[]) -%}
    {{ return(adapter.dispatch('union_all_by_name', 'tw_resas')(ctes, added)) }}
{%- endmacro %}

{% macro default__union_all_by_name(ctes, added) -%}
    {%- for cte in ctes %}
    select * from {{ cte }}
    {% if not loop.last %}union all by name{% endif %}
    {%- endfor %}
{%- endmacro %}

{% macro spark__union_all_by_name(ctes, added) -%}
    {%- set columns_of = {} -%}
    {%- set column_types = {} -%}
    {%- for cte, relation in ctes.items() -%}
        {%- set names = [] -%}
        {%- for column in (adapter.get_columns_in_relation(relation) if execute else []) -%}
            {%- do names.append(column.name) -%}
            {%- if column.name not in column_types -%}
                {%- do column_types.update({column.name: column.data_type}) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- do columns_of.update({cte: names}) -%}
    {%- endfor -%}
    {%- for cte in ctes %}
    select
        {%- for name, data_type in column_types.items() %}
        {% if name in columns_of[cte] %}{{ adapter.quote(name) }}{% else -%}
            cast(null as {{ data_type }}) as {{ adapter.quote(name) }}{% endif %}
        {%- if not loop.last or added %},{% endif %}
        {%- endfor %}
        {%- for name in added %}
        {{ name }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ cte }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}

{# Every column of `relation`, those in `replacements` (column -> expression) replaced by their
   expression under the same name (DuckDB `* replace`). #}
{% macro star_replace(relation, replacements) -%}
    {{ return(adapter.dispatch('star_replace', 'tw_resas')(relation, replacements)) }}
{%- endmacro %}

{% macro default__star_replace(relation, replacements) -%}
    * replace ({% for column, expression in replacements.items() -%}
        {{ expression }} as {{ column }}{% if not loop.last %}, {% endif %}
    {%- endfor %})
{%- endmacro %}

{% macro spark__star_replace(relation, replacements) -%}
    {%- for column in (adapter.get_columns_in_relation(relation) if execute else []) -%}
        {{ replacements.get(column.name, adapter.quote(column.name)) }} as {{ adapter.quote(column.name) }}
        {%- if not loop.last %}, {% endif %}
    {%- endfor -%}
{%- endmacro %}

{# How an incremental model replaces the rows of the keys it rebuilds: DuckDB deletes them and
   inserts the new ones; Spark has no delete+insert (Delta's merge needs jars from Maven) but
   overwrites whole partitions, so there the table is partitioned by the key. #}
{% macro replace_key_strategy() -%}
    {{ return('insert_overwrite' if target.type == 'spark' else 'delete+insert') }}
{%- endmacro %}

{% macro replace_key_partitions(key) -%}
    {{ return([key] if target.type == 'spark' else none) }}
{%- endmacro %}
