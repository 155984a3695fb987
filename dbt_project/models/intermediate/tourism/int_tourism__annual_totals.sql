-- Each spot-year's months against the 合計 the publisher printed beside them, and whether
-- the release covers the whole year: the file is re-issued as months are added, and the
-- bundled release stops at 2021-10, where every spot's November and December are blank and
-- its 合計 is the sum of ten months. Annual figures of a year the release does not cover in
-- full are withheld downstream (the months themselves are published). A spot-year with every
-- month blank is rejected (quarantined with its 合計).
with

months as (
    select * from {{ ref('int_tourism__spot_months') }}
),

months_in_release as (
    -- a month counts as released when any spot in the country has a count for it
    select
        year,
        count(distinct case when visitors is not null then month end) as months_released
    from months
    group by year
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
    group by
        year, county_code, county_name, spot_type, recreation_area, spot_key, spot_name,
        raw_sha256, source_id, is_synthetic, rejection_reason
),

compared as (
    select
        {{ star_except('totals', ['rejection_reason']) }},
        -- a spot-year with every month blank carries no figure at all: quarantined, so that
        -- every row of the file is published or accounted for with a reason
        coalesce(totals.rejection_reason, case
            when totals.months_reported = 0
                then
                    'every month blank (合計 '
                    || coalesce(cast(totals.reported_annual_total as string), 'blank')
                    || ')'
        end) as rejection_reason,
        -- blank months count as nothing; a blank 合計 never adds up (as reconcile_annual_totals)
        coalesce(coalesce(totals.visitors, 0) = totals.reported_annual_total, false) as adds_up,
        months_in_release.months_released = 12 as year_is_complete
    from totals
    inner join months_in_release on totals.year = months_in_release.year
)

select * from compared
