-- SEGIS five-year age bands, one row per village, or why the village's bands are rejected: a
-- duplicated cell, a missing band, a value that is not a whole number, or bands that do not
-- add up to the village's accepted population and its sexes (the check needs the 100+ band).
with

age as (
    select * from {{ ref('stg_segis__village_age') }}
),

population as (
    select * from {{ ref('int_population__segis_villages_checked') }}
    where rejection_reason is null
),

per_village as (
    select
        village_code,
        roc_yyymm,
        source_id,
        raw_sha256,
        bool_or(is_synthetic) as is_synthetic,
        count(*) as cells,
        count(distinct field) as distinct_cells,
        bool_or(population is null) as has_garbled_cell,
        bool_or(population < 0) as has_negative_cell,
        sum(population) as band_total,
        sum(case when sex = 'male' then population end) as band_male,
        sum(case when sex = 'female' then population end) as band_female,
        {{ ordered_string_agg("case when population is null or population < 0
                        then field || '=' || coalesce(population_text, 'null') end", "'; '",
                              'field') }}
            as bad_cells
    from age
    group by village_code, roc_yyymm, source_id, raw_sha256
),

checked as (
    select
        per_village.*,
        'district_code=' || per_village.village_code
        || '; yyymm=' || cast(per_village.roc_yyymm as string)
        || '; bands=' || coalesce(cast(per_village.band_total as string), 'null')
        || coalesce('; ' || per_village.bad_cells, '') as record,
        case
            when per_village.cells > per_village.distinct_cells
                then
                    'duplicate village code ('
                    || cast(
                        {{ integer_divide('per_village.cells', 'per_village.distinct_cells') }}
                        as string
                    ) || ' rows)'
            -- 21 bands (0-4 … 95-99, 100+) for each sex
            when per_village.distinct_cells <> 42 then 'age bands missing'
            when per_village.has_garbled_cell then 'count is not a whole number'
            when per_village.has_negative_cell then 'negative count'
            when population.village_code is null
                then 'no accepted population row for the village to check the bands against'
            when
                per_village.band_total <> population.pop_total
                or per_village.band_male <> population.pop_male
                or per_village.band_female <> population.pop_female
                then
                    'age bands add up to ' || cast(per_village.band_total as string)
                    || ', not the population ' || cast(population.pop_total as string)
        end as rejection_reason
    from per_village
    left join population
        on
            per_village.village_code = population.village_code
            and per_village.roc_yyymm = population.roc_yyymm
)

select * from checked
