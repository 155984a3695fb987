with

source as (
    select * from {{ source('segis', 'village_indigenous') }}
),

renamed as (
    select
        cast(district_code as string) as village_code,
        cast(substr(info_time, 1, 3) as integer) * 100 + cast(substr(info_time, 5, 2) as integer)
            as roc_yyymm,
        cast(o_cnt as bigint) as pop_indigenous,
        cast(o1_cnt as bigint) as pop_indigenous_plains,
        cast(o2_cnt as bigint) as pop_indigenous_mountain,
        cast(o_cnt_text as string) as pop_indigenous_text,
        cast(o1_cnt_text as string) as pop_indigenous_plains_text,
        cast(o2_cnt_text as string) as pop_indigenous_mountain_text,
        _source_id as source_id,
        _raw_sha256 as raw_sha256,
        _is_synthetic as is_synthetic
    from source
)

select * from renamed
