-- Five-year age bands by sex per township (ODRP014 aggregated to townships, 2026-06), the
-- last band open (100+). Shared interface: one row per region, period, grain, scenario, sex
-- and age band; the bands of a township add up to its pop_total (tested). A township with a
-- rejected cell is withheld whole (int_township__cells_checked), so no partial set is published.
with

cells as (
    select * from {{ ref('int_township__cells_checked') }}
),

bands as (
    select
        region_code,
        period,
        grain,
        cast(null as string) as scenario,
        sex,
        case when age_to is null then age_from || '+' else age_from || '-' || age_to end
            as age_band,
        age_from,
        age_to,
        cast(value as bigint) as population,
        is_synthetic,
        source_id,
        case when is_synthetic then 'synthetic' end as quality_flag
    from cells
    where
        rejection_reason is null and source_id = 'moi_township_age'
        and indicator_code = 'population_band'
)

select * from bands
