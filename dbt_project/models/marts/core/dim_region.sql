with

counties as (
    select * from {{ ref('county_names') }}
),

county_codes as (
    select * from {{ ref('county_codes_moi_20200324') }}
),

townships as (
    select * from {{ ref('town_codes_moi_20200324') }}
),

villages as (
    select * from {{ ref('int_villages') }}
),

unplaced as (
    select * from {{ ref('int_income__unplaced_regions') }}
),

nation as (
    select
        'TW' as region_code,
        'nation' as region_level,
        '全國' as name_zh,
        'Taiwan' as name_en,
        cast(null as string) as parent_code,
        cast(null as string) as county_letter
),

-- 臺灣地區: an area above the counties (all but 金門縣 and 連江縣 of 福建省), under the nation
taiwan_area as (
    select
        'TW-TA' as region_code,
        'area' as region_level,
        '臺灣地區' as name_zh,
        'Taiwan Area (without Kinmen and Matsu)' as name_en,
        'TW' as parent_code,
        cast(null as string) as county_letter
),

county_rows as (
    select
        cast(counties.county_code as string) as region_code,
        'county' as region_level,
        counties.name_zh,
        counties.name_en,
        'TW' as parent_code,
        -- 實價登錄 file names use the lower-case COUNTYID letter (a_lvr_land_a.csv = 臺北市)
        lower(county_codes.countyid) as county_letter
    from counties
    inner join
        county_codes
        on cast(counties.county_code as string) = cast(county_codes.countycode as string)
),

township_rows as (
    select
        cast(towncode as string) as region_code,
        'township' as region_level,
        townname as name_zh,
        towneng as name_en,
        cast(countycode as string) as parent_code,
        lower(countyid) as county_letter
    from townships
),

village_rows as (
    select
        villages.village_code as region_code,
        'village' as region_level,
        villages.village_name as name_zh,
        cast(null as string) as name_en,
        villages.township_code as parent_code,
        township_rows.county_letter
    from villages
    inner join township_rows on villages.township_code = township_rows.region_code
),

unioned as (
    select * from nation
    union all
    select * from taiwan_area
    union all
    select * from county_rows
    union all
    select * from township_rows
    union all
    select * from village_rows
    union all
    select
        region_code,
        region_level,
        name_zh,
        name_en,
        parent_code,
        county_letter
    from unplaced
)

select * from unioned
