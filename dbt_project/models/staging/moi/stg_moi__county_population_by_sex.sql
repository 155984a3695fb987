with

source as (
    select * from {{ source('moi', 'county_population_by_sex') }}
),

renamed as (
    select
        {{ normalise_region_name(published_column('區域別')) }} as region_name,
        cast(_yyymm as integer) as roc_yyymm,
        cast({{ published_column('合計') }} as bigint) as pop_total,
        cast({{ published_column('男性') }} as bigint) as pop_male,
        cast({{ published_column('女性') }} as bigint) as pop_female,
        cast({{ published_column('百分比') }} as double) as published_share_pct,
        cast({{ published_column('合計_text') }} as string) as pop_total_text,
        cast({{ published_column('男性_text') }} as string) as pop_male_text,
        cast({{ published_column('女性_text') }} as string) as pop_female_text,
        _source_id as source_id,
        _raw_sha256 as raw_sha256,
        _is_synthetic as is_synthetic
    from source
)

select * from renamed
