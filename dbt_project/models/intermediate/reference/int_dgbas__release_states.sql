-- The accepted state of every DGBAS cell in every export that holds it, with its region code:
-- value null where the export holds a PX placeholder (no data). release_rank 1 is the current
-- export's state; the others are what earlier exports said (kept as history). 總計 is the
-- nation (TW); 臺灣地區 (Taiwan area, without 金門 and 連江) is the area TW-TA, never the nation.
with

cells as (
    select * from {{ ref('int_dgbas__export_cells') }}
),

region_names as (
    select * from {{ ref('int_region_names') }}
),

coded as (
    select
        cells.category,
        cells.indicator_zh,
        region_names.region_code,
        region_names.region_level,
        cells.year,
        {{ year_start('cells.year') }} as period,
        cells.value,
        cells.release_rank,
        cells.export_created,
        cells.source_id,
        cells.raw_sha256,
        cells.is_synthetic
    from cells
    inner join region_names
        on
            cells.region_name = region_names.lookup_name
            and region_names.region_level in ('nation', 'area', 'county')
    where cells.rejection_reason is null
)

select * from coded
