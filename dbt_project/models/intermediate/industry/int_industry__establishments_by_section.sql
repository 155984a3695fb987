-- Businesses (SEGIS 工商業家數, 2021-06) by township and industry section (行業標準分類 大類
-- A-S), with county and national sums (every township present; flagged as aggregates).
-- Shared interface: region_code, period, grain, section, establishments, is_synthetic,
-- source_id, quality_flag.
with

cells as (
    select * from {{ ref('int_township__cells_checked') }}
),

townships as (
    select
        region_code,
        period,
        grain,
        section,
        value,
        is_synthetic,
        source_id
    from cells
    where rejection_reason is null and indicator_code = 'establishments' and section is not null
),

sums as (
    {{ complete_township_sums('townships', ['section']) }}
),

unioned as (
    select
        region_code,
        period,
        grain,
        section,
        cast(value as bigint) as establishments,
        is_synthetic,
        source_id,
        case when is_synthetic then 'synthetic' end as quality_flag
    from townships
    union all
    select
        region_code,
        period,
        grain,
        section,
        cast(value as bigint) as establishments,
        is_synthetic,
        source_id,
        case when is_synthetic then 'synthetic' else 'aggregated_from_lower_level' end
            as quality_flag
    from sums
)

select * from unioned
