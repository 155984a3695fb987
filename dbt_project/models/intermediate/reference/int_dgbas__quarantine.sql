-- DGBAS export cells rejected as a known defect of their export (the 2020 export's shuffled
-- 2002 welfare values), with the cell as published; published through fct_quarantined_row.
with

cells as (
    select
        *,
        'category=' || category || '; 指標=' || indicator_zh_published || '; year='
        || cast(year as string) || '; 縣市=' || region_name || '; value=' || value_text
            as record
    from {{ ref('int_dgbas__export_cells') }}
),

quarantined as (
    {{ rejected_rows('cells') }}
)

select * from quarantined
