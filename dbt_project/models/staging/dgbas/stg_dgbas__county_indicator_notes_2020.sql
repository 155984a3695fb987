with

source as (
    select * from {{ source('dgbas', 'county_indicator_notes_2020') }}
),

renamed as (
    select
        category,
        indicator_zh,
        -- the notes write percentages with the full-width sign (％) except in 21-1 (%)
        replace(unit, '％', '%') as unit,
        definition,
        _source_id as source_id,
        _raw_sha256 as raw_sha256,
        _is_synthetic as is_synthetic
    from source
)

select * from renamed
