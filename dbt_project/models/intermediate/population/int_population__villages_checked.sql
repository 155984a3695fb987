-- Every row of the MOI village file, or why it is rejected. A count the publisher leaves as a
-- placeholder ('…', '-' or an empty cell) is accepted as null; any other text where a count
-- belongs rejects the row (it used to load as a silent null). Rejected rows go to
-- int_population__quarantine: none is dropped silently.
with

villages as (
    select * from {{ ref('stg_moi__village_households') }}
),

parsed as (
    select
        *,
        households is null and trim(coalesce(households_text, '')) not in ('…', '-', '')
            as households_garbled,
        pop_total is null and trim(coalesce(pop_total_text, '')) not in ('…', '-', '')
            as pop_total_garbled
    from villages
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
        source_id,
        raw_sha256,
        is_synthetic,
        'code=' || coalesce(village_code, 'null')
        || '; site=' || coalesce(county_name || township_name, 'null')
        || '; village=' || coalesce(village_name, 'null')
        || '; yyymm=' || coalesce(cast(roc_yyymm as string), 'null')
        || '; households=' || coalesce(households_text, 'null')
        || '; population=' || coalesce(pop_total_text, 'null') as record,
        case
            when households_garbled or pop_total_garbled
                then 'number does not parse (households or population)'
            when households < 0 or pop_total < 0 then 'negative count (households or population)'
        end as rejection_reason
    from parsed
)

select * from checked
