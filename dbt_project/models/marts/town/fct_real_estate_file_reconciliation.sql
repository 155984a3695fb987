-- Published for auditors: per 實價登錄 file of each release, every row read is accounted for:
-- used by the marts, quarantined with a reason, or held (rows_not_modelled): a late
-- registration dated in a quarter no loaded release covers, which counts once a release
-- covering that quarter is loaded. The reasons counted, and what the release covers.
-- rows_unaccounted = 0 is this model's dbt test.
with

files as (
    select * from {{ ref('stg_lvr__files') }}
),

checked as (
    select * from {{ ref('int_real_estate__transactions_checked') }}
),

covered as (
    select * from {{ ref('int_real_estate__covered_quarters') }}
),

per_file as (
    select
        checked.source_id,
        checked.release,
        checked.source_file,
        count(*) as rows_staged,
        sum(case
            when checked.rejection_reason is null and covered.transaction_quarter is not null
                then 1
            else 0
        end) as rows_accepted,
        sum(case when checked.rejection_reason is not null then 1 else 0 end) as rows_quarantined,
        sum(case
            when checked.rejection_reason is null and covered.transaction_quarter is null
                then 1
            else 0
        end) as rows_held
    from checked
    left join covered
        on
            checked.county_letter = covered.county_letter
            and checked.file_kind = covered.file_kind
            and checked.transaction_quarter = covered.transaction_quarter
    group by checked.source_id, checked.release, checked.source_file
),

reasons as (
    select
        source_id,
        release,
        source_file,
        {{ ordered_string_agg(
            "rejection_reason || ': ' || cast(rows_with_reason as string)", "' | '",
            "rejection_reason"
        ) }} as quarantine_reasons
    from (
        select
            source_id,
            release,
            source_file,
            rejection_reason,
            count(*) as rows_with_reason
        from checked
        where rejection_reason is not null
        group by source_id, release, source_file, rejection_reason
    ) as counted
    group by source_id, release, source_file
),

final as (
    select
        cast(files.season as string) as season,
        cast(files.source_file as string) as source_file,
        cast(files.file_kind as string) as file_kind,
        cast(files.raw_sha256 as string) as raw_sha256,
        cast(files.rows_read as bigint) as rows_read,
        cast(coalesce(per_file.rows_accepted, 0) as bigint) as rows_accepted,
        cast(coalesce(per_file.rows_quarantined, 0) as bigint) as rows_quarantined,
        cast(coalesce(per_file.rows_held, 0) as bigint) as rows_not_modelled,
        cast(files.rows_read - coalesce(per_file.rows_staged, 0) as bigint) as rows_unaccounted,
        cast(reasons.quarantine_reasons as string) as quarantine_reasons,
        cast(files.is_synthetic as boolean) as is_synthetic,
        cast(files.source_id as string) as source_id,
        cast(files.release as string) as release,
        cast(files.coverage as string) as coverage
    from files
    left join per_file
        on
            files.source_id = per_file.source_id and files.release = per_file.release
            and files.source_file = per_file.source_file
    left join reasons
        on
            files.source_id = reasons.source_id and files.release = reasons.release
            and files.source_file = reasons.source_file
)

select * from final
