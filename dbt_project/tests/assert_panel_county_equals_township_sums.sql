-- Reconciliation (warn): the mirror's county table (panel_county) against our county sums of
-- its township table; they agreed cell by cell when bundled. Returns disagreeing cells.
{{ config(severity='warn') }}
with

cells as (
    select * from {{ ref('int_township__cells_checked') }}
    where source_id = 'township_panel_mirror' and rejection_reason is null
),

counties as (
    select
        region_code,
        period,
        indicator_code,
        value
    from cells
    where region_level = 'county'
),

townships as (
    select
        region_code,
        period,
        grain,
        source_id,
        is_synthetic,
        indicator_code,
        value
    from cells
    where region_level = 'township'
),

sums as (
    {{ complete_township_sums('townships', ['indicator_code']) }}
),

disagreements as (
    select
        counties.*,
        sums.value as township_sum
    from counties
    left join sums
        on
            counties.region_code = sums.region_code
            and counties.period = sums.period
            and counties.indicator_code = sums.indicator_code
    where abs(sums.value - counties.value) > 1e-6 or sums.value is null
)

select * from disagreements
