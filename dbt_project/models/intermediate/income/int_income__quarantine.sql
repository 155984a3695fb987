-- FIA income cells rejected on their way to the marts, one record per published row and
-- reason (the row's names or code and its rejected cells as published), plus negative 2024
-- county remainders. Published through fct_quarantined_row.
with

cells as (
    select * from {{ ref('int_income__cells_checked') }}
    where rejection_reason is not null
),

county_remainders as (
    select
        *,
        'county=' || county_code || '; period=' || period || '; indicator=' || indicator_code
        || '; county row=' || county_value || '; townships=' || townships_value as record
    from {{ ref('int_income__county_remainders') }}
),

rejected_cells as (
    select
        source_id,
        raw_sha256,
        published_row
        || '; '
        || {{ ordered_string_agg('published_cell', "'; '", 'published_cell') }}
            as record,
        rejection_reason as reason
    from cells
    group by source_id, raw_sha256, published_row, rejection_reason
),

rejected_remainders as (
    {{ rejected_rows('county_remainders') }}
),

unioned as (
    select * from rejected_cells
    union all
    select * from rejected_remainders
)

select * from unioned
