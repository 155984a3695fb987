with

source as (
    select * from {{ source('moi', 'village_households') }}
),

renamed as (
    select
        cast(code as string) as village_code,
        {{ normalise_region_name('substr(site, 1, 3)') }} as county_name,
        {{ normalise_region_name('substr(site, 4)') }} as township_name,
        {{ normalise_region_name('village') }} as village_name,
        cast(_yyymm as integer) as roc_yyymm,
        cast(households as bigint) as households,
        cast(population as bigint) as pop_total,
        cast(households_text as string) as households_text,
        cast(population_text as string) as pop_total_text,
        _source_id as source_id,
        _raw_sha256 as raw_sha256,
        _is_synthetic as is_synthetic
    from source
)

select * from renamed
