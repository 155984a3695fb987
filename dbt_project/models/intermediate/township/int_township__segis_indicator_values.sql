-- SEGIS 2021-06 township counts as indicators (industry: businesses in total and by section;
-- welfare: care points, medical and nursing institutions and beds, low-income and
-- middle-low-income households and persons), with county and national sums where every
-- township has a value (flagged as aggregates: no published county figure of that month).
with

cells as (
    select * from {{ ref('int_township__cells_checked') }}
),

by_section as (
    select * from {{ ref('int_industry__establishments_by_section') }}
),

totals as (
    select
        indicator_code,
        region_code,
        period,
        grain,
        value,
        is_synthetic,
        source_id
    from cells
    where
        rejection_reason is null and source_id in ('segis_poi_town', 'segis_low_income_town')
        and section is null
),

total_sums as (
    {{ complete_township_sums('totals', ['indicator_code']) }}
),

unioned as (
    select
        indicator_code,
        region_code,
        period,
        grain,
        cast(null as string) as scenario,
        value,
        is_synthetic,
        source_id,
        case when is_synthetic then 'synthetic' end as quality_flag
    from totals
    union all
    select
        indicator_code,
        region_code,
        period,
        grain,
        cast(null as string) as scenario,
        value,
        is_synthetic,
        source_id,
        case when is_synthetic then 'synthetic' else 'aggregated_from_lower_level' end
            as quality_flag
    from total_sums
    union all
    select
        'establishments_section_' || lower(section) as indicator_code,
        region_code,
        period,
        grain,
        cast(null as string) as scenario,
        cast(establishments as double) as value,
        is_synthetic,
        source_id,
        quality_flag
    from by_section
)

select * from unioned
