-- Published: natural change (births - deaths), social change (migrants_in - migrants_out) and
-- total change per region and period, every grain the flows come in (year, month,
-- twelve_months ...), rates per 1,000 of the MEAN population of the period (the stocks at its
-- start and end, as DGBAS's crude rates use the mid-year population), and the RESAS-style class
-- (自然增減 x 社會增減). Where both stocks exist, natural + social is checked against the
-- population change: a residual above var('population_change_discrepancy_pct') % of the mean
-- population is flagged.
{% set flows = ['births', 'deaths', 'migrants_in', 'migrants_out'] %}
{%- set flow_sources = [] %}
{%- for flow in flows %}{% do flow_sources.append('measured.' ~ flow ~ '_source') %}{% endfor %}
with

indicator_values as (
    select * from {{ ref('fct_indicator_value') }}
    where scenario is null
),

regions as (
    select * from {{ ref('dim_region') }}
),

flow_values as (
    select indicator_values.*
    from indicator_values
    inner join regions on indicator_values.region_code = regions.region_code
    where
        indicator_values.indicator_code in ({{ sql_string_list(flows) }})
        and regions.region_level in ('nation', 'county', 'township')
),

flows as (
    select
        region_code,
        period,
        grain,
        {% for flow in flows %}
            max(case when indicator_code = '{{ flow }}' then value end) as {{ flow }},
            max(case when indicator_code = '{{ flow }}' then quality_flag end) as {{ flow }}_flag,
            max(case when indicator_code = '{{ flow }}' then source_id end) as {{ flow }}_source,
        {% endfor %}
        bool_or(is_synthetic) as is_synthetic
    from flow_values
    group by region_code, period, grain
),

-- a stock (pop_total at the end of its period) is the population on the first day after it
stocks as (
    select
        region_code,
        {{ period_end('period', 'grain') }} as stock_date,
        value as population,
        is_synthetic,
        row_number() over (
            partition by region_code, {{ period_end('period', 'grain') }}
            order by case grain when 'year' then 1 when 'month' then 2 else 3 end
        ) as preference
    from indicator_values
    where indicator_code = 'pop_total' and grain in ('year', 'quarter', 'month')
),

preferred_stocks as (
    select * from stocks
    where preference = 1
),

changes as (
    select
        flows.*,
        flows.births - flows.deaths as natural_change,
        flows.migrants_in - flows.migrants_out as social_change,
        start_stock.population as start_population,
        end_stock.population as end_population,
        (start_stock.population + end_stock.population) / 2.0 as mean_population,
        end_stock.population - start_stock.population as population_change,
        flows.is_synthetic
        or coalesce(start_stock.is_synthetic, false)
        or coalesce(end_stock.is_synthetic, false) as any_synthetic
    from flows
    left join preferred_stocks as start_stock
        on
            flows.region_code = start_stock.region_code
            and flows.period = start_stock.stock_date
    left join preferred_stocks as end_stock
        on
            flows.region_code = end_stock.region_code
            and end_stock.stock_date = {{ period_end('flows.period', 'flows.grain') }}
),

measured as (
    select
        *,
        natural_change + social_change as total_change,
        population_change - (natural_change + social_change) as unexplained_change,
        case
            when natural_change is null then 'no births or deaths'
            when social_change is null then 'no migration figures (migrants_in, migrants_out)'
        end as classification_null_reason,
        (natural_change >= 0) as is_natural_increase,
        (social_change >= 0) as is_social_increase
    from changes
),

final as (
    select
        cast(measured.region_code as string) as region_code,
        cast(regions.region_level as string) as region_level,
        cast(regions.name_zh as string) as region_name_zh,
        cast(regions.name_en as string) as region_name_en,
        cast(measured.period as date) as period,
        cast(measured.grain as string) as grain,
        {% for flow in flows %}
            cast(measured.{{ flow }} as double) as {{ flow }},
        {% endfor %}
        cast(measured.natural_change as double) as natural_change,
        cast(measured.social_change as double) as social_change,
        cast(measured.total_change as double) as total_change,
        cast(measured.start_population as double) as start_population,
        cast(measured.end_population as double) as end_population,
        cast(measured.mean_population as double) as mean_population,
        cast(
            1000
            * {{ safe_divide('measured.natural_change', 'measured.mean_population') }} as double
        )
            as natural_change_per_1000,
        cast(
            1000 * {{ safe_divide('measured.social_change', 'measured.mean_population') }} as double
        )
            as social_change_per_1000,
        cast(
            1000 * {{ safe_divide('measured.total_change', 'measured.mean_population') }} as double
        )
            as total_change_per_1000,
        cast(case
            when measured.mean_population is null
                then 'population at the start or end of the period missing'
        end as string)
            as rate_null_reason,
        cast(measured.population_change as double) as population_change,
        cast(measured.unexplained_change as double) as unexplained_change,
        cast(
            100
            * {{ safe_divide('measured.unexplained_change', 'measured.mean_population') }} as double
        )
            as unexplained_change_pct,
        cast(
            abs(100 * {{ safe_divide('measured.unexplained_change', 'measured.mean_population') }})
            > {{ var('population_change_discrepancy_pct') }} as boolean
        ) as has_discrepancy,
        cast(case
            when measured.classification_null_reason is null then
                case
                    when measured.is_natural_increase then 'natural_increase' else
                        'natural_decrease'
                end
                || '_'
                || case
                    when measured.is_social_increase then 'social_increase' else 'social_decrease'
                end
        end as string) as change_class,
        cast(case
            when measured.classification_null_reason is null then
                case when measured.is_natural_increase then '自然增加' else '自然減少' end
                || '、' || case when measured.is_social_increase then '社會增加' else '社會減少' end
        end as string) as change_class_zh,
        cast(case
            when measured.classification_null_reason is null then
                case
                    when measured.is_natural_increase then 'natural increase' else
                        'natural decrease'
                end
                || ', '
                || case
                    when measured.is_social_increase then 'social increase' else 'social decrease'
                end
        end as string) as change_class_en,
        cast(measured.classification_null_reason as string) as classification_null_reason,
        cast(measured.any_synthetic as boolean) as is_synthetic,
        cast({{ sorted_distinct_join(flow_sources, "','") }} as string) as source_id,
        cast({{ combined_quality_flag('measured.any_synthetic',
            ['measured.births_flag', 'measured.deaths_flag', 'measured.migrants_in_flag',
             'measured.migrants_out_flag']) }} as string) as quality_flag
    from measured
    inner join regions on measured.region_code = regions.region_code
)

select * from final
