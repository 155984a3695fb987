-- 實價登錄 rows of every source (the publisher's season zips, its 10-day releases, a mirror)
-- renamed, cast and normalised; rentals (file c) name their date, price and areas their own
-- way and map onto the same columns. Nothing is dropped: a value that does not parse becomes
-- null and its *_parse_ok flag false, for the quarantine downstream to name.
with

season_zips as (
    select
        *,
        'lvr_land' as source_id
    from {{ source('lvr', 'lvr_land') }}
),

mirrored as (
    select
        *,
        'lvr_land_mirror' as source_id
    from {{ source('lvr', 'lvr_land_mirror') }}
),

ten_day_releases as (
    select
        *,
        'lvr_land_issue' as source_id
    from {{ source('lvr', 'lvr_land_issue') }}
),

source as (
-- by name: a mirror or a newer layout may carry columns the others lack
    {{ union_all_by_name({
        'season_zips': source('lvr', 'lvr_land'),
        'mirrored': source('lvr', 'lvr_land_mirror'),
        'ten_day_releases': source('lvr', 'lvr_land_issue'),
    }, added=['source_id']) }}
),

renamed as (
    select
        source_id,
        season,
        release,
        county_letter,
        kind as file_kind,
        source_file,
        source_row,
        fields_read,
        extra_fields,
        {{ normalise_region_name(published_column('鄉鎮市區')) }} as district_name,
        {{ published_column('交易標的') }} as transaction_target,
        {{ half_width_digits(published_column('土地位置建物門牌')) }} as address,
        {{ published_column('交易年月日', '租賃年月日') }} as transaction_date_text,
        {{ roc_date(published_column('交易年月日', '租賃年月日')) }} as transaction_date,
        {{ published_column('建築完成年月') }} as completion_date_text,
        {{ roc_date(published_column('建築完成年月')) }} as completion_date,
        {{ strict_number(published_column('土地移轉總面積平方公尺', '土地面積平方公尺')) }} as land_area_m2,
        {{ strict_number(published_column('建物移轉總面積平方公尺', '建物總面積平方公尺')) }} as building_area_m2,
        -- a rental's 總額元 is its rent per month
        {{ strict_number(published_column('總價元', '總額元'), 'bigint') }} as total_price_ntd,
        {{ strict_number(published_column('單價元平方公尺')) }} as unit_price_ntd_per_m2,
        {{ strict_number(published_column('車位總價元', '車位總額元'), 'bigint') }} as parking_price_ntd,
        {{ strict_number(published_column('車位移轉總面積平方公尺', '車位面積平方公尺')) }} as parking_area_m2,
        {{ published_column('土地移轉總面積平方公尺', '土地面積平方公尺') }} as land_area_text,
        {{ published_column('建物移轉總面積平方公尺', '建物總面積平方公尺') }} as building_area_text,
        {{ published_column('總價元', '總額元') }} as total_price_text,
        {{ published_column('單價元平方公尺') }} as unit_price_text,
        {{ published_column('交易筆棟數', '租賃筆棟數') }} as parcels_text,
        {{ published_column('都市土地使用分區') }} as urban_zoning,
        {{ published_column('非都市土地使用分區') }} as non_urban_zoning,
        {{ published_column('非都市土地使用編定') }} as non_urban_land_use,
        {{ published_column('移轉層次', '租賃層次') }} as floors_transferred,
        {{ published_column('總樓層數') }} as total_floors,
        {{ published_column('建物型態') }} as building_type,
        {{ published_column('主要用途') }} as main_use,
        {{ published_column('主要建材') }} as main_material,
        {{ strict_number(published_column('建物現況格局-房'), 'integer') }} as rooms,
        {{ strict_number(published_column('建物現況格局-廳'), 'integer') }} as living_rooms,
        {{ strict_number(published_column('建物現況格局-衛'), 'integer') }} as bathrooms,
        {{ published_column('建物現況格局-房') }} as rooms_text,
        {{ published_column('建物現況格局-廳') }} as living_rooms_text,
        {{ published_column('建物現況格局-衛') }} as bathrooms_text,
        {{ published_column('建物現況格局-隔間') }} as has_partitions,
        {{ published_column('有無管理組織') }} as has_management,
        {{ published_column('車位類別') }} as parking_type,
        {{ published_column('備註') }} as note,
        {{ published_column('編號') }} as serial_no,
        {{ strict_number(published_column('主建物面積')) }} as main_building_area_m2,
        {{ strict_number(published_column('附屬建物面積')) }} as ancillary_area_m2,
        {{ strict_number(published_column('陽台面積')) }} as balcony_area_m2,
        {{ published_column('電梯', '有無電梯') }} as has_elevator,
        -- only the 33-column layout (2021 on) has 移轉編號: null for older seasons
        {{ published_column('移轉編號') }} as transfer_no,
        {{ published_column('出租型態') }} as rental_type,
        {{ published_column('租賃期間') }} as lease_period,
        -- the layouts since 2021 (移轉編號; rentals: 出租型態) write every 民國 date in 7 digits
        {{ published_column('移轉編號') }} is not null or {{ published_column('出租型態') }} is not null
            as has_seven_digit_dates
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
            as area_parse_ok,
        -- 房, 廳, 衛 are counts: empty is none given, anything but a whole number is an error
        (rooms is not null or coalesce(trim(rooms_text), '') = '')
        and (living_rooms is not null or coalesce(trim(living_rooms_text), '') = '')
        and (bathrooms is not null or coalesce(trim(bathrooms_text), '') = '')
            as layout_counts_parse_ok
    from renamed
),

final as (
    select
        *,
        transaction_date_parse_ok and completion_date_parse_ok and total_price_parse_ok
        and unit_price_parse_ok and area_parse_ok and layout_counts_parse_ok as parse_ok
    from flagged
)

select * from final
