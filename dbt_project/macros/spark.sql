{# What the Spark target needs beyond dialect differences (those are in cross_db.sql). #}

{# Seeds on Spark. dbt-spark's session method pastes each value into the SQL as '<value>':
   a quote breaks the statement (Su'ao Township) and an empty cell arrives as the text 'None'.
   Here every value is a Spark string literal (backslash and quote escaped; Spark reads
   'a''b' as two literals joined, so the doubled quote of standard SQL would drop it) or null,
   cast to the seed's column type. #}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set column_types = [] -%}
    {%- for column_name in agate_table.column_names -%}
        {%- do column_types.append(
            column_override.get(column_name, adapter.convert_type(agate_table, loop.index0))) -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for value in row -%}
                    cast({{ spark_literal(value) }} as {{ column_types[loop.index0] }})
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%}){%- if not loop.last %},{% endif %}
            {% endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first -%}{%- do statements.append(sql) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(statements[0]) }}
{% endmacro %}

{% macro spark_literal(value) -%}
    {%- if value is none -%}
        null
    {%- else -%}
        '{{ (value | string).replace("\\", "\\\\").replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}

{# The raw tables as Spark sees them on a cluster: external Parquet tables in the `raw`
   database over the files the raw loads write (orchestration.raw.write_raw_parquet), one
   folder per table under var('raw_parquet_root'). Re-registered on every run, so a table
   whose columns changed is read with its new columns; dropping an external table leaves its
   files. Nothing to do on DuckDB, where the raw loads write the tables themselves. #}
{% macro register_raw_parquet_sources() %}
    {{ return(adapter.dispatch('register_raw_parquet_sources', 'tw_resas')()) }}
{% endmacro %}

{% macro default__register_raw_parquet_sources() %}
{% endmacro %}

{% macro spark__register_raw_parquet_sources() %}
    {%- if execute -%}
        {%- set root = var('raw_parquet_root') -%}
        {%- set identifiers = [] -%}
        {%- for source in graph.sources.values() | sort(attribute='identifier') -%}
            {%- if source.schema == 'raw' and source.identifier not in identifiers -%}
                {%- do identifiers.append(source.identifier) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- do run_query('create database if not exists raw') -%}
        {%- for identifier in identifiers -%}
            {%- do run_query('drop table if exists raw.' ~ adapter.quote(identifier)) -%}
            {%- do run_query('create table raw.' ~ adapter.quote(identifier) ~ ' using parquet'
                             ~ ' location ' ~ spark_literal(root ~ '/' ~ identifier)) -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}
