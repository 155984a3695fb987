-- NDC's national five-year age x sex bands (中華民國人口推估, 1992-2075) in the shared age-band
-- shape. Observed years are identical in every scenario and are kept once, as observed
-- (scenario null), exactly as int_population__counts_unioned keeps the totals, so the bands
-- add up to the published pop_total. Rejected cells (and the rest of their scenario and year)
-- are quarantined upstream; a placeholder cell ('…', '-', empty) has no number and no band.
with

projection as (
    select * from {{ ref('int_population__projection_checked') }}
    where rejection_reason is null and persons is not null
),

bands as (
    select
        'TW' as region_code,
        {{ year_start('year') }} as period,
        'year' as grain,
        case when is_projection then scenario end as scenario,
        sex,
        -- '100歲以上' is the open top band
        case
            when age_from >= 100 then cast(age_from as string) || '+'
            else cast(age_from as string) || '-' || cast(age_from + 4 as string)
        end as age_band,
        age_from,
        case when age_from < 100 then age_from + 4 end as age_to,
        cast(persons as bigint) as population,
        is_synthetic,
        source_id,
        case when is_synthetic then 'synthetic' end as quality_flag
    from projection
    where is_projection or scenario = 'medium'
)

select * from bands
