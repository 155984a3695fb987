-- Tourism spot-years rejected on their way to the marts (a 縣市別 that names no county, every
-- month blank), one row per spot and year, with the reason; published through
-- fct_quarantined_row.
with

totals as (
    select
        *,
        'year=' || cast(year as string) || '; 縣市別=' || coalesce(county_name, '')
        || '; 類型=' || coalesce(spot_type, '') || '; 細分=' || coalesce(spot_name, '')
        || '; 合計=' || coalesce(cast(reported_annual_total as string), '') as record
    from {{ ref('int_tourism__annual_totals') }}
),

quarantined as (
    {{ rejected_rows('totals') }}
)

select * from quarantined
