-- SEGIS households and population per village (2021-06), or why a village is rejected: a
-- duplicated code, a count that is not a whole number (the stored value in the record), a
-- negative count, male + female not the population, or an unknown township.
with

population as (
    select * from {{ ref('stg_segis__village_population') }}
),

townships as (
    select cast(towncode as string) as township_code from {{ ref('town_codes_moi_20200324') }}
),

counted as (
    select
        *,
        count(*) over (partition by village_code, roc_yyymm, source_id) as rows_with_code
    from population
),

checked as (
    select
        village_code,
        county_name,
        township_name,
        village_name,
        roc_yyymm,
        households,
        pop_total,
        pop_male,
        pop_female,
        pop_density,
        source_id,
        raw_sha256,
        is_synthetic,
        'district_code=' || village_code
        || '; countytown=' || coalesce(county_name || township_name, 'null')
        || '; village=' || coalesce(village_name, 'null')
        || '; yyymm=' || cast(roc_yyymm as string)
        || '; h_cnt=' || coalesce(households_text, 'null')
        || '; p_cnt=' || coalesce(pop_total_text, 'null')
        || '; m_cnt=' || coalesce(pop_male_text, 'null')
        || '; f_cnt=' || coalesce(pop_female_text, 'null') as record,
        case
            when rows_with_code > 1
                then 'duplicate village code (' || cast(rows_with_code as string) || ' rows)'
            when households is null or pop_total is null or pop_male is null or pop_female is null
                then 'count is not a whole number (households, population, male or female)'
            when least(households, pop_total, pop_male, pop_female) < 0 then 'negative count'
            when pop_male + pop_female <> pop_total then 'male + female is not the population'
            when substr(village_code, 1, 8) not in (select townships.township_code from townships)
                then 'village code names no known township'
        end as rejection_reason,
        -- a village with residents and a density of 0 (雲林縣斗六市正心里 in 2021-06) has no
        -- area on record: its density is withheld (and quarantined), its counts published
        case
            when pop_density is null or pop_density < 0 or (pop_density = 0 and pop_total > 0)
                then
                    'density ' || coalesce(cast(pop_density as string), 'null')
                    || ' for a village with residents: density not published'
        end as density_rejection_reason
    from counted
)

select * from checked
