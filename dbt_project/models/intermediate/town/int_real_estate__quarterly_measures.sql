-- The quarterly sales measures with what needs neighbouring quarters: the price per 坪, the
-- year-on-year change of the median (null, with its reason, where either quarter has too few
-- priced sales), and whether the quarter is complete yet.
{% set thin_sales_reason = 'fewer than ' ~ var('min_count_basis')
    ~ ' priced sales in the quarter or the same quarter a year before' %}
with

quarterly as (
    select * from {{ ref('int_real_estate__quarterly') }}
),

files as (
    select * from {{ ref('stg_lvr__files') }}
),

loaded_seasons as (
    -- only whole seasons: a 10-day release or a subset completes no quarter
    select distinct season_start from files
    where coverage = 'season'
),

measured as (
    select
        this_year.region_code,
        this_year.region_level,
        this_year.transaction_quarter as quarter,
        this_year.transactions,
        this_year.transactions_land,
        this_year.transactions_building,
        this_year.transactions_land_building,
        this_year.transactions_parking,
        this_year.transaction_value_ntd,
        this_year.median_total_price_ntd,
        this_year.median_unit_price_ntd_per_m2,
        -- 1 坪 = 400/121 m²
        this_year.median_unit_price_ntd_per_m2 * 400.0 / 121.0 as median_unit_price_ntd_per_ping,
        -- no change from thin data: one price against one published +1,004 %
        case
            when
                not (
                    {{ is_thin_count('this_year.unit_prices_counted') }}
                    or {{ is_thin_count('last_year.unit_prices_counted') }}
                )
                then {{ percent_change(
                'this_year.median_unit_price_ntd_per_m2', 'last_year.median_unit_price_ntd_per_m2'
            ) }}
        end as median_unit_price_yoy_pct,
        case
            when last_year.region_code is null then 'no sales in the same quarter a year before'
            when
                {{ is_thin_count('this_year.unit_prices_counted') }}
                or {{ is_thin_count('last_year.unit_prices_counted') }}
                then '{{ thin_sales_reason }}'
        end as median_unit_price_yoy_null_reason,
        this_year.unit_prices_counted,
        this_year.special_relationship_sales,
        -- the publication seasons a transaction quarter's sales appear in: its own, and the
        -- next (registration is due within 30 days of the transfer; stragglers come later)
        own_loaded.season_start is not null and next_loaded.season_start is not null as is_complete,
        this_year.is_synthetic,
        this_year.coverage,
        this_year.source_id
    from quarterly as this_year
    left join quarterly as last_year
        on
            this_year.region_code = last_year.region_code
            and last_year.transaction_quarter
            = {{ years_before('this_year.transaction_quarter', 1) }}
    left join
        loaded_seasons as own_loaded
        on this_year.transaction_quarter = own_loaded.season_start
    left join loaded_seasons as next_loaded
        on next_loaded.season_start = {{ period_end('this_year.transaction_quarter', "'quarter'") }}
)

select * from measured
