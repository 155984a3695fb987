-- The whole DGBAS 縣市重要統計指標 system (both exports: 2016, 1998-2014, and 2020, 1998-2018),
-- tidy: the current figure of each indicator, region and year (the newest export's), in the
-- publisher's own unit, with its definition, and the catalogue code where the warehouse
-- publishes the same quantity in fct_indicator_value. Earlier figures: fct_indicator_value_history.
with

dgbas_values as (
    select * from {{ ref('int_dgbas__values_coded') }}
),

catalogue as (
    select * from {{ ref('indicator_catalogue') }}
),

final as (
    select
        cast(dgbas_values.indicator_zh as string) as indicator_zh,
        cast(dgbas_values.category as string) as category,
        cast(catalogue.indicator_code as string) as indicator_code,
        cast(dgbas_values.region_code as string) as region_code,
        cast(dgbas_values.year as integer) as year,
        cast(dgbas_values.period as date) as period,
        cast(dgbas_values.value as double) as value,
        cast(dgbas_values.unit as string) as unit,
        cast(dgbas_values.definition as string) as definition,
        cast(dgbas_values.source_id as string) as source_id
    from dgbas_values
    left join catalogue on dgbas_values.indicator_zh = catalogue.dgbas_indicator_zh
)

select * from final
