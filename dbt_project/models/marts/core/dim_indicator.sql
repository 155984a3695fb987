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
        cast(catalogue.indicator_code as string) as indicator_code,
        cast(catalogue.domain as string) as domain,
        cast(catalogue.name_zh as string) as name_zh,
        cast(catalogue.name_en as string) as name_en,
        cast(catalogue.unit as string) as unit,
        cast(catalogue.definition as string) as definition,
        cast(catalogue.source_id as string) as source_id,
        cast(catalogue.frequency as string) as frequency,
        cast(catalogue.lowest_region_level as string) as lowest_region_level,
        cast(catalogue.additive as boolean) as additive,
        cast(catalogue.higher_is as string) as higher_is,
        available.indicator_code is not null as is_available
    from catalogue
    left join available on catalogue.indicator_code = available.indicator_code
)

select * from final
