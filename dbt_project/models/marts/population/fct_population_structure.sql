-- Region x period population structure, wide, with the WHO aging stage quoted in the seed
-- article (高齡化社會 7%, 高齡社會 14%, 超高齡社會 20% of the population aged 65+).
with

indicator_values as (
    select * from {{ ref('int_population__indicator_values') }}
),

regions as (
    select * from {{ ref('dim_region') }}
),

pivoted as (
    select
        region_code,
        period,
        grain,
        scenario,
        {% for indicator in population_indicator_columns() %}
            max(case when indicator_code = '{{ indicator }}' then value end) as {{ indicator }},
        {% endfor %}
        bool_or(is_synthetic) as is_synthetic
    from indicator_values
    group by region_code, period, grain, scenario
),

final as (
    select
        pivoted.region_code,
        regions.region_level,
        pivoted.period,
        pivoted.grain,
        pivoted.scenario,
        {% for indicator in population_indicator_columns() %}
            pivoted.{{ indicator }},
        {% endfor %}
        case
            when pivoted.pop_65plus_share >= {{ var('super_aged_society_pct') }} then 'super_aged'
            when pivoted.pop_65plus_share >= {{ var('aged_society_pct') }} then 'aged'
            when pivoted.pop_65plus_share >= {{ var('aging_society_pct') }} then 'aging'
            when pivoted.pop_65plus_share is not null then 'young'
        end as aging_stage,
        pivoted.is_synthetic
    from pivoted
    inner join regions on pivoted.region_code = regions.region_code
)

select * from final
