-- Every row of the MOI county population table with the region it names, or why it is
-- rejected. Rejected rows go to int_population__quarantine: none is dropped silently.
with

county_table as (
    select * from {{ ref('stg_moi__county_population_by_sex') }}
),

region_names as (
    select
        region_code,
        region_level,
        lookup_name
    from {{ ref('int_region_names') }}
    where region_level in ('nation', 'county')
),

matched as (
    select
        region_names.region_code,
        region_names.region_level,
        county_table.region_name,
        county_table.roc_yyymm,
        county_table.pop_total,
        county_table.pop_male,
        county_table.pop_female,
        county_table.pop_total_text,
        county_table.pop_male_text,
        county_table.pop_female_text,
        county_table.source_id,
        county_table.raw_sha256,
        county_table.is_synthetic
    from county_table
    left join region_names
        on county_table.region_name = region_names.lookup_name
),

copies as (
    select
        *,
        -- a historical name (臺北縣) and the current one (新北市) are copies of one region
        row_number() over (
            partition by source_id, roc_yyymm, coalesce(region_code, region_name)
            order by pop_total, pop_male, pop_female
        ) as copy_number,
        coalesce(
            min(pop_total) over same_region <> max(pop_total) over same_region
            or min(pop_male) over same_region <> max(pop_male) over same_region
            or min(pop_female) over same_region <> max(pop_female) over same_region,
            false
        ) as has_conflicting_copies
    from matched
    window same_region as (
        partition by source_id, roc_yyymm, coalesce(region_code, region_name)
    )
),

checked as (
    select
        region_code,
        region_level,
        region_name,
        roc_yyymm,
        pop_total,
        pop_male,
        pop_female,
        source_id,
        raw_sha256,
        is_synthetic,
        '區域別=' || coalesce(region_name, 'null')
        || '; yyymm=' || coalesce(cast(roc_yyymm as string), 'null')
        || '; 合計=' || coalesce(pop_total_text, 'null')
        || '; 男性=' || coalesce(pop_male_text, 'null')
        || '; 女性=' || coalesce(pop_female_text, 'null') as record,
        case
            when roc_yyymm is null then 'date does not parse (yyymm)'
            when region_code is null and region_name in ('臺灣省', '福建省')
                then 'provincial subtotal, not a region of the warehouse'
            when region_code is null then 'region not in code table'
            when pop_total is null or pop_male is null or pop_female is null
                then 'number does not parse (合計, 男性 or 女性)'
            when has_conflicting_copies
                then 'conflicting duplicate rows (same region and month, different values)'
            when copy_number > 1 then 'duplicate row (same region and month)'
        end as rejection_reason
    from copies
)

select * from checked
