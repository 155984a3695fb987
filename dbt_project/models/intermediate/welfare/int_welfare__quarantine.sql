-- Welfare and labour rows rejected on their way to the marts, with the reason (published
-- through fct_quarantined_row).
with

labour_panel as (
    select * from {{ ref('int_welfare__labour_panel_checked') }}
),

quarantined as (
    {{ rejected_rows('labour_panel') }}
)

select * from quarantined
