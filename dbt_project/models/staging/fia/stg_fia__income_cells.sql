-- The cells of the four FIA income tables (2012-2018 distribution and categories, 2023
-- townships, 2024 preliminary), which sources/income.py lands in one shape: one row per
-- published cell with its level, year, names or code, and the cell as published. Renamed and
-- typed once; only the 2024 release carries a release_status (null, final, elsewhere).
with

distribution as (
    select * from {{ source('fia', 'income_distribution') }}
),

by_category as (
    select * from {{ source('fia', 'income_by_category') }}
),

townships_2023 as (
    select * from {{ source('fia', 'township_income_2023') }}
),

preliminary_2024 as (
    select * from {{ source('fia', 'income_2024_preliminary') }}
),

source as (
-- by name: release_status is the 2024 table's own column
    {{ union_all_by_name({
        'distribution': source('fia', 'income_distribution'),
        'by_category': source('fia', 'income_by_category'),
        'townships_2023': source('fia', 'township_income_2023'),
        'preliminary_2024': source('fia', 'income_2024_preliminary'),
    }) }}
),

renamed as (
    select
        case level when 'town' then 'township' else level end as region_level,
        case when year_is_roc then {{ roc_to_ad_year('year') }} else cast(year as integer) end
            as income_year,
        cast(region_code as string) as published_code,
        {{ normalise_region_name('county_name') }} as county_name,
        {{ normalise_region_name('town_name') }} as township_name,
        {{ normalise_region_name('village_name') }} as village_name,
        measure,
        cast(value as double) as value,
        value_text,
        value_problem,
        cast(release_status as string) as release_status,
        _source_id as source_id,
        _raw_sha256 as raw_sha256,
        _is_synthetic as is_synthetic
    from source
)

select * from renamed
