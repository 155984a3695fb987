-- The current DGBAS county-indicator values (the newest export's accepted figure of each cell)
-- with region code, unit and definition; cells whose current state is a PX placeholder (no
-- data) are left out. Unit and definition come from the newest export whose notes give a unit
-- (the 2020 export's notes on 扶養比 and 老化指數 name none).
with

states as (
    select * from {{ ref('int_dgbas__release_states') }}
),

notes_2016 as (
    select * from {{ ref('stg_dgbas__county_indicator_notes') }}
),

notes_2020 as (
    select * from {{ ref('stg_dgbas__county_indicator_notes_2020') }}
),

renames as (
    select * from {{ ref('dgbas_indicator_renames') }}
),

export_dates as (
    select distinct
        source_id,
        export_created
    from states
),

notes_unioned as (
    {{ union_all_by_name({
        'notes_2016': ref('stg_dgbas__county_indicator_notes'),
        'notes_2020': ref('stg_dgbas__county_indicator_notes_2020'),
    }) }}
),

notes as (
    select
        coalesce(renames.indicator_zh, notes_unioned.indicator_zh) as indicator_zh,
        notes_unioned.unit,
        notes_unioned.definition
    from notes_unioned
    inner join export_dates on notes_unioned.source_id = export_dates.source_id
    left join renames
        on
            notes_unioned.indicator_zh = renames.indicator_zh_published
            and notes_unioned.source_id = renames.source_id
    where notes_unioned.unit is not null
    qualify row_number() over (
        partition by coalesce(renames.indicator_zh, notes_unioned.indicator_zh)
        order by export_dates.export_created desc
    ) = 1
),

coded as (
    select
        states.category,
        states.indicator_zh,
        states.region_code,
        states.region_level,
        states.year,
        states.period,
        states.value,
        notes.unit,
        notes.definition,
        states.export_created,
        states.source_id,
        states.raw_sha256,
        states.is_synthetic
    from states
    inner join notes on states.indicator_zh = notes.indicator_zh
    where states.release_rank = 1 and states.value is not null
)

select * from coded
