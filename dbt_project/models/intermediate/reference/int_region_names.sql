-- Every name a source may use for a region, normalised, mapped to its code.
with

counties as (
    select * from {{ ref('county_names') }}
),

townships as (
    select * from {{ ref('town_codes_moi_20200324') }}
),

crosswalk as (
    select * from {{ ref('region_name_crosswalk') }}
),

nation_names as (
    -- qualified: sqlfluff's AL05 fix drops an alias it thinks unused, column list and all
    select
        'TW' as region_code,
        'nation' as region_level,
        nation_name_list.lookup_name
    from (values ('總計'), ('全國'), ('總平均'), ('中華民國'), ('臺閩地區')) as nation_name_list (lookup_name)
),

-- 臺灣地區 (the Taiwan area: the nation without 金門縣 and 連江縣) is a region of its own: DGBAS
-- publishes figures for it that it has for no nation (unemployment rate, household income),
-- and they are not the nation's
area_names as (
    select
        'TW-TA' as region_code,
        'area' as region_level,
        '臺灣地區' as lookup_name
),

county_names as (
    select
        cast(county_code as string) as region_code,
        'county' as region_level,
        {{ normalise_region_name('name_zh') }} as lookup_name
    from counties
),

township_names as (
    select
        cast(townships.towncode as string) as region_code,
        'township' as region_level,
        {{ normalise_region_name('townships.countyname || townships.townname') }} as lookup_name
    from townships
),

current_names as (
    select * from nation_names
    union all
    select * from area_names
    union all
    select * from county_names
    union all
    select * from township_names
),

historical_names as (
    select
        current_names.region_code,
        current_names.region_level,
        {{ normalise_region_name('crosswalk.historical_name') }} as lookup_name
    from crosswalk
    inner join current_names
        on
            {{ normalise_region_name('crosswalk.current_name') }} = current_names.lookup_name
            and crosswalk.region_level = current_names.region_level
),

unioned as (
    select
        region_code,
        region_level,
        lookup_name,
        false as is_historical
    from current_names
    union all
    select
        region_code,
        region_level,
        lookup_name,
        true as is_historical
    from historical_names
)

select * from unioned
