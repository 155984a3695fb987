-- Every row of the MOI village counts (the village file and the ODRP019 API), or why it is
-- rejected. A count the publisher leaves as a placeholder ('…', '-' or an empty cell) is
-- accepted as null; any other text where a count belongs rejects the row (it used to load as
-- a silent null). A village repeated in one month is published once when the copies agree;
-- copies that disagree are all rejected (which one is right cannot be told). Rejected rows go
-- to int_population__quarantine: none is dropped silently.
with

village_file as (
    select * from {{ ref('stg_moi__village_households') }}
),

registration_api as (
    select * from {{ ref('stg_moi__household_registration') }}
),

villages as (
    select
        village_code,
        county_name,
        township_name,
        village_name,
        roc_yyymm,
        households,
        pop_total,
        cast(null as bigint) as pop_male,
        cast(null as bigint) as pop_female,
        households_text,
        pop_total_text,
        cast(null as string) as pop_male_text,
        cast(null as string) as pop_female_text,
        source_id,
        raw_sha256,
        is_synthetic
    from village_file
    union all
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
        households_text,
        pop_total_text,
        pop_male_text,
        pop_female_text,
        source_id,
        raw_sha256,
        is_synthetic
    from registration_api
),

parsed as (
    select
        *,
        households is null and trim(coalesce(households_text, '')) not in ('…', '-', '')
        or pop_total is null and trim(coalesce(pop_total_text, '')) not in ('…', '-', '')
        or pop_male is null and trim(coalesce(pop_male_text, '')) not in ('…', '-', '')
        or pop_female is null and trim(coalesce(pop_female_text, '')) not in ('…', '-', '')
            as has_garbled_count
    from villages
),

copy_texts as (
    select
        *,
        concat_ws(
            '|', households_text, pop_total_text, pop_male_text, pop_female_text, village_name
        ) as copy_text
    from parsed
),

copies as (
    -- two copies conflict when their texts differ: min <> max over the key, because Spark
    -- has no count(distinct) window
    select
        *,
        row_number() over (
            partition by source_id, village_code, roc_yyymm
            order by households_text, pop_total_text, pop_male_text, pop_female_text
        ) as copy_number,
        min(copy_text) over (partition by source_id, village_code, roc_yyymm)
        <> max(copy_text) over (partition by source_id, village_code, roc_yyymm)
            as has_conflicting_copies
    from copy_texts
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
        source_id,
        raw_sha256,
        is_synthetic,
        'code=' || coalesce(village_code, 'null')
        || '; site=' || coalesce(county_name || township_name, 'null')
        || '; village=' || coalesce(village_name, 'null')
        || '; yyymm=' || coalesce(cast(roc_yyymm as string), 'null')
        || '; households=' || coalesce(households_text, 'null')
        || '; population=' || coalesce(pop_total_text, 'null')
        || coalesce('; male=' || pop_male_text, '')
        || coalesce('; female=' || pop_female_text, '') as record,
        case
            when has_garbled_count
                then 'number does not parse (households or population)'
            when has_conflicting_copies
                then 'conflicting duplicate rows (same village and month, different values)'
            when copy_number > 1 then 'duplicate row (same village and month)'
        end as rejection_reason
    from copies
)

select * from checked
