-- Welfare and labour rows rejected on their way to the marts, with the reason (published
-- through fct_quarantined_row).
with

labour_panel as (
    select * from {{ ref('int_welfare__labour_panel_checked') }}
),

quarantined as (
    select source_id, raw_sha256, record, rejection_reason as reason
    from labour_panel
    where rejection_reason is not null
)

select * from quarantined
