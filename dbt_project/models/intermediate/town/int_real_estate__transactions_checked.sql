-- Sales, pre-sales and rental rows (files a, b, c) of every 實價登錄 source with region codes,
-- their kind, the coverage of their release, and the reason when a row cannot be used.
-- Incremental by release: a run processes only the releases loaded (or re-loaded) since the
-- last one, replacing each whole.
{{ config(
    materialized='incremental',
    unique_key='release_key',
    incremental_strategy=replace_key_strategy(),
    partition_by=replace_key_partitions('release_key'),
    on_schema_change='fail',
) }}
{#- One key column, not [source_id, release]: with a list dbt deletes through a join of the
    target with every new row (33 s for 97k rows here); with one column, through `in` (0.02 s). -#}
{#- the copies of one 編號 (complete rows only), first loaded first: one window, written once
    (Spark cannot extend a named window by an order) -#}
{%- set serial_order -%}
    partition by
        located.file_kind, located.serial_no, located.fields_read = located.header_fields
    order by
        located.loaded_at, located.source_id, located.release, located.source_file,
        located.source_row
{%- endset %}

with

files as (
    select * from {{ ref('stg_lvr__files') }}
),

counties as (
    select * from {{ ref('county_codes_moi_20200324') }}
),

township_names as (
    select distinct
        region_code,
        lookup_name
    from {{ ref('int_region_names') }}
    where region_level = 'township'
),

loads as (
    select distinct
        source_id,
        release,
        loaded_at
    from files
),

releases_to_process as (
    select
        source_id,
        release,
        loaded_at
    from loads
    {% if is_incremental() %}
    -- a release whose load time the target already holds is unchanged since it was processed
    where not exists (
        select 1 from {{ this }} as processed
        where processed.source_id = loads.source_id and processed.release = loads.release
            and processed.loaded_at = loads.loaded_at
    )
    {% endif %}
),

transactions as (
    select transactions.* from {{ ref('stg_lvr__transactions') }} as transactions
    inner join releases_to_process
        on
            transactions.source_id = releases_to_process.source_id
            and transactions.release = releases_to_process.release
),

located as (
    select
        transactions.*,
        files.loaded_at,
        files.raw_sha256,
        files.is_synthetic,
        files.coverage,
        files.published_by,
        files.header_fields,
        cast(counties.countycode as string) as county_code,
        township_names.region_code as township_code,
        case
            when transactions.transaction_target like '房地%' then 'land_building'
            -- a rental of a house or flat (租賃房屋, with or without 車位, 2025 layout)
            when transactions.transaction_target like '租賃房屋%' then 'building'
            when transactions.transaction_target = '土地' then 'land'
            when transactions.transaction_target = '建物' then 'building'
            when transactions.transaction_target = '車位' then 'parking'
        end as sale_kind
    from transactions
    inner join files
        on
            transactions.source_id = files.source_id and transactions.release = files.release
            and transactions.source_file = files.source_file
    left join counties on transactions.county_letter = lower(counties.countyid)
    left join township_names
        on
            township_names.lookup_name
            = {{ normalise_region_name('counties.countyname') }} || transactions.district_name
),

{% if is_incremental() %}
-- 編號 already accepted from a release processed before: a repeat here is the same deal again
earlier_serials as (
    select file_kind, serial_no, min(release || ' ' || source_file || ' line '
        || cast(source_row as string)) as first_seen
    from {{ this }} as processed
    where rejection_reason is null and coalesce(serial_no, '') <> ''
        and not exists (
            select 1 from releases_to_process
            where releases_to_process.source_id = processed.source_id
                and releases_to_process.release = processed.release
        )
    group by file_kind, serial_no
),
{% endif %}

ranked as (
    select
        located.*,
        -- the first row with a 編號 (the earliest load, then file and line) stands; a later
        -- one repeats it
        case
            when
                coalesce(located.serial_no, '') <> ''
                and located.fields_read = located.header_fields
                then row_number() over ({{ serial_order }})
        end as serial_rank,
        first_value(
            located.release
            || ' '
            || located.source_file
            || ' line '
            || cast(located.source_row as string)
        )
            over ({{ serial_order }}) as serial_first_seen,
        case located.file_kind when 'c' then '租賃年月日' else '交易年月日' end as date_label,
        case located.file_kind when 'c' then '總額元' else '總價元' end as price_label
    from located
),

checked as (
    select
        ranked.*,
        nullif(concat_ws(
            '; ',
            case
                when ranked.fields_read <> ranked.header_fields
                    then
                        'line has ' || cast(ranked.fields_read as string) || ' fields, the header '
                        || cast(ranked.header_fields as string)
            end,
            case
                when ranked.county_code is null
                    then 'county letter ' || ranked.county_letter || ' is no county'
            end,
            case
                when ranked.county_code is not null and ranked.township_code is null
                    then
                        '鄉鎮市區 '
                        || coalesce(ranked.district_name, '(empty)')
                        || ' is no township of the county'
            end,
            case
                when ranked.sale_kind is null
                    then
                        '交易標的 '
                        || coalesce(ranked.transaction_target, '(empty)')
                        || ' is not 土地, 建物, 房地'
                        || case when ranked.file_kind = 'c' then ', 車位 or 租賃房屋' else ' or 車位' end
            end,
            case
                when not ranked.transaction_date_parse_ok
                    then
                        ranked.date_label
                        || ' '
                        || coalesce(ranked.transaction_date_text, '(empty)')
                        || ' is not a 民國 date'
            end,
            case
                when
                    ranked.transaction_date_parse_ok and ranked.has_seven_digit_dates
                    and length(ranked.transaction_date_text) <> 7
                    then
                        ranked.date_label
                        || ' '
                        || ranked.transaction_date_text
                        || ' is not the 7 digits this layout writes'
            end,
            case
                when ranked.transaction_date > ranked.published_by
                    then
                        ranked.date_label
                        || ' '
                        || ranked.transaction_date_text
                        || ' is after the release (published by '
                        || cast(ranked.published_by as string) || ')'
            end,
            case
                when not ranked.total_price_parse_ok
                    then ranked.price_label || ' is not a number'
            end,
            case
                when not ranked.unit_price_parse_ok
                    then '單價元平方公尺 ' || ranked.unit_price_text || ' is not a number'
            end,
            case when not ranked.area_parse_ok then '移轉總面積 is not a number' end,
            case
                when not ranked.layout_counts_parse_ok
                    then
                        '建物現況格局 (房 ' || coalesce(ranked.rooms_text, '') || ', 廳 '
                        || coalesce(ranked.living_rooms_text, '')
                        || ', 衛 '
                        || coalesce(ranked.bathrooms_text, '')
                        || ') is not a whole number'
            end,
            case
                when ranked.serial_rank > 1
                    then '編號 ' || ranked.serial_no || ' repeats ' || ranked.serial_first_seen
            end
            {% if is_incremental() %},
            case when earlier_serials.first_seen is not null
                    and ranked.fields_read = ranked.header_fields
                 then '編號 ' || ranked.serial_no || ' repeats ' || earlier_serials.first_seen end
            {% endif %}
        ), '') as rejection_reason
    from ranked
    {% if is_incremental() %}
    left join earlier_serials
        on earlier_serials.file_kind = ranked.file_kind
        and earlier_serials.serial_no = ranked.serial_no
    {% endif %}
),

final as (
    select
        source_id || '/' || release as release_key,
        source_id,
        release,
        season,
        coverage,
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
        -- a price between related parties: kept as a transaction, left out of price medians
        {{ is_special_relationship('note') }} as is_special_relationship,
        total_price_text,
        unit_price_text,
        address,
        serial_no,
        transfer_no,
        extra_fields,
        rejection_reason
    from checked
)

select * from final
