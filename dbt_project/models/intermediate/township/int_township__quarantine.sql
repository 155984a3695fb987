-- Township cells rejected on their way to the marts, with the reason (published through
-- fct_quarantined_row).
with

cells as (
    select * from {{ ref('int_township__cells_checked') }}
),

quarantined as (
    select source_id, raw_sha256, record, rejection_reason as reason
    from cells
    where rejection_reason is not null
)

select * from quarantined
