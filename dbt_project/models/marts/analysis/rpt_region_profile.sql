-- Published: the region page. One row per county or township and indicator, at the
-- indicator's latest period with a real (non-synthetic) value for that region, with the
-- comparison columns of fct_indicator_comparison. Latest = the period that ends last; where a
-- year and a shorter period end together (a year and its December), the year is shown.
with

indicator_values as (
    select * from {{ ref('fct_indicator_value') }}
    where scenario is null and not is_synthetic
),

comparison as (
    select * from {{ ref('fct_indicator_comparison') }}
),

indicators as (
    select * from {{ ref('dim_indicator') }}
),

latest_real as (
    select
        region_code,
        indicator_code,
        period,
        grain,
        row_number() over (
            partition by region_code, indicator_code
            order by
                {{ period_end('period', 'grain') }} desc,
                case grain
                    when 'year' then 1 when 'twelve_months' then 2 when 'quarter' then 3
                    else 4
                end
        ) as recency
    from indicator_values
),

final as (
    select
        comparison.region_code,
        comparison.region_level,
        comparison.region_name_zh,
        comparison.region_name_en,
        comparison.county_code,
        cast(indicators.domain as string) as domain,
        comparison.indicator_code,
        comparison.indicator_name_zh,
        comparison.indicator_name_en,
        comparison.unit,
        comparison.higher_is,
        comparison.period,
        comparison.grain,
        comparison.value,
        comparison.nation_value,
        comparison.county_value,
        comparison.peers_in_level,
        comparison.peer_mean_in_level,
        comparison.peer_median_in_level,
        comparison.rank_in_level,
        comparison.percentile_in_level,
        comparison.rank_null_reason,
        comparison.peers_in_county,
        comparison.rank_in_county,
        comparison.percentile_in_county,
        comparison.rank_in_county_null_reason,
        comparison.previous_value,
        comparison.change_abs,
        comparison.change_pct,
        comparison.change_null_reason,
        comparison.cagr_5y_pct,
        comparison.cagr_null_reason,
        comparison.source_id,
        comparison.quality_flag,
        comparison.is_synthetic
    from latest_real
    inner join comparison
        on
            latest_real.region_code = comparison.region_code
            and latest_real.indicator_code = comparison.indicator_code
            and latest_real.period = comparison.period
            and latest_real.grain = comparison.grain
    inner join indicators on comparison.indicator_code = indicators.indicator_code
    where latest_real.recency = 1
)

select * from final
