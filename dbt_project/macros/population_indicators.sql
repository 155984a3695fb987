{# Population indicator codes (as in the catalogue) and the structure column holding each. #}
{% macro population_indicator_columns() -%}
    {{ return([
        'pop_total', 'pop_male', 'pop_female', 'pop_0_14', 'pop_15_64', 'pop_65plus',
        'households', 'sex_ratio', 'pop_density', 'pop_share_of_nation', 'pop_0_14_share',
        'pop_15_64_share', 'pop_65plus_share', 'aging_index', 'dependency_ratio',
        'old_age_dependency_ratio', 'pop_growth_rate', 'area_km2', 'household_size',
        'pop_40_64', 'pop_40_64_share', 'child_dependency_ratio'
    ]) }}
{%- endmacro %}
