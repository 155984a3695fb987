-- Published: every observed value of a county or township against the nation, its parent
-- county, its peers (the same level nationwide; townships also within their county) and its
-- own past (a year before; five years before as a CAGR). No comparison from thin data: a value
-- whose count basis is thin (count_basis_indicators, var min_count_basis), or whose period is
-- partial, gets no change, and a thin value no rank; the reason columns say why.
{% set count_basis = count_basis_indicators() %}
{% set thin_reason = "thin count basis: fewer than " ~ var('min_count_basis') ~ " observations" %}
with

indicator_values as (
    select * from {{ ref('fct_indicator_value') }}
    where scenario is null
),

regions as (
    select * from {{ ref('dim_region') }}
),

indicators as (
    select * from {{ ref('dim_indicator') }}
),

basis_map as (
    -- columns qualified: sqlfluff's AL05 fix drops an alias it thinks unused, column list and all
    select
        pairs.indicator_code,
        pairs.basis_indicator_code
    from (
        values
        {%- for code, basis_codes in count_basis.items() %}
            {%- set outer_last = loop.last %}
            {%- for basis_code in basis_codes %}
                ('{{ code }}', '{{ basis_code }}'){% if not (outer_last and loop.last) %},
                {% endif %}
            {%- endfor %}
        {%- endfor %}
    ) as pairs (indicator_code, basis_indicator_code)
),

located as (
    select
        indicator_values.*,
        regions.region_level,
        case when regions.region_level = 'township' then regions.parent_code end as county_code
    from indicator_values
    inner join regions on indicator_values.region_code = regions.region_code
),

basis_counts as (
    select
        basis_map.indicator_code,
        located.region_code,
        located.period,
        located.grain,
        sum(located.value) as count_basis
    from basis_map
    inner join located on basis_map.basis_indicator_code = located.indicator_code
    group by basis_map.indicator_code, located.region_code, located.period, located.grain
),

observations as (
    select
        located.*,
        basis_counts.count_basis,
        located.indicator_code in ({{ sql_string_list(count_basis.keys()) }})
        and {{ is_thin_count('basis_counts.count_basis') }} as is_thin,
        {{ is_partial_period('located.quality_flag') }} as is_partial
    from located
    left join basis_counts
        on
            located.indicator_code = basis_counts.indicator_code
            and located.region_code = basis_counts.region_code
            and located.period = basis_counts.period
            and located.grain = basis_counts.grain
),

compared as (
    select
        observations.*,
        indicators.higher_is
    from observations
    inner join indicators on observations.indicator_code = indicators.indicator_code
    where observations.region_level in ('county', 'township')
),

-- peers are the values a rank is taken among: thin values are neither ranked nor counted
rankable as (
    select * from compared
    where not is_thin
),

level_peers as (
    select
        indicator_code,
        period,
        grain,
        region_level,
        count(*) as peers,
        {{ ordered_avg('value') }} as peer_mean,  -- ordered: the same float sum every run
        {{ median('value') }} as peer_median,
        bool_or(is_synthetic) as is_synthetic
    from rankable
    group by indicator_code, period, grain, region_level
),

county_peers as (
    select
        indicator_code,
        period,
        grain,
        county_code,
        count(*) as peers,
        {{ ordered_avg('value') }} as peer_mean,  -- ordered: the same float sum every run
        {{ median('value') }} as peer_median,
        bool_or(is_synthetic) as is_synthetic
    from rankable
    where region_level = 'township'
    group by indicator_code, period, grain, county_code
),

-- rank 1 = best; ties share the lowest rank (rank())
ranked as (
    select
        indicator_code,
        region_code,
        period,
        grain,
        rank() over (
            partition by indicator_code, period, grain, region_level
            order by value * case when higher_is = 'better' then -1 else 1 end
        ) as rank_in_level,
        rank() over (
            partition by indicator_code, period, grain, region_level, county_code
            order by value * case when higher_is = 'better' then -1 else 1 end
        ) as rank_in_county
    from rankable
    where higher_is in ('better', 'worse')
),

nation as (
    select
        indicator_code,
        period,
        grain,
        value,
        is_synthetic
    from observations
    where region_level = 'nation'
),

joined as (
    select
        compared.*,
        nation.value as nation_value,
        nation.is_synthetic as nation_is_synthetic,
        parent.value as county_value,
        parent.is_synthetic as county_is_synthetic,
        level_peers.peers as peers_in_level,
        level_peers.peer_mean as peer_mean_in_level,
        level_peers.peer_median as peer_median_in_level,
        level_peers.is_synthetic as level_peers_are_synthetic,
        county_peers.peers as peers_in_county,
        county_peers.peer_mean as peer_mean_in_county,
        county_peers.peer_median as peer_median_in_county,
        county_peers.is_synthetic as county_peers_are_synthetic,
        ranked.rank_in_level,
        ranked.rank_in_county,
        previous.value as previous_value,
        previous.is_synthetic as previous_is_synthetic,
        previous.is_partial as previous_is_partial,
        previous.is_thin as previous_is_thin,
        five_years_before.value as value_5y_before,
        five_years_before.is_synthetic as five_years_before_is_synthetic,
        five_years_before.is_partial as five_years_before_is_partial,
        five_years_before.is_thin as five_years_before_is_thin
    from compared
    left join nation
        on
            compared.indicator_code = nation.indicator_code
            and compared.period = nation.period
            and compared.grain = nation.grain
    left join observations as parent
        on
            compared.indicator_code = parent.indicator_code
            and compared.county_code = parent.region_code
            and compared.period = parent.period
            and compared.grain = parent.grain
    left join level_peers
        on
            compared.indicator_code = level_peers.indicator_code
            and compared.period = level_peers.period
            and compared.grain = level_peers.grain
            and compared.region_level = level_peers.region_level
    left join county_peers
        on
            compared.indicator_code = county_peers.indicator_code
            and compared.period = county_peers.period
            and compared.grain = county_peers.grain
            and compared.county_code = county_peers.county_code
    left join ranked
        on
            compared.indicator_code = ranked.indicator_code
            and compared.region_code = ranked.region_code
            and compared.period = ranked.period
            and compared.grain = ranked.grain
    -- every grain compares with the same period a year before (YoY for quarters and months)
    left join observations as previous
        on
            compared.indicator_code = previous.indicator_code
            and compared.region_code = previous.region_code
            and compared.grain = previous.grain
            and previous.period = {{ years_before('compared.period', 1) }}
    left join observations as five_years_before
        on
            compared.indicator_code = five_years_before.indicator_code
            and compared.region_code = five_years_before.region_code
            and compared.grain = five_years_before.grain
            and five_years_before.period = {{ years_before('compared.period', 5) }}
),

reasoned as (
    select
        *,
        case
            when higher_is is null or higher_is not in ('better', 'worse')
                then 'higher_is neutral: no better or worse'
            when is_thin then '{{ thin_reason }}'
            when peers_in_level < {{ var('min_peers_for_rank') }}
                then 'fewer than {{ var("min_peers_for_rank") }} peers'
        end as rank_null_reason,
        case
            when region_level <> 'township' then 'not a township'
            when higher_is is null or higher_is not in ('better', 'worse')
                then 'higher_is neutral: no better or worse'
            when is_thin then '{{ thin_reason }}'
            when coalesce(peers_in_county, 0) < {{ var('min_peers_for_rank') }}
                then 'fewer than {{ var("min_peers_for_rank") }} peers'
        end as rank_in_county_null_reason,
        case
            when previous_value is null then 'no value a year before'
            when is_partial or previous_is_partial then 'partial period'
            when is_thin or previous_is_thin then '{{ thin_reason }}'
        end as change_null_reason,
        case
            when value_5y_before is null then 'no value five years before'
            when is_partial or five_years_before_is_partial then 'partial period'
            when is_thin or five_years_before_is_thin then '{{ thin_reason }}'
            when value <= 0 or value_5y_before <= 0 then 'value not positive'
        end as cagr_null_reason
    from joined
),

final as (
    select
        cast(reasoned.indicator_code as string) as indicator_code,
        cast(indicators.name_zh as string) as indicator_name_zh,
        cast(indicators.name_en as string) as indicator_name_en,
        cast(indicators.unit as string) as unit,
        cast(reasoned.higher_is as string) as higher_is,
        cast(reasoned.region_code as string) as region_code,
        cast(reasoned.region_level as string) as region_level,
        cast(regions.name_zh as string) as region_name_zh,
        cast(regions.name_en as string) as region_name_en,
        cast(reasoned.county_code as string) as county_code,
        cast(reasoned.period as date) as period,
        cast(reasoned.grain as string) as grain,
        cast(reasoned.value as double) as value,
        cast(reasoned.count_basis as double) as count_basis,
        cast(reasoned.nation_value as double) as nation_value,
        cast(reasoned.county_value as double) as county_value,
        cast(reasoned.peers_in_level as bigint) as peers_in_level,
        cast(reasoned.peer_mean_in_level as double) as peer_mean_in_level,
        cast(reasoned.peer_median_in_level as double) as peer_median_in_level,
        cast(
            case when reasoned.rank_null_reason is null then reasoned.rank_in_level end as bigint
        ) as rank_in_level,
        cast(case
            when reasoned.rank_null_reason is null
                then {{ percentile_from_rank(
                'reasoned.rank_in_level', 'reasoned.peers_in_level'
            ) }}
        end as double)
            as percentile_in_level,
        cast(reasoned.rank_null_reason as string) as rank_null_reason,
        cast(reasoned.peers_in_county as bigint) as peers_in_county,
        cast(reasoned.peer_mean_in_county as double) as peer_mean_in_county,
        cast(reasoned.peer_median_in_county as double) as peer_median_in_county,
        cast(
            case
                when reasoned.rank_in_county_null_reason is null then reasoned.rank_in_county
            end as bigint
        )
            as rank_in_county,
        cast(case
            when reasoned.rank_in_county_null_reason is null
                then {{ percentile_from_rank(
                'reasoned.rank_in_county', 'reasoned.peers_in_county'
            ) }}
        end as double)
            as percentile_in_county,
        cast(reasoned.rank_in_county_null_reason as string) as rank_in_county_null_reason,
        cast(reasoned.previous_value as double) as previous_value,
        cast(
            case
                when
                    reasoned.change_null_reason is null
                    then reasoned.value - reasoned.previous_value
            end as double
        )
            as change_abs,
        cast(case
            when reasoned.change_null_reason is null
                then {{ percent_change('reasoned.value', 'reasoned.previous_value') }}
        end as double)
            as change_pct,
        cast(coalesce(
            reasoned.change_null_reason,
            case
                when reasoned.previous_value <= 0 then 'previous value not positive: no percentage'
            end
        )
        as string) as change_null_reason,
        cast(reasoned.value_5y_before as double) as value_5y_before,
        cast(case
            when reasoned.cagr_null_reason is null
                then {{ cagr_pct('reasoned.value', 'reasoned.value_5y_before', 5) }}
        end as double)
            as cagr_5y_pct,
        cast(reasoned.cagr_null_reason as string) as cagr_null_reason,
        cast(
            reasoned.is_synthetic
            or coalesce(reasoned.nation_is_synthetic, false)
            or coalesce(reasoned.county_is_synthetic, false)
            or coalesce(reasoned.level_peers_are_synthetic, false)
            or coalesce(reasoned.county_peers_are_synthetic, false)
            or coalesce(reasoned.previous_is_synthetic, false)
            or coalesce(reasoned.five_years_before_is_synthetic, false)
            as boolean
        ) as is_synthetic,
        cast(reasoned.source_id as string) as source_id,
        cast(reasoned.quality_flag as string) as quality_flag
    from reasoned
    inner join indicators on reasoned.indicator_code = indicators.indicator_code
    inner join regions on reasoned.region_code = regions.region_code
)

select * from final
