{# The one place region names are normalised: 台 -> 臺, full-width digits to half-width, all
   white space (print layouts pad names with full-width spaces) removed. Historical names
   (臺北縣 -> 新北市 ...) are mapped by the region_name_crosswalk seed in int_region_names. #}
{% macro normalise_region_name(column) -%}
    replace(translate(trim({{ column }}), '台０１２３４５６７８９　', '臺0123456789 '), ' ', '')
{%- endmacro %}
