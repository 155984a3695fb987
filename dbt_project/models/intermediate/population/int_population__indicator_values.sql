-- Population indicators in the long published shape, one value per key: where two sources
-- give the same indicator for the same region and period, the published one wins over our
-- own aggregate (source_priority).
with

structure as (
    select * from {{ ref('int_population__structure') }}
),

unpivoted as (
    {% for indicator in population_indicator_columns() %}
        select
            '{{ indicator }}' as indicator_code,
            region_code,
            period,
            grain,
            scenario,
            cast({{ indicator }} as double) as value,
            is_synthetic,
            source_id,
            source_priority
        from structure
        where {{ indicator }} is not null
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

ranked as (
    select
        *,
        row_number() over (
            partition by indicator_code, region_code, period, grain, scenario
            order by source_priority, source_id
        ) as rank_in_key
    from unpivoted
),

reconciled as (
    select
        indicator_code,
        region_code,
        period,
        grain,
        scenario,
        value,
        is_synthetic,
        source_id,
        case
            when is_synthetic then 'synthetic'
            when source_priority = 2 then 'aggregated_from_lower_level'
        end as quality_flag
    from ranked
    where rank_in_key = 1
)

select * from reconciled
