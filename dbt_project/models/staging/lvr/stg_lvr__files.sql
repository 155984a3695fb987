-- One row per file of each loaded 實價登錄 release, of every source: rows read at load, the
-- landed zip, and what the release covers (a season, a 10-day release, or a subset).
with

season_zips as (
    select
        *,
        'lvr_land' as source_id
    from {{ source('lvr', 'lvr_land_files') }}
),

mirrored as (
    select
        *,
        'lvr_land_mirror' as source_id
    from {{ source('lvr', 'lvr_land_mirror_files') }}
),

ten_day_releases as (
    select
        *,
        'lvr_land_issue' as source_id
    from {{ source('lvr', 'lvr_land_issue_files') }}
),

unioned as (
    {{ union_all_by_name({
        'season_zips': source('lvr', 'lvr_land_files'),
        'mirrored': source('lvr', 'lvr_land_mirror_files'),
        'ten_day_releases': source('lvr', 'lvr_land_issue_files'),
    }, added=['source_id']) }}
),

final as (
    select
        source_id,
        season,
        release,
        coverage,
        source_file,
        kind as file_kind,
        rows_read,
        header_fields,
        schema_file,
        season_start,
        published_by,
        raw_sha256,
        url,
        is_synthetic,
        loaded_at
    from unioned
)

select * from final
