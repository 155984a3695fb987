-- SEGIS businesses: the sections A-S of every township (and of the county and national sums)
-- add up to the published total (c_cnt); returns the regions where they do not.
with

by_section as (
    select * from {{ ref('int_industry__establishments_by_section') }}
),

totals as (
    select
        region_code,
        period,
        value
    from {{ ref('int_township__segis_indicator_values') }}
    where indicator_code = 'establishments'
),

section_sums as (
    select
        region_code,
        period,
        sum(establishments) as summed,
        count(*) as sections
    from by_section
    group by region_code, period
),

mismatches as (
    select
        totals.*,
        section_sums.summed,
        section_sums.sections
    from totals
    full outer join section_sums
        on
            totals.region_code = section_sums.region_code
            and totals.period = section_sums.period
    where section_sums.summed is distinct from totals.value or section_sums.sections <> 19
)

select * from mismatches
