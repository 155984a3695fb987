-- Each spot-year's months against the 合計 the publisher printed beside them.
with

months as (
    select * from {{ ref('int_tourism__spot_months') }}
),

totals as (
    select
        year,
        county_code,
        county_name,
        spot_type,
        recreation_area,
        spot_key,
        spot_name,
        raw_sha256,
        source_id,
        is_synthetic,
        rejection_reason,
        -- a spot-year with every month blank has no sum (and, in the file, an empty 合計)
        sum(visitors) as visitors,
        count(visitors) as months_reported,
        max(reported_annual_total) as reported_annual_total
    from months
    group by year, county_code, county_name, spot_type, recreation_area, spot_key, spot_name,
        raw_sha256, source_id, is_synthetic, rejection_reason
),

compared as (
    select
        *,
        -- blank months count as nothing; a blank 合計 never adds up (as reconcile_annual_totals)
        coalesce(coalesce(visitors, 0) = reported_annual_total, false) as adds_up
    from totals
)

select * from compared
