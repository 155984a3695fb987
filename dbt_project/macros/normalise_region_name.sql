{# The one place region names are normalised: 台 -> 臺, full-width digits to half-width, all
   white space (print layouts pad names with full-width spaces) removed. Historical names
   (臺北縣 -> 新北市 ...) are mapped by the region_name_crosswalk seed in int_region_names. #}
{% macro normalise_region_name(column) -%}
    replace(translate({{ half_width_digits('trim(' ~ column ~ ')') }}, '台　', '臺 '), ' ', '')
{%- endmacro %}
