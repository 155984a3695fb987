with

catalogue as (
    select * from {{ ref('indicator_catalogue') }}
),

indicator_values as (
    select * from {{ ref('fct_indicator_value') }}
),

available as (
    select distinct indicator_code from indicator_values
),

final as (
    select
        cast(catalogue.indicator_code as varchar) as indicator_code,
        cast(catalogue.domain as varchar) as domain,
        cast(catalogue.name_zh as varchar) as name_zh,
        cast(catalogue.name_en as varchar) as name_en,
        cast(catalogue.unit as varchar) as unit,
        cast(catalogue.definition as varchar) as definition,
        cast(catalogue.source_id as varchar) as source_id,
        cast(catalogue.frequency as varchar) as frequency,
        cast(catalogue.lowest_region_level as varchar) as lowest_region_level,
        cast(catalogue.additive as boolean) as additive,
        cast(catalogue.higher_is as varchar) as higher_is,
        available.indicator_code is not null as is_available
    from catalogue
    left join available on catalogue.indicator_code = available.indicator_code
)

select * from final
