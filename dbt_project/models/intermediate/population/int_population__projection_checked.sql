-- Every cell of the NDC projection (scenario, sex, age group, year), or why it is rejected.
-- A placeholder ('…', '-' or an empty cell) is accepted as null; any other text where a count
-- belongs rejects the cell (it used to load as a silent null). The national totals sum every
-- sex and age group of a scenario and year, so one rejected cell withholds the others of its
-- scenario and year too: a total short of one group would be published as if whole.
-- Rejected rows go to int_population__quarantine: none is dropped silently.
with

projection as (
    select * from {{ ref('stg_ndc__population_projection') }}
),

cells as (
    select
        *,
        case
            when persons is null and trim(coalesce(persons_text, '')) not in ('…', '-', '')
                then 'number does not parse (persons)'
            when persons < 0 then 'negative count (persons)'
        end as cell_problem
    from projection
),

grouped as (
    select
        *,
        count(cell_problem) over (partition by source_id, scenario, year) > 0
            as year_has_rejected_cell
    from cells
),

checked as (
    select
        scenario,
        sex,
        age_from,
        year,
        persons,
        is_projection,
        source_id,
        raw_sha256,
        is_synthetic,
        'scenario=' || coalesce(scenario, 'null')
        || '; sex=' || coalesce(sex, 'null')
        || '; age_from=' || coalesce(cast(age_from as string), 'null')
        || '; year=' || coalesce(cast(year as string), 'null')
        || '; persons=' || coalesce(persons_text, 'null') as record,
        case
            when cell_problem is not null then cell_problem
            when year_has_rejected_cell
                then 'withheld: another cell of the same scenario and year is rejected'
        end as rejection_reason
    from grouped
)

select * from checked
