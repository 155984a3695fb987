{# source_id -> the sha256 of every landed file in its raw tables (comma-separated, sorted):
   the files a source's values were built from, found the way the run report finds them
   (every raw table with a _raw_sha256 column). Empty before the raw tables exist (parsing). #}
{% macro raw_files_by_source() -%}
    {%- set tables = [] -%}
    {%- if execute -%}
        {%- set found = run_query(
            "select table_name from information_schema.columns where table_schema = 'raw'"
            " and column_name = '_raw_sha256' order by table_name") -%}
        {%- set tables = found.columns[0].values() -%}
    {%- endif -%}
    select source_id, string_agg(raw_sha256, ',' order by raw_sha256) as raw_sha256
    from (
        {%- for table in tables %}
        select distinct _source_id as source_id, _raw_sha256 as raw_sha256 from raw."{{ table }}"
        {% if not loop.last %}union{% endif %}
        {%- endfor %}
        {%- if not tables %}
        select cast(null as varchar) as source_id, cast(null as varchar) as raw_sha256
        where false
        {%- endif %}
    ) as files
    group by source_id
{%- endmacro %}
