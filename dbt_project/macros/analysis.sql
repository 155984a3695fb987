{# The formulas of the analysis marts, each written once (unit tests in the marts' YAML). #}

{# True when a figure rests on too few observations to be compared: its count basis (e.g.
   the priced sales a median is taken over) is missing or below var('min_count_basis'). #}
{% macro is_thin_count(count_expression) -%}
    ({{ count_expression }} is null or {{ count_expression }} < {{ var('min_count_basis') }})
{%- endmacro %}

{# quality_flag values that mark a period still filling up: such a value gets no change. #}
{% macro partial_period_flags() -%}
    {{ return(['partial_period', 'preliminary']) }}
{%- endmacro %}

{% macro is_partial_period(flag_expression) -%}
    coalesce({{ flag_expression }} in ({{ sql_string_list(partial_period_flags()) }}), false)
{%- endmacro %}

{# Percent change of `new` on `old`; null unless `old` is positive (a change on a zero or
   negative base has no meaningful percentage). #}
{% macro percent_change(new, old) -%}
    case when {{ old }} > 0 then 100.0 * (cast({{ new }} as double) / {{ old }} - 1) end
{%- endmacro %}

{# Compound annual growth rate over `years`, %; null unless both values are positive. #}
{% macro cagr_pct(new, old, years) -%}
    case when {{ new }} > 0 and {{ old }} > 0
        then 100.0 * (power(cast({{ new }} as double) / {{ old }}, 1.0 / {{ years }}) - 1) end
{%- endmacro %}

{# Percentile of a rank among n peers (rank 1 = best, ties share the lowest rank, as rank()
   gives them): 100 * (n - rank) / (n - 1), the share of the other peers ranked below;
   the best is 100, the worst 0. Null for fewer than two peers. #}
{% macro percentile_from_rank(rank_expression, peers_expression) -%}
    case when {{ peers_expression }} > 1
        then 100.0 * ({{ peers_expression }} - {{ rank_expression }}) / ({{ peers_expression }} - 1) end
{%- endmacro %}

{# The first day after a period of the given grain (its exclusive end). #}
{% macro period_end(period_expression, grain_expression) -%}
    case {{ grain_expression }}
        when 'month' then {{ months_after(period_expression, 1) }}
        when 'quarter' then {{ months_after(period_expression, 3) }}
        else {{ months_after(period_expression, 12) }}
    end
{%- endmacro %}

{# The quality flag of a value built from several inputs: synthetic if any input is, else the
   first input flag that is set. #}
{% macro combined_quality_flag(is_synthetic_expression, flag_expressions) -%}
    coalesce(case when {{ is_synthetic_expression }} then 'synthetic' end,
             {{ flag_expressions | join(', ') }})
{%- endmacro %}

{# The count each indicator's value rests on: indicator -> the indicator codes whose sum (same
   region, period, grain) is its count basis. A value whose basis is thin (is_thin_count) gets
   no change, CAGR or rank. One line per indicator that needs one. #}
{% macro count_basis_indicators() -%}
    {{ return({
        're_median_total_price': ['re_transactions_building', 're_transactions_land_building'],
        're_median_unit_price_m2': ['re_priced_sales'],
        're_median_unit_price_ping': ['re_priced_sales'],
        're_median_unit_price_yoy': ['re_priced_sales'],
    }) }}
{%- endmacro %}
