-- Population structure measures derived per source row (before sources are reconciled).
with

counts as (
    select * from {{ ref('int_population__counts_unioned') }}
),

nation_totals as (
    select
        period,
        grain,
        scenario,
        source_id,
        pop_total as nation_pop_total
    from counts
    where region_level = 'nation'
),

with_nation as (
    select
        counts.*,
        nation_totals.nation_pop_total
    from counts
    left join nation_totals
        on
            counts.period = nation_totals.period
            and counts.grain = nation_totals.grain
            and counts.source_id = nation_totals.source_id
            and coalesce(counts.scenario, '') = coalesce(nation_totals.scenario, '')
),

previous_year as (
    select
        current_year.region_code,
        current_year.period,
        current_year.grain,
        current_year.scenario,
        current_year.source_id,
        current_year.source_priority,
        last_year.pop_total as previous_pop_total
    from counts as current_year
    inner join counts as last_year
        on
            current_year.region_code = last_year.region_code
            and current_year.source_id = last_year.source_id
            and current_year.source_priority = last_year.source_priority
            and current_year.grain = 'year'
            and last_year.grain = 'year'
            and last_year.period = {{ years_before('current_year.period', 1) }}
            -- the first projected year grows from the last observed one
            and (current_year.scenario = last_year.scenario or last_year.scenario is null)
),

derived as (
    select
        with_nation.region_code,
        with_nation.region_level,
        with_nation.period,
        with_nation.grain,
        with_nation.scenario,
        with_nation.source_id,
        with_nation.source_priority,
        with_nation.is_synthetic,
        with_nation.pop_total,
        with_nation.pop_male,
        with_nation.pop_female,
        with_nation.pop_0_14,
        with_nation.pop_15_64,
        with_nation.pop_65plus,
        with_nation.pop_40_64,
        with_nation.households,
        with_nation.area_km2,
        100 * {{ safe_divide('with_nation.pop_male', 'with_nation.pop_female') }} as sex_ratio,
        {{ safe_divide('with_nation.pop_total', 'with_nation.area_km2') }} as pop_density,
        -- 戶量: registered persons per registered household
        {{ safe_divide('with_nation.pop_total', 'with_nation.households') }} as household_size,
        -- full precision: our own division, not a publisher's figure (烏坵鄉 is 0.0028 %,
        -- which 2 decimals made 0.00); tests round it only to compare with seed Table 1
        100 * {{ safe_divide('with_nation.pop_total', 'with_nation.nation_pop_total') }}
            as pop_share_of_nation,
        100 * {{ safe_divide('with_nation.pop_0_14', 'with_nation.pop_total') }} as pop_0_14_share,
        100
        * {{ safe_divide('with_nation.pop_15_64', 'with_nation.pop_total') }} as pop_15_64_share,
        100
        * {{ safe_divide('with_nation.pop_65plus', 'with_nation.pop_total') }} as pop_65plus_share,
        100
        * {{ safe_divide('with_nation.pop_40_64', 'with_nation.pop_total') }} as pop_40_64_share,
        -- 扶幼比: persons aged 0-14 per 100 of working age
        100 * {{ safe_divide('with_nation.pop_0_14', 'with_nation.pop_15_64') }}
            as child_dependency_ratio,
        -- 老化指數: persons aged 65+ per 100 aged 0-14
        100 * {{ safe_divide('with_nation.pop_65plus', 'with_nation.pop_0_14') }} as aging_index,
        -- 扶養比: dependants (0-14 and 65+) per 100 of working age
        100 * {{ safe_divide(
            'with_nation.pop_0_14 + with_nation.pop_65plus', 'with_nation.pop_15_64'
        ) }}
            as dependency_ratio,
        100 * {{ safe_divide('with_nation.pop_65plus', 'with_nation.pop_15_64') }}
            as old_age_dependency_ratio,
        -- 人口增加率 in per mille, as DGBAS publishes it
        1000 * ({{ safe_divide('with_nation.pop_total', 'previous_year.previous_pop_total') }} - 1)
            as pop_growth_rate
    from with_nation
    left join previous_year
        on
            with_nation.region_code = previous_year.region_code
            and with_nation.period = previous_year.period
            and with_nation.grain = previous_year.grain
            and with_nation.source_id = previous_year.source_id
            and with_nation.source_priority = previous_year.source_priority
            and coalesce(with_nation.scenario, '') = coalesce(previous_year.scenario, '')
)

select * from derived
