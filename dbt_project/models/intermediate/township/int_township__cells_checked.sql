-- Every cell of the township releases (mirror tables and SEGIS) with the region it names, or
-- why it is rejected. Townships without a code are matched on county + township name (names
-- repeat across counties); coded files must name the township their code says. Rejected cells
-- go to int_township__quarantine: none is dropped silently. In the age file and the SEGIS
-- business file the parts must add up to the township's total, so one rejected cell withholds
-- the other cells of its township and period.
with

panel as (
    select * from {{ ref('stg_township__panel') }}
),

age as (
    select * from {{ ref('stg_township__age') }}
),

migration as (
    select * from {{ ref('stg_township__migration') }}
),

population as (
    select * from {{ ref('stg_township__population') }}
),

segis as (
    select * from {{ ref('stg_township__segis') }}
),

region_names as (
    select
        region_code,
        region_level,
        lookup_name
    from {{ ref('int_region_names') }}
    where region_level in ('county', 'township')
),

town_codes as (
    select cast(towncode as string) as region_code from {{ ref('town_codes_moi_20200324') }}
),

cells as (
    {{ union_all_by_name({
        'panel': ref('stg_township__panel'),
        'age': ref('stg_township__age'),
        'migration': ref('stg_township__migration'),
        'population': ref('stg_township__population'),
        'segis': ref('stg_township__segis'),
    }) }}
),

matched as (
    select
        cells.*,
        coalesce(town_codes.region_code, case
            when cells.town_code is null
                then region_names.region_code
        end) as region_code,
        region_names.region_code as named_region_code,
        -- what identifies the region when it is not in the code table
        coalesce(cells.town_code, cells.county_name || coalesce(cells.township_name, ''))
            as published_region
    from cells
    left join region_names
        on
            cells.region_level = region_names.region_level
            and region_names.lookup_name
            = cells.county_name || case
                when cells.region_level = 'township'
                    then cells.township_name
                else ''
            end
    left join town_codes
        on cells.town_code = town_codes.region_code
),

keyed as (
    select
        *,
        -- a coded row under another township's name is not a copy of that township's row
        coalesce(region_code, published_region) || coalesce('|' || named_region_code, '')
            as cell_key
    from matched
),

copies as (
    select
        *,
        row_number() over (
            partition by source_id, region_level, cell_key, period_text, grain, measure
            order by value
        ) as copy_number,
        coalesce(min(value) over same_cell <> max(value) over same_cell, false)
            as has_conflicting_copies
    from keyed
    window same_cell as (
        partition by source_id, region_level, cell_key, period_text, grain, measure
    )
),

problems as (
    select
        *,
        case
            when period is null then 'date does not parse (' || coalesce(period_text, 'null') || ')'
            when period > current_date then 'period in the future'
            when town_code is not null and region_code is null
                then 'township code not in code table'
            when region_code is null then 'region not in code table'
            -- in brackets: sqlfluff 4.4 (duckdb) cannot parse `when a is distinct from b then`
            when town_code is not null and (named_region_code is distinct from region_code)
                then
                    'code and name disagree (name is '
                    || coalesce(named_region_code, 'unknown')
                    || ')'
            when value is null then 'number does not parse'
            when value < 0 then 'negative value'
            when indicator_code <> 'area_km2' and value <> floor(value) then 'not a whole number'
            when has_conflicting_copies
                then
                    'conflicting duplicate rows (same region, period and measure, different values)'
            when copy_number > 1 then 'duplicate row (same region, period and measure)'
        end as cell_problem
    from copies
),

withheld as (
    select
        *,
        source_id in ('moi_township_age', 'segis_poi_town')
        and count(cell_problem) over (
            partition by source_id, cell_key, period_text
        ) > 0 as township_has_rejected_cell
    from problems
),

checked as (
    select
        source_id,
        raw_sha256,
        is_synthetic,
        region_code,
        region_level,
        period,
        grain,
        indicator_code,
        section,
        sex,
        age_from,
        age_to,
        value,
        'site=' || coalesce(county_name, 'null') || coalesce(township_name, '')
        || coalesce('; code=' || town_code, '')
        || '; period=' || coalesce(period_text, 'null')
        || '; ' || measure || '=' || coalesce(value_text, 'null') as record,
        case
            when cell_problem is not null then cell_problem
            when township_has_rejected_cell
                then 'withheld: another cell of the same township and period is rejected'
        end as rejection_reason
    from withheld
)

select * from checked
