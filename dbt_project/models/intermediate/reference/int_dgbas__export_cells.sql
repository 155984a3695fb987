{{ config(materialized='table') }}
-- Every cell of every DGBAS export, under the newest export's indicator name (renames seed),
-- checked against the previous export where the export has a known defect (defects seed: a
-- cell there is accepted only if the previous export holds the same text). release_rank 1 is
-- the newest export holding the accepted cell: its figure is current, older ones are history.
-- An indicator missing from an export (25-1 of 2020 is empty) keeps the previous export's.
with

export_2016 as (
    select * from {{ ref('stg_dgbas__county_indicators') }}
),

export_2020 as (
    select * from {{ ref('stg_dgbas__county_indicators_2020') }}
),

renames as (
    select * from {{ ref('dgbas_indicator_renames') }}
),

defects as (
    select * from {{ ref('dgbas_export_defects') }}
),

exports as (
    {{ union_all_by_name({
        'export_2016': ref('stg_dgbas__county_indicators'),
        'export_2020': ref('stg_dgbas__county_indicators_2020'),
    }) }}
),

named as (
    select
        exports.category,
        exports.year,
        exports.region_name,
        exports.value,
        exports.value_text,
        exports.export_created,
        exports.source_id,
        exports.raw_sha256,
        exports.is_synthetic,
        exports.indicator_zh as indicator_zh_published,
        coalesce(renames.indicator_zh, exports.indicator_zh) as indicator_zh
    from exports
    left join renames
        on
            exports.indicator_zh = renames.indicator_zh_published
            and exports.source_id = renames.source_id
),

with_previous as (
    select
        *,
        lag(source_id) over cell as previous_source_id,
        lag(value_text) over cell as previous_value_text
    from named
    window cell as (partition by indicator_zh, region_name, year order by export_created)
),

checked as (
    select
        with_previous.*,
        case
            when defects.defect is null then null
            when with_previous.previous_source_id is null
                then defects.defect || '; not in an earlier export, so it cannot be checked'
            -- in brackets: sqlfluff 4.4 (duckdb) cannot parse `when a is distinct from b then`
            when (with_previous.value_text is distinct from with_previous.previous_value_text)
                then
                    defects.defect || '; differs from ' || with_previous.previous_source_id
                    || ' (' || with_previous.previous_value_text || '), whose figure is kept'
        end as rejection_reason
    from with_previous
    left join defects
        on
            with_previous.source_id = defects.source_id
            and with_previous.category = defects.category
            and with_previous.year = defects.year
),

ranked as (
    select
        *,
        case when rejection_reason is null then row_number() over (
            partition by indicator_zh, region_name, year, rejection_reason is null
            order by export_created desc
        ) end as release_rank
    from checked
)

select * from ranked
