-- SEGIS indigenous population per village, or why it is rejected: a duplicated code, a value
-- that is not a whole number, 平地 + 山地 not the total, or more indigenous residents than
-- the village's accepted population.
with

indigenous as (
    select * from {{ ref('stg_segis__village_indigenous') }}
),

population as (
    select * from {{ ref('int_population__segis_villages_checked') }}
    where rejection_reason is null
),

counted as (
    select
        *,
        count(*) over (partition by village_code, roc_yyymm, source_id) as rows_with_code
    from indigenous
),

checked as (
    select
        counted.village_code,
        counted.roc_yyymm,
        counted.pop_indigenous,
        counted.source_id,
        counted.raw_sha256,
        counted.is_synthetic,
        population.pop_total,
        'district_code=' || counted.village_code
        || '; yyymm=' || cast(counted.roc_yyymm as string)
        || '; o_cnt=' || coalesce(counted.pop_indigenous_text, 'null')
        || '; o1_cnt=' || coalesce(counted.pop_indigenous_plains_text, 'null')
        || '; o2_cnt=' || coalesce(counted.pop_indigenous_mountain_text, 'null') as record,
        case
            when counted.rows_with_code > 1
                then
                    'duplicate village code ('
                    || cast(counted.rows_with_code as string)
                    || ' rows)'
            when
                counted.pop_indigenous is null or counted.pop_indigenous_plains is null
                or counted.pop_indigenous_mountain is null
                then 'count is not a whole number'
            when least(
                counted.pop_indigenous, counted.pop_indigenous_plains,
                counted.pop_indigenous_mountain
            ) < 0 then 'negative count'
            when
                counted.pop_indigenous_plains + counted.pop_indigenous_mountain
                <> counted.pop_indigenous then '平地 + 山地 is not the indigenous total'
            when population.village_code is null
                then 'no accepted population row for the village'
            when counted.pop_indigenous > population.pop_total
                then 'more indigenous residents than residents'
        end as rejection_reason
    from counted
    left join population
        on
            counted.village_code = population.village_code
            and counted.roc_yyymm = population.roc_yyymm
)

select * from checked
