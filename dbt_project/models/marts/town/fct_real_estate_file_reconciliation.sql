-- Published for auditors: per 實價登錄 file of each release, rows read = rows accepted + rows
-- quarantined, with the quarantine reasons counted and what the release covers.
with

reconciliation as (
    select * from {{ ref('int_real_estate__file_reconciliation') }}
),

final as (
    select
        cast(season as string) as season,
        cast(source_file as string) as source_file,
        cast(file_kind as string) as file_kind,
        cast(raw_sha256 as string) as raw_sha256,
        cast(rows_read as bigint) as rows_read,
        cast(rows_accepted as bigint) as rows_accepted,
        cast(rows_quarantined as bigint) as rows_quarantined,
        cast(rows_not_modelled as bigint) as rows_not_modelled,
        cast(rows_unaccounted as bigint) as rows_unaccounted,
        cast(quarantine_reasons as string) as quarantine_reasons,
        cast(is_synthetic as boolean) as is_synthetic,
        cast(source_id as string) as source_id,
        cast(release as string) as release,
        cast(coverage as string) as coverage
    from reconciliation
)

select * from final
