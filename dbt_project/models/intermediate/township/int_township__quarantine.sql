-- Township cells rejected on their way to the marts, with the reason (published through
-- fct_quarantined_row).
with

cells as (
    select * from {{ ref('int_township__cells_checked') }}
),

quarantined as (
    {{ rejected_rows('cells') }}
)

select * from quarantined
