-- The five-year bands of every township add up to its published total, by sex and in all
-- (moi_township_age); returns the townships where they do not.
with

bands as (
    select * from {{ ref('int_population__age_sex_bands__moi_township_age') }}
),

totals as (
    select
        region_code,
        period,
        indicator_code,
        value
    from {{ ref('int_township__cells_checked') }}
    where
        source_id = 'moi_township_age' and rejection_reason is null
        and indicator_code in ('pop_total', 'pop_male', 'pop_female')
),

band_sums as (
    select
        region_code,
        period,
        'pop_total' as indicator_code,
        sum(population) as banded
    from bands
    group by region_code, period
    union all
    select
        region_code,
        period,
        'pop_' || sex as indicator_code,
        sum(population) as banded
    from bands
    group by region_code, period, sex
),

mismatches as (
    select
        totals.*,
        band_sums.banded
    from totals
    full outer join band_sums
        on
            totals.region_code = band_sums.region_code
            and totals.period = band_sums.period
            and totals.indicator_code = band_sums.indicator_code
    where band_sums.banded is distinct from totals.value
)

select * from mismatches
