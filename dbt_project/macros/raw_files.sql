{# source_id -> the sha256 of every landed file in its raw tables (comma-separated, sorted):
   the files a source's values were built from, found the way the run report finds them
   (every raw table with a _raw_sha256 column; the raw tables are the dbt sources in schema
   raw, asked for their columns through the adapter, so DuckDB and Spark both answer). Empty
   before the raw tables exist (parsing). #}
{% macro raw_files_by_source() -%}
    {%- set tables = [] -%}
    {%- set seen = [] -%}
    {%- if execute -%}
        {%- for source in graph.sources.values() | sort(attribute='identifier') -%}
            {%- set relation = api.Relation.create(
                database=source.database, schema=source.schema, identifier=source.identifier) -%}
            {%- if source.schema == 'raw' and source.identifier not in seen
                and '_raw_sha256' in adapter.get_columns_in_relation(relation)
                    | map(attribute='name') | list -%}
                {%- do seen.append(source.identifier) -%}
                {%- do tables.append(relation) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    select source_id, {{ ordered_string_agg('raw_sha256', "','", 'raw_sha256') }} as raw_sha256
    from (
        {%- for table in tables %}
        select distinct _source_id as source_id, _raw_sha256 as raw_sha256 from {{ table }}
        {% if not loop.last %}union{% endif %}
        {%- endfor %}
        {%- if not tables %}
        select cast(null as string) as source_id, cast(null as string) as raw_sha256
        where false
        {%- endif %}
    ) as files
    group by source_id
{%- endmacro %}
