-- Published: 實價登錄 sales by transaction quarter, one row per township or county and quarter.
with

measures as (
    select * from {{ ref('int_real_estate__quarterly_measures') }}
),

final as (
    select
        cast(region_code as string) as region_code,
        cast(region_level as string) as region_level,
        cast(quarter as date) as quarter,
        cast(transactions as bigint) as transactions,
        cast(transactions_land as bigint) as transactions_land,
        cast(transactions_building as bigint) as transactions_building,
        cast(transactions_land_building as bigint) as transactions_land_building,
        cast(transactions_parking as bigint) as transactions_parking,
        cast(transaction_value_ntd as double) as transaction_value_ntd,
        cast(median_total_price_ntd as double) as median_total_price_ntd,
        cast(median_unit_price_ntd_per_m2 as double) as median_unit_price_ntd_per_m2,
        cast(median_unit_price_ntd_per_ping as double) as median_unit_price_ntd_per_ping,
        cast(median_unit_price_yoy_pct as double) as median_unit_price_yoy_pct,
        cast(median_unit_price_yoy_null_reason as string) as median_unit_price_yoy_null_reason,
        cast(unit_prices_counted as bigint) as unit_prices_counted,
        cast(special_relationship_sales as bigint) as special_relationship_sales,
        cast(is_complete as boolean) as is_complete,
        cast(is_synthetic as boolean) as is_synthetic,
        cast(source_id as string) as source_id,
        cast(coverage as string) as coverage
    from measures
)

select * from final
