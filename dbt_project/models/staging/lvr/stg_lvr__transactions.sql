-- 實價登錄 rows renamed, cast and normalised; nothing is dropped: a value that does not parse
-- becomes null and its *_parse_ok flag false, for the quarantine downstream to name.
with

source as (
    select * from {{ source('lvr', 'lvr_land') }}
),

renamed as (
    select
        season,
        county_letter,
        kind as file_kind,
        source_file,
        source_row,
        {{ normalise_region_name('"鄉鎮市區"') }} as district_name,
        "交易標的" as transaction_target,
        {{ half_width_digits('"土地位置建物門牌"') }} as address,
        "交易年月日" as transaction_date_text,
        {{ roc_date('"交易年月日"') }} as transaction_date,
        "建築完成年月" as completion_date_text,
        {{ roc_date('"建築完成年月"') }} as completion_date,
        {{ text_to_number('"土地移轉總面積平方公尺"') }} as land_area_m2,
        {{ text_to_number('"建物移轉總面積平方公尺"') }} as building_area_m2,
        {{ text_to_number('"總價元"', 'bigint') }} as total_price_ntd,
        {{ text_to_number('"單價元平方公尺"') }} as unit_price_ntd_per_m2,
        {{ text_to_number('"車位總價元"', 'bigint') }} as parking_price_ntd,
        {{ text_to_number('"車位移轉總面積平方公尺"') }} as parking_area_m2,
        "土地移轉總面積平方公尺" as land_area_text,
        "建物移轉總面積平方公尺" as building_area_text,
        "總價元" as total_price_text,
        "單價元平方公尺" as unit_price_text,
        "交易筆棟數" as parcels_text,
        "都市土地使用分區" as urban_zoning,
        "非都市土地使用分區" as non_urban_zoning,
        "非都市土地使用編定" as non_urban_land_use,
        "移轉層次" as floors_transferred,
        "總樓層數" as total_floors,
        "建物型態" as building_type,
        "主要用途" as main_use,
        "主要建材" as main_material,
        {{ text_to_number('"建物現況格局-房"', 'integer') }} as rooms,
        {{ text_to_number('"建物現況格局-廳"', 'integer') }} as living_rooms,
        {{ text_to_number('"建物現況格局-衛"', 'integer') }} as bathrooms,
        "建物現況格局-隔間" as has_partitions,
        "有無管理組織" as has_management,
        "車位類別" as parking_type,
        "備註" as note,
        "編號" as serial_no,
        {{ text_to_number('"主建物面積"') }} as main_building_area_m2,
        {{ text_to_number('"附屬建物面積"') }} as ancillary_area_m2,
        {{ text_to_number('"陽台面積"') }} as balcony_area_m2,
        "電梯" as has_elevator,
        -- only the 33-column layout (2021 on) has 移轉編號: null for older seasons
        "移轉編號" as transfer_no
    from source
),

flagged as (
    select
        *,
        transaction_date is not null as transaction_date_parse_ok,
        -- 建築完成年月 is empty for land and parking sales: only a non-empty bad value fails
        completion_date is not null or coalesce(trim(completion_date_text), '') = ''
            as completion_date_parse_ok,
        total_price_ntd is not null as total_price_parse_ok,
        -- a unit price left empty (land, parking) is no error; text that is no number is
        unit_price_ntd_per_m2 is not null or coalesce(trim(unit_price_text), '') = ''
            as unit_price_parse_ok,
        (land_area_m2 is not null or coalesce(trim(land_area_text), '') = '')
            and (building_area_m2 is not null or coalesce(trim(building_area_text), '') = '')
            as area_parse_ok
    from renamed
),

final as (
    select
        *,
        transaction_date_parse_ok and completion_date_parse_ok and total_price_parse_ok
            and unit_price_parse_ok and area_parse_ok as parse_ok
    from flagged
)

select * from final
