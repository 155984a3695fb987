-- Every row of the MOI township density files with the township it names, or why it is
-- rejected. Rejected rows go to int_population__quarantine: none is dropped silently.
with

townships as (
    select * from {{ ref('stg_moi__township_pop_density') }}
),

region_names as (
    select
        region_code,
        lookup_name
    from {{ ref('int_region_names') }}
    where region_level = 'township'
),

matched as (
    select
        region_names.region_code,
        townships.county_name,
        townships.township_name,
        townships.year,
        townships.pop_total,
        townships.area_km2,
        townships.year_text,
        townships.pop_total_text,
        townships.area_text,
        townships.value_problem,
        townships.source_id,
        townships.raw_sha256,
        townships.is_synthetic
    from townships
    left join region_names
        on region_names.lookup_name = townships.county_name || townships.township_name
),

copies as (
    select
        *,
        -- a historical name and the current one are copies of one township too
        row_number() over (
            partition by source_id, year, coalesce(region_code, county_name || township_name)
            order by pop_total, area_km2
        ) as copy_number,
        -- copies of one township and year that disagree: no way to tell which one is right
        coalesce(
            min(pop_total) over same_township <> max(pop_total) over same_township
            or min(area_km2) over same_township <> max(area_km2) over same_township,
            false
        ) as has_conflicting_copies
    from matched
    window same_township as (
        partition by source_id, year, coalesce(region_code, county_name || township_name)
    )
),

checked as (
    select
        region_code,
        county_name,
        township_name,
        year,
        pop_total,
        area_km2,
        source_id,
        raw_sha256,
        is_synthetic,
        'site_id=' || coalesce(county_name || township_name, 'null')
        || '; statistic_yyy=' || coalesce(year_text, 'null')
        || '; people_total=' || coalesce(pop_total_text, 'null')
        || '; area=' || coalesce(area_text, 'null') as record,
        case
            when year is null then 'date does not parse (statistic_yyy)'
            when value_problem is not null then value_problem
            -- 東沙群島 / 南沙群島 are published with '…' (no registered population)
            when pop_total is null then 'no population (people_total is ''…'')'
            when region_code is null then 'region not in code table'
            when has_conflicting_copies
                then 'conflicting duplicate rows (same township and year, different values)'
            when copy_number > 1 then 'duplicate row (same township and year)'
        end as rejection_reason
    from copies
)

select * from checked
