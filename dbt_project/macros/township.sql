{# The first day of an ROC month given as text 'yyymm' (11506 -> 2026-06-01); null unless it is
   five digits with a month 01-12, so a garbled period is quarantined, not an error. #}
{% macro roc_yyymm_start(text_expression) -%}
    case when {{ matches_fully(text_expression, '[0-9]{5}') }}
        and cast({{ text_expression }} as integer) % 100 between 1 and 12
        then {{ roc_month_start('cast(' ~ text_expression ~ ' as integer)') }}
    end
{%- endmacro %}

{# County and nation sums of township rows (region_code 8 digits, value) grouped by `keys`
   plus period, grain and source; a county only when every one of its townships in the code
   table has a value, the nation only when all do (a sum short of a township would be
   published as if whole). Values are summed as decimals: a sum of doubles depends on the
   parallel order of the rows. #}
{% macro complete_township_sums(relation, keys) -%}
    {%- set key_list = keys | join(', ') %}
    select
        {{ key_list }}, sums.region_code, sums.period, sums.grain, sums.source_id,
        sums.is_synthetic, sums.value
    from (
        select
            {{ key_list }}, substr(region_code, 1, 5) as region_code, period, grain, source_id,
            bool_or(is_synthetic) as is_synthetic,
            cast(sum(cast(value as decimal(18, 4))) as double) as value,
            count(distinct region_code) as townships
        from {{ relation }}
        group by {{ key_list }}, substr(region_code, 1, 5), period, grain, source_id
        union all
        select
            {{ key_list }}, 'TW' as region_code, period, grain, source_id,
            bool_or(is_synthetic) as is_synthetic,
            cast(sum(cast(value as decimal(18, 4))) as double) as value,
            count(distinct region_code) as townships
        from {{ relation }}
        group by {{ key_list }}, period, grain, source_id
    ) as sums
    inner join (
        select cast(COUNTYCODE as string) as region_code, count(*) as townships
        from {{ ref('town_codes_moi_20200324') }}
        group by COUNTYCODE
        union all
        select 'TW', count(*) from {{ ref('town_codes_moi_20200324') }}
    ) as code_table
        on code_table.region_code = sums.region_code
        and code_table.townships = sums.townships
{%- endmacro %}
