-- Sales (file a) by transaction quarter, per township and per county: counts by kind, value,
-- medians. A season's rows fall into several transaction quarters (late registrations reach
-- years back), so on an incremental run every quarter touched by the newly processed rows is
-- recomputed whole from all seasons, and no other. Only quarters a loaded release covers
-- (int_real_estate__covered_quarters) are market activity; medians leave out prices between
-- related parties, counted beside them.
{{ config(
    materialized='incremental',
    unique_key='transaction_quarter',
    incremental_strategy=replace_key_strategy(),
    partition_by=replace_key_partitions('transaction_quarter'),
    on_schema_change='fail',
) }}

with

checked as (
    select * from {{ ref('int_real_estate__transactions_checked') }}
),

quarters_to_rebuild as (
    select distinct transaction_quarter from checked
    {% if is_incremental() %}
    where processed_at > (select max(processed_at) from {{ this }})
    {% endif %}
),

covered as (
    select * from {{ ref('int_real_estate__covered_quarters') }}
),

sales as (
    select
        checked.*,
        -- an arm's-length sale of a building: what the price medians are taken over
        checked.sale_kind in ('building', 'land_building')
        and not checked.is_special_relationship as is_market_priced_building
    from checked
    inner join covered
        on
            checked.county_letter = covered.county_letter
            and checked.file_kind = covered.file_kind
            and checked.transaction_quarter = covered.transaction_quarter
    where
        checked.rejection_reason is null and checked.file_kind = 'a'
        and checked.transaction_quarter in (
            select quarters_to_rebuild.transaction_quarter from quarters_to_rebuild
        )
),

{% set measures %}
        count(*) as transactions,
        sum(case when sale_kind = 'land' then 1 else 0 end) as transactions_land,
        sum(case when sale_kind = 'building' then 1 else 0 end) as transactions_building,
        sum(case when sale_kind = 'land_building' then 1 else 0 end) as transactions_land_building,
        sum(case when sale_kind = 'parking' then 1 else 0 end) as transactions_parking,
        sum(total_price_ntd) as transaction_value_ntd,
        {{ median("case when is_market_priced_building then total_price_ntd end") }}
            as median_total_price_ntd,
        {{ median("case when is_market_priced_building then unit_price_ntd_per_m2 end") }}
            as median_unit_price_ntd_per_m2,
        count(case when is_market_priced_building then unit_price_ntd_per_m2 end)
            as unit_prices_counted,
        sum(case when sale_kind in ('building', 'land_building') and is_special_relationship
                 then 1 else 0 end) as special_relationship_sales,
        bool_or(is_synthetic) as is_synthetic,
        -- the least of what the rows' releases cover: a quarter holding rows of a 10-day
        -- release or of a subset is not the quarter's market
        case max(case coverage when 'subset' then 3 when 'issue' then 2 else 1 end)
            when 3 then 'subset' when 2 then 'issue' else 'season' end as coverage,
        -- and the weakest provenance among them: a mirror's copy, else a 10-day release
        case max(case source_id when 'lvr_land_mirror' then 3 when 'lvr_land_issue' then 2 else 1 end)
            when 3 then 'lvr_land_mirror' when 2 then 'lvr_land_issue' else 'lvr_land' end
            as source_id,
        max(processed_at) as processed_at
{% endset %}

by_township as (
    select
        township_code as region_code,
        'township' as region_level,
        transaction_quarter,
        {{ measures }}
    from sales
    group by township_code, transaction_quarter
),

by_county as (
    select
        county_code as region_code,
        'county' as region_level,
        transaction_quarter,
        {{ measures }}
    from sales
    group by county_code, transaction_quarter
),

unioned as (
    select * from by_township
    union all
    select * from by_county
)

select * from unioned
