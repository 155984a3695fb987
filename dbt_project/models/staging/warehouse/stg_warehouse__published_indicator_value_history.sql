with

source as (
    select * from {{ source('warehouse', 'published_indicator_value_history') }}
),

renamed as (
    select
        mart,
        indicator_code,
        region_code,
        period,
        grain,
        scenario,
        value,
        previous_value,
        valid_from,
        valid_to,
        valid_from_basis,
        source_id,
        raw_sha256,
        run_id,
        recorded_at
    from source
)

select * from renamed
