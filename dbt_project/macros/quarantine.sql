{# The rows of a checked relation that were rejected, in the shape every int_<domain>__quarantine
   model has and fct_quarantined_row publishes: source_id, raw_sha256, record (the row as
   published, to find it in the landed file) and reason, a column of the relation; a row whose
   reason is null was not rejected; `where` narrows further. #}
{% macro rejected_rows(relation, reason='rejection_reason', where=none) -%}
    select source_id, raw_sha256, record, {{ reason }} as reason
    from {{ relation }}
    where {{ reason }} is not null{% if where %} and {{ where }}{% endif %}
{%- endmacro %}
