with

source as (
    select * from {{ source('moi', 'household_registration_api') }}
),

renamed as (
    select
        cast(district_code as string) as village_code,
        {{ normalise_region_name('substr(site_id, 1, 3)') }} as county_name,
        {{ normalise_region_name('substr(site_id, 4)') }} as township_name,
        {{ normalise_region_name('village') }} as village_name,
        cast(statistic_yyymm as integer) as roc_yyymm,
        cast(household_no as bigint) as households,
        cast(people_total as bigint) as pop_total,
        cast(people_total_m as bigint) as pop_male,
        cast(people_total_f as bigint) as pop_female,
        cast(household_no_text as string) as households_text,
        cast(people_total_text as string) as pop_total_text,
        cast(people_total_m_text as string) as pop_male_text,
        cast(people_total_f_text as string) as pop_female_text,
        _source_id as source_id,
        _raw_sha256 as raw_sha256,
        _is_synthetic as is_synthetic
    from source
)

select * from renamed
