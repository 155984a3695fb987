-- Sales and pre-sales rows (files a and b; rentals, file c, are not modelled) with region codes,
-- their kind of sale, and the reason when a row cannot be used. Incremental by season: a run
-- processes only the seasons loaded (or re-loaded) since the last one, replacing each whole.
{{ config(
    materialized='incremental',
    unique_key='season',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}

with

files as (
    select * from {{ source('lvr', 'lvr_land_files') }}
),

counties as (
    select * from {{ ref('county_codes_moi_20200324') }}
),

township_names as (
    select distinct region_code, lookup_name from {{ ref('int_region_names') }}
    where region_level = 'township'
),

loads as (
    select distinct season, loaded_at from files
),

seasons_to_process as (
    select season, loaded_at from loads
    {% if is_incremental() %}
    -- a season whose load time the target already holds is unchanged since it was processed
    where not exists (
        select 1 from {{ this }} as processed
        where processed.season = loads.season and processed.loaded_at = loads.loaded_at
    )
    {% endif %}
),

transactions as (
    select * from {{ ref('stg_lvr__transactions') }}
    where file_kind in ('a', 'b') and season in (select season from seasons_to_process)
),

located as (
    select
        transactions.*,
        seasons_to_process.loaded_at,
        files.raw_sha256,
        files.is_synthetic,
        cast(counties.countycode as varchar) as county_code,
        township_names.region_code as township_code,
        case
            when transactions.transaction_target like '房地%' then 'land_building'
            when transactions.transaction_target = '土地' then 'land'
            when transactions.transaction_target = '建物' then 'building'
            when transactions.transaction_target = '車位' then 'parking'
        end as sale_kind
    from transactions
    inner join seasons_to_process on transactions.season = seasons_to_process.season
    inner join files
        on transactions.season = files.season and transactions.source_file = files.source_file
    left join counties on transactions.county_letter = lower(counties.countyid)
    left join township_names
        on township_names.lookup_name
            = {{ normalise_region_name('counties.countyname') }} || transactions.district_name
),

checked as (
    select
        *,
        nullif(concat_ws('; ',
            case when county_code is null
                 then 'county letter ' || county_letter || ' is no county' end,
            case when county_code is not null and township_code is null
                 then '鄉鎮市區 ' || coalesce(district_name, '(empty)') || ' is no township of the county' end,
            case when sale_kind is null
                 then '交易標的 ' || coalesce(transaction_target, '(empty)') || ' is not 土地, 建物, 房地 or 車位' end,
            case when not transaction_date_parse_ok
                 then '交易年月日 ' || coalesce(transaction_date_text, '(empty)') || ' is not a 民國 date' end,
            case when not total_price_parse_ok then '總價元 is not a number' end,
            case when not unit_price_parse_ok then '單價元平方公尺 is not a number' end,
            case when not area_parse_ok then '移轉總面積 is not a number' end
        ), '') as rejection_reason
    from located
),

final as (
    select
        season,
        loaded_at,
        cast('{{ run_started_at.strftime('%Y-%m-%d %H:%M:%S.%f') }}' as timestamp) as processed_at,
        raw_sha256,
        is_synthetic,
        file_kind,
        county_letter,
        source_file,
        source_row,
        county_code,
        township_code,
        district_name,
        sale_kind,
        transaction_target,
        transaction_date_text,
        transaction_date,
        cast({{ dbt.date_trunc('quarter', 'transaction_date') }} as date) as transaction_quarter,
        completion_date,
        completion_date_parse_ok,
        land_area_m2,
        building_area_m2,
        total_price_ntd,
        -- 0 is what the publisher writes when there is no unit price (land-only, parking)
        case when unit_price_ntd_per_m2 > 0 then unit_price_ntd_per_m2 end as unit_price_ntd_per_m2,
        total_price_text,
        unit_price_text,
        address,
        serial_no,
        transfer_no,
        rejection_reason
    from checked
)

select * from final
