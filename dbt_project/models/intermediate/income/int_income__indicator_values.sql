-- FIA income indicators in the nine columns of fct_indicator_value: the accepted cells and
-- the 2024 county remainders. 2024 is FIA's preliminary release (quality_flag preliminary);
-- values of an unplaced pseudo-region carry unplaced_remainder.
with

cells as (
    select * from {{ ref('int_income__cells_checked') }}
    where rejection_reason is null
),

county_remainders as (
    select * from {{ ref('int_income__county_remainders') }}
    where rejection_reason is null
),

unioned as (
    select
        indicator_code,
        region_code,
        period,
        value,
        is_unplaced_remainder,
        release_status,
        is_synthetic,
        source_id
    from cells
    union all
    select
        indicator_code,
        region_code,
        period,
        value,
        true as is_unplaced_remainder,
        release_status,
        is_synthetic,
        source_id
    from county_remainders
),

final as (
    select
        indicator_code,
        region_code,
        period,
        'year' as grain,
        cast(null as string) as scenario,
        value,
        is_synthetic,
        source_id,
        case
            when is_synthetic then 'synthetic'
            when release_status = 'preliminary' and is_unplaced_remainder
                then 'preliminary_unplaced_remainder'
            when release_status = 'preliminary' then 'preliminary'
            when is_unplaced_remainder then 'unplaced_remainder'
        end as quality_flag
    from unioned
)

select * from final
