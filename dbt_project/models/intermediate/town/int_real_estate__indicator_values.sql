-- Real-estate indicators (town domain) by township and county and transaction quarter, long.
-- A quarter whose own and next publication seasons are not both loaded is still filling up:
-- flagged partial_period.
with

measures as (
    select * from {{ ref('int_real_estate__quarterly_measures') }}
),

{% set indicators = {
    're_transactions': 'transactions',
    're_transactions_land': 'transactions_land',
    're_transactions_building': 'transactions_building',
    're_transactions_land_building': 'transactions_land_building',
    're_transactions_parking': 'transactions_parking',
    're_transaction_value': 'transaction_value_ntd',
    're_median_total_price': 'median_total_price_ntd',
    're_median_unit_price_m2': 'median_unit_price_ntd_per_m2',
    're_median_unit_price_ping': 'median_unit_price_ntd_per_ping',
    're_median_unit_price_yoy': 'median_unit_price_yoy_pct',
    're_priced_sales': 'unit_prices_counted',
} %}

long as (
    {% for code, column in indicators.items() %}
    select
        '{{ code }}' as indicator_code,
        region_code,
        quarter as period,
        'quarter' as grain,
        cast(null as varchar) as scenario,
        cast({{ column }} as double) as value,
        is_synthetic,
        source_id,
        case
            when is_synthetic then 'synthetic'
            when not is_complete then 'partial_period'
        end as quality_flag
    from measures
    where {{ column }} is not null
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from long
