{# True when a 實價登錄 備註 marks a transaction between related parties: the publisher's note
   「親友、員工、共有人或其他特殊關係間之交易」 and the ways registrants write it (二親等間買賣,
   親屬間, 共有人間買賣, 關係人購買, 員工住宅由員工承購 …). Such prices are not at arm's length:
   they are left out of price medians, and counted. 共有人數2人 (how many co-owners) is no such
   note. Tested by tests/sources/test_real_estate.py, in DuckDB. #}
{% macro is_special_relationship(note) -%}
    {{ return(adapter.dispatch('is_special_relationship', 'tw_resas')(note)) }}
{%- endmacro %}

{% macro special_relationship_pattern() -%}
    {{ return('(親友|員工|親等|等親|親屬|特殊關係|關係人|關係企業|股東間|共有人(之?間|買賣|購買|承買|承購|持分買賣|優先承買))') }}
{%- endmacro %}

{% macro default__is_special_relationship(note) -%}
    coalesce(regexp_matches({{ note }}, '{{ special_relationship_pattern() }}'), false)
{%- endmacro %}

{% macro spark__is_special_relationship(note) -%}
    coalesce({{ note }} rlike '{{ special_relationship_pattern() }}', false)
{%- endmacro %}
