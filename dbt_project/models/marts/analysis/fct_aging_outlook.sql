-- Published: the WHO aging stage of every region per period along each scenario path, and the
-- first year each stage is reached on that path. The stage is fct_population_structure's (one
-- implementation of the thresholds, vars aging/aged/super_aged_society_pct). A projection path
-- (scenario high/medium/low) is the region's observed years followed by that scenario's
-- projected years, so a stage reached before the projection starts counts on every path; the
-- observed path (scenario null) has the observed years only.
with

structure as (
    select * from {{ ref('fct_population_structure') }}
    where aging_stage is not null
),

indicator_values as (
    select * from {{ ref('fct_indicator_value') }}
    where indicator_code = 'pop_65plus_share'
),

regions as (
    select * from {{ ref('dim_region') }}
),

projection_scenarios as (
    select distinct
        region_code,
        grain,
        scenario
    from structure
    where scenario is not null
),

paths as (
    select
        structure.*,
        cast(null as string) as path_scenario
    from structure
    where structure.scenario is null
    union all
    select
        structure.*,
        projection_scenarios.scenario as path_scenario
    from structure
    inner join projection_scenarios
        on
            structure.region_code = projection_scenarios.region_code
            and structure.grain = projection_scenarios.grain
            and (structure.scenario is null or structure.scenario = projection_scenarios.scenario)
),

reached as (
    select
        *,
        {% for stage in ['aging', 'aged', 'super_aged'] %}
            min(case
                when pop_65plus_share >= {{ var(stage ~ '_society_pct') }}
                    then extract(year from period)
            end) over (
                partition by region_code, grain, path_scenario
            ) as first_year_{{ stage }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from paths
),

final as (
    select
        cast(reached.region_code as string) as region_code,
        cast(reached.region_level as string) as region_level,
        cast(regions.name_zh as string) as region_name_zh,
        cast(regions.name_en as string) as region_name_en,
        cast(reached.path_scenario as string) as scenario,
        cast(reached.period as date) as period,
        cast(reached.grain as string) as grain,
        cast(reached.scenario is not null as boolean) as is_projected,
        cast(reached.pop_total as double) as pop_total,
        cast(reached.pop_65plus as double) as pop_65plus,
        cast(reached.pop_65plus_share as double) as pop_65plus_share,
        cast(reached.aging_stage as string) as aging_stage,
        cast(case reached.aging_stage
            when 'young' then '未達高齡化社會'
            when 'aging' then '高齡化社會'
            when 'aged' then '高齡社會'
            when 'super_aged' then '超高齡社會'
        end as string) as aging_stage_zh,
        cast(case reached.aging_stage
            when 'young' then 'not yet an aging society'
            when 'aging' then 'aging society'
            when 'aged' then 'aged society'
            when 'super_aged' then 'super-aged society'
        end as string) as aging_stage_en,
        cast(reached.first_year_aging as integer) as first_year_aging,
        cast(reached.first_year_aged as integer) as first_year_aged,
        cast(reached.first_year_super_aged as integer) as first_year_super_aged,
        cast(reached.is_synthetic as boolean) as is_synthetic,
        cast(indicator_values.source_id as string) as source_id,
        cast(indicator_values.quality_flag as string) as quality_flag
    from reached
    inner join regions on reached.region_code = regions.region_code
    left join indicator_values
        on
            reached.region_code = indicator_values.region_code
            and reached.period = indicator_values.period
            and reached.grain = indicator_values.grain
            and coalesce(reached.scenario, '') = coalesce(indicator_values.scenario, '')
)

select * from final
