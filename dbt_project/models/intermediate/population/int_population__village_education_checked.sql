-- The MOI education file, one row per village, with the counts the indicators use, or why the
-- village is rejected: a duplicated code, a cell that is not a whole number (386336.7, NaN,
-- 1e999 ... kept as published in the record), an unknown township, or levels that do not add
-- up to the 總計 printed beside them. Rejected villages go to int_population__quarantine.
with

education as (
    select * from {{ ref('stg_moi__village_education') }}
),

townships as (
    select cast(towncode as string) as township_code from {{ ref('town_codes_moi_20200324') }}
),

per_village as (
    select
        village_code,
        roc_year,
        source_id,
        raw_sha256,
        bool_or(is_synthetic) as is_synthetic,
        min(county_name || township_name) as site_name,
        min(village_name) as village_name,
        count(*) as cells,
        count(distinct field) as distinct_cells,
        bool_or(persons is null) as has_garbled_cell,
        bool_or(persons < 0) as has_negative_cell,
        max(case when education_level = 'total' then persons end) as edu_pop_15plus,
        sum(case when education_level <> 'total' then persons end) as level_sum,
        -- graduates (畢業) only: a 肄業 left the level without its degree
        sum(case
            when completion = 'graduated' and education_level in ('doctor', 'master')
                then persons
        end) as postgraduate_graduates,
        sum(case
            when completion = 'graduated' and education_level in ('doctor', 'master', 'university')
                then persons
        end) as university_graduates,
        -- 大專: 博士, 碩士, 大學, 二專 and 五專 (its final two years)
        sum(case
            when
                completion = 'graduated' and education_level in (
                    'doctor', 'master', 'university', 'juniorcollege_2ys',
                    'juniorcollege_5ys_final2y'
                )
                then persons
        end) as tertiary_graduates,
        sum(case when education_level = 'illiterate' then persons end) as illiterate,
        {{ ordered_string_agg("case when persons is null or persons < 0
                        then field || '=' || coalesce(persons_text, 'null') end", "'; '", 'field') }}
            as bad_cells,
        max(case when education_level = 'total' then persons_text end) as total_text
    from education
    group by village_code, roc_year, source_id, raw_sha256
),

checked as (
    select
        per_village.*,
        'code=' || per_village.village_code || '; site=' || coalesce(per_village.site_name, 'null')
        || '; village=' || coalesce(per_village.village_name, 'null')
        || '; 統計年=' || cast(per_village.roc_year as string)
        || '; 總計=' || coalesce(per_village.total_text, 'null')
        || coalesce('; ' || per_village.bad_cells, '') as record,
        case
            when per_village.cells > per_village.distinct_cells
                then
                    'duplicate village code ('
                    || cast(
                        {{ integer_divide('per_village.cells', 'per_village.distinct_cells') }}
                        as string
                    )
                    || ' rows)'
            when per_village.has_garbled_cell then 'count is not a whole number'
            when per_village.has_negative_cell then 'negative count'
            when
                substr(per_village.village_code, 1, 8) not in (
                    select townships.township_code from townships
                )
                then 'village code names no known township'
            when per_village.level_sum <> per_village.edu_pop_15plus
                then
                    'education levels add up to '
                    || cast(per_village.level_sum as string)
                    || ', not 總計'
        end as rejection_reason
    from per_village
)

select * from checked
