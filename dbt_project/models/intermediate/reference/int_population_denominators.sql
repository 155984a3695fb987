-- Denominators of the per-capita indicators, from the published population values: year-end
-- pop_total and pop_65plus, and 年度中人口數 as DGBAS defines it since 2001 ((previous year-end +
-- this year-end) / 2), the denominator of its per-capita money figures.
with

population as (
    select * from {{ ref('int_population__indicator_values') }}
),

year_end as (
    select
        region_code,
        period,
        {{ pivot_indicators(['pop_total', 'pop_65plus']) }},
        bool_or(is_synthetic) as is_synthetic
    from population
    where grain = 'year' and scenario is null and indicator_code in ('pop_total', 'pop_65plus')
    group by region_code, period
),

with_mid_year as (
    select
        this_year.region_code,
        this_year.period,
        this_year.pop_total,
        this_year.pop_65plus,
        (this_year.pop_total + last_year.pop_total) / 2 as pop_mid_year,
        this_year.is_synthetic or coalesce(last_year.is_synthetic, false) as is_synthetic
    from year_end as this_year
    left join year_end as last_year
        on
            this_year.region_code = last_year.region_code
            and last_year.period = {{ years_before('this_year.period', 1) }}
)

select * from with_mid_year
