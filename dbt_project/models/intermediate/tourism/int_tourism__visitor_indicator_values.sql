-- Tourism (domain 5): visitors to the principal recreation spots by county and the nation, per
-- month and per year (觀光署), with per-resident, year-on-year and seasonality figures.
with

months as (
    select * from {{ ref('int_tourism__spot_months') }}
    where rejection_reason is null
),

-- a year the release does not cover in full has no annual figures (see annual_totals)
annual as (
    select * from {{ ref('int_tourism__annual_totals') }}
    where rejection_reason is null and year_is_complete
),

denominators as (
    select * from {{ ref('int_population_denominators') }}
),

region_months as (
    select
        county_code as region_code,
        period,
        year,
        month,
        sum(visitors) as visitors,
        bool_or(is_synthetic) as is_synthetic,
        min(source_id) as source_id
    from months
    group by county_code, period, year, month
    union all
    select
        'TW' as region_code,
        period,
        year,
        month,
        sum(visitors) as visitors,
        bool_or(is_synthetic) as is_synthetic,
        min(source_id) as source_id
    from months
    group by period, year, month
),

region_years as (
    select
        county_code as region_code,
        year,
        sum(visitors) as visitors,
        sum(case when months_reported > 0 then 1 else 0 end) as spot_count,
        bool_or(not adds_up) as has_total_mismatch,
        bool_or(is_synthetic) as is_synthetic,
        min(source_id) as source_id
    from annual
    group by county_code, year
    union all
    select
        'TW' as region_code,
        year,
        sum(visitors) as visitors,
        sum(case when months_reported > 0 then 1 else 0 end) as spot_count,
        bool_or(not adds_up) as has_total_mismatch,
        bool_or(is_synthetic) as is_synthetic,
        min(source_id) as source_id
    from annual
    group by year
),

-- year-on-year over the spots that reported in both months: spots open or closed in between
-- would otherwise count as growth or decline
spot_pairs as (
    select
        this_year.county_code,
        this_year.period,
        this_year.visitors as visitors_now,
        last_year.visitors as visitors_before,
        this_year.is_synthetic or last_year.is_synthetic as is_synthetic,
        this_year.source_id
    from months as this_year
    inner join months as last_year
        on
            this_year.county_code = last_year.county_code
            and this_year.spot_type = last_year.spot_type
            and this_year.spot_key = last_year.spot_key
            and last_year.year = this_year.year - 1
            and this_year.month = last_year.month
    where this_year.visitors is not null and last_year.visitors is not null
),

region_yoy as (
    select
        county_code as region_code,
        period,
        sum(visitors_now) as visitors_now,
        sum(visitors_before) as visitors_before,
        bool_or(is_synthetic) as is_synthetic,
        min(source_id) as source_id
    from spot_pairs
    group by county_code, period
    union all
    select
        'TW' as region_code,
        period,
        sum(visitors_now) as visitors_now,
        sum(visitors_before) as visitors_before,
        bool_or(is_synthetic) as is_synthetic,
        min(source_id) as source_id
    from spot_pairs
    group by period
),

-- share of the peak month, over years whose twelve months all have a count
region_seasonality as (
    select
        region_code,
        year,
        {{ safe_divide('max(visitors)', 'sum(visitors)') }} * 100 as peak_month_share
    from region_months
    group by region_code, year
    having count(visitors) = 12
),

yearly as (
    select
        region_years.*,
        {{ year_start('region_years.year') }} as period,
        denominators.pop_total,
        region_seasonality.peak_month_share
    from region_years
    left join denominators
        on
            region_years.region_code = denominators.region_code
            and denominators.period = {{ year_start('region_years.year') }}
    left join region_seasonality
        on
            region_years.region_code = region_seasonality.region_code
            and region_years.year = region_seasonality.year
),

monthly_values as (
    select
        'spot_visitors' as indicator_code,
        region_code,
        period,
        cast(visitors as double) as value,
        is_synthetic,
        source_id,
        false as has_total_mismatch
    from region_months
    where visitors is not null
    union all
    select
        'spot_visitors_yoy' as indicator_code,
        region_code,
        period,
        ({{ safe_divide('visitors_now', 'visitors_before') }} - 1) * 100 as value,
        is_synthetic,
        source_id,
        false as has_total_mismatch
    from region_yoy
    where visitors_before > 0
),

yearly_values as (
    select
        'spot_visitors' as indicator_code,
        region_code,
        period,
        cast(visitors as double) as value,
        is_synthetic,
        source_id,
        has_total_mismatch
    from yearly
    where visitors is not null
    union all
    select
        'spot_count' as indicator_code,
        region_code,
        period,
        cast(spot_count as double) as value,
        is_synthetic,
        source_id,
        false as has_total_mismatch
    from yearly
    union all
    select
        'visitors_per_resident' as indicator_code,
        region_code,
        period,
        {{ safe_divide('visitors', 'pop_total') }} as value,
        is_synthetic,
        source_id,
        has_total_mismatch
    from yearly
    where visitors is not null and pop_total > 0
    union all
    select
        'visitor_seasonality' as indicator_code,
        region_code,
        period,
        peak_month_share as value,
        is_synthetic,
        source_id,
        false as has_total_mismatch
    from yearly
    where peak_month_share is not null
),

unioned as (
    select
        indicator_code,
        region_code,
        period,
        'month' as grain,
        cast(null as string) as scenario,
        value,
        is_synthetic,
        source_id,
        has_total_mismatch
    from monthly_values
    union all
    select
        indicator_code,
        region_code,
        period,
        'year' as grain,
        cast(null as string) as scenario,
        value,
        is_synthetic,
        source_id,
        has_total_mismatch
    from yearly_values
),

final as (
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
            when has_total_mismatch then 'source_total_mismatch'
        end as quality_flag
    from unioned
)

select * from final
