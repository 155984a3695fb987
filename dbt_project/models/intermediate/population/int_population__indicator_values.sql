-- Population indicators in the long published shape, one value per key: where two sources
-- give the same indicator for the same region and period, the published one wins over our
-- own aggregate (source_priority). A DGBAS figure keeps the flag DGBAS's model gave it (a
-- national land area that is not the sum of the counties: source_total_mismatch).
with

structure as (
    select * from {{ ref('int_population__structure') }}
),

dgbas_flags as (
    select
        indicator_code,
        region_code,
        period,
        source_id,
        quality_flag
    from {{ ref('int_dgbas__catalogue_values') }}
    where quality_flag is not null
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
        ranked.indicator_code,
        ranked.region_code,
        ranked.period,
        ranked.grain,
        ranked.scenario,
        ranked.value,
        ranked.is_synthetic,
        ranked.source_id,
        case
            when ranked.is_synthetic then 'synthetic'
            when dgbas_flags.quality_flag is not null then dgbas_flags.quality_flag
            when ranked.source_priority = 3 then 'aggregated_from_lower_level'
        end as quality_flag
    from ranked
    left join dgbas_flags
        on
            ranked.indicator_code = dgbas_flags.indicator_code
            and ranked.region_code = dgbas_flags.region_code
            and ranked.period = dgbas_flags.period
            and ranked.source_id = dgbas_flags.source_id
            and ranked.grain = 'year'
    where ranked.rank_in_key = 1
)

select * from reconciled
