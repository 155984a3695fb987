-- Births, deaths and migration: population indicators that are flows, not counts of the
-- structure, so they do not pass through int_population__counts_unioned. DGBAS by county and
-- year (1998-2018); the township mirror tables by township, year (2020-2024) and the twelve
-- months 2025-07...2026-06, summed to counties and the nation where every township has a value
-- (2024 deaths of 新北市板橋區 are missing in the source: no 新北市 or national sum that year).
-- Rates per 1,000 of the population in the middle of the period: 年度中人口數 for a year, the
-- year-end population in the middle of a July-June window.
with

dgbas as (
    select * from {{ ref('int_dgbas__catalogue_values') }}
),

township_cells as (
    select * from {{ ref('int_township__cells_checked') }}
),

denominators as (
    select * from {{ ref('int_population_denominators') }}
),

dgbas_published as (
    select * from ({{ dgbas_published_rows('dgbas', 'population', source_priority=1) }})
        as population_values
    where indicator_code in ('births', 'deaths', 'net_migration_rate')
),

township_flows as (
    select
        region_code,
        period,
        grain,
        source_id,
        is_synthetic,
        indicator_code,
        value
    from township_cells
    where
        rejection_reason is null and region_level = 'township'
        and indicator_code in ('births', 'deaths', 'migrants_in', 'migrants_out')
),

township_sums as (
    {{ complete_township_sums('township_flows', ['indicator_code']) }}
),

flows as (
    select
        indicator_code,
        region_code,
        period,
        grain,
        cast(null as string) as scenario,
        value,
        is_synthetic,
        source_id,
        case when is_synthetic then 'synthetic' end as quality_flag,
        1 as source_priority
    from township_flows
    union all
    select
        indicator_code,
        region_code,
        period,
        grain,
        cast(null as string) as scenario,
        value,
        is_synthetic,
        source_id,
        case when is_synthetic then 'synthetic' else 'aggregated_from_lower_level' end
            as quality_flag,
        2 as source_priority
    from township_sums
    union all
    select * from dgbas_published
),

-- one wide row per region, period and grain for the derived rates; an input that is itself
-- an aggregate makes the rate one too
wide as (
    select
        flows.region_code,
        flows.period,
        flows.grain,
        min(flows.source_id) as source_id,
        bool_or(flows.is_synthetic) as is_synthetic,
        max(flows.source_priority) as source_priority,
        {{ pivot_indicators(['births', 'deaths', 'migrants_in', 'migrants_out']) }}
    from flows
    where flows.indicator_code in ('births', 'deaths', 'migrants_in', 'migrants_out')
    group by flows.region_code, flows.period, flows.grain
),

with_population as (
    select
        wide.*,
        case
            when wide.grain = 'year' then denominators.pop_mid_year
            -- a July-June window's middle is the year end of its first half
            when wide.grain = 'twelve_months' and month(wide.period) = 7
                then denominators.pop_total
        end as pop_mid_period,
        wide.is_synthetic or coalesce(denominators.is_synthetic, false) as any_synthetic
    from wide
    left join denominators
        on
            wide.region_code = denominators.region_code
            and denominators.period = {{ year_start('year(wide.period)') }}
),

{% set derived = {
    'net_migration': 'migrants_in - migrants_out',
    'crude_birth_rate': '1000 * ' ~ safe_divide('births', 'pop_mid_period'),
    'crude_death_rate': '1000 * ' ~ safe_divide('deaths', 'pop_mid_period'),
    'natural_increase_rate': '1000 * ' ~ safe_divide('births - deaths', 'pop_mid_period'),
    'net_migration_rate': '1000 * ' ~ safe_divide('migrants_in - migrants_out', 'pop_mid_period'),
} %}
derived as (
    {% for code, expression in derived.items() %}
        select
            '{{ code }}' as indicator_code,
            region_code,
            period,
            grain,
            cast(null as string) as scenario,
            cast({{ expression }} as double) as value,
            any_synthetic as is_synthetic,
            source_id,
            case
                when any_synthetic then 'synthetic'
                when source_priority = 2 then 'aggregated_from_lower_level'
            end as quality_flag,
            -- DGBAS's published rate wins over ours where both exist
            2 as source_priority
        from with_population
        where {{ expression }} is not null
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

unioned as (
    select * from flows
    union all
    select * from derived
),

deduplicated as (
    {{ first_by_priority('unioned') }}
)

select * from deduplicated
