-- Real-estate indicators (town domain) by township and county and transaction quarter, long:
-- sales, pre-sales (預售屋) and rentals. A quarter whose own and next publication seasons are
-- not both loaded whole, or holding rows of a 10-day release or a subset, is not the quarter's
-- market: flagged partial_period.
with

measures as (
    select * from {{ ref('int_real_estate__quarterly_measures') }}
),

presale_rent as (
    select * from {{ ref('int_real_estate__presale_rent_quarterly') }}
),

{% set sales_indicators = {
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
    're_special_relationship_sales': 'special_relationship_sales',
} %}
{% set presale_rent_indicators = [
    ('re_presale_transactions', 'presale', 'transactions'),
    ('re_presale_median_unit_price_m2', 'presale', 'median_unit_price_ntd_per_m2'),
    ('re_rent_transactions', 'rent', 'transactions'),
    ('re_median_rent_m2', 'rent', 'median_unit_price_ntd_per_m2'),
    ('re_presale_special_relationship', 'presale', 'special_relationship_records'),
    ('re_rent_special_relationship', 'rent', 'special_relationship_records'),
] %}
{% set quality_flag %}
        case
            when is_synthetic then 'synthetic'
            when not is_complete or coverage <> 'season' then 'partial_period'
        end as quality_flag
{% endset %}

long as (
    {% for code, column in sales_indicators.items() %}
        select
            '{{ code }}' as indicator_code,
            region_code,
            quarter as period,
            'quarter' as grain,
            cast(null as string) as scenario,
            cast({{ column }} as double) as value,
            is_synthetic,
            source_id,
            {{ quality_flag }}
        from measures
        where {{ column }} is not null
        union all
    {% endfor %}
    {% for code, market, column in presale_rent_indicators %}
        select
            '{{ code }}' as indicator_code,
            region_code,
            quarter as period,
            'quarter' as grain,
            cast(null as string) as scenario,
            cast({{ column }} as double) as value,
            is_synthetic,
            source_id,
            {{ quality_flag }}
        from presale_rent
        where market = '{{ market }}' and {{ column }} is not null
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from long
