-- Every row read from a 實價登錄 file is accounted for: staged into the checked transactions
-- and used, or quarantined with a reason (rentals, file c, are modelled too now: none is left
-- unmodelled).
with

files as (
    select * from {{ ref('stg_lvr__files') }}
),

checked as (
    select * from {{ ref('int_real_estate__transactions_checked') }}
),

per_file as (
    select
        source_id,
        release,
        source_file,
        count(*) as rows_staged,
        sum(case when rejection_reason is null then 1 else 0 end) as rows_accepted,
        sum(case when rejection_reason is not null then 1 else 0 end) as rows_quarantined
    from checked
    group by source_id, release, source_file
),

reasons as (
    select
        source_id,
        release,
        source_file,
        {{ ordered_string_agg("rejection_reason || ': ' || cast(rows_with_reason as string)",
                              "' | '", 'rejection_reason') }} as quarantine_reasons
    from (
        select source_id, release, source_file, rejection_reason, count(*) as rows_with_reason
        from checked
        where rejection_reason is not null
        group by source_id, release, source_file, rejection_reason
    ) as counted
    group by source_id, release, source_file
),

reconciled as (
    select
        files.season,
        files.source_file,
        files.file_kind,
        files.raw_sha256,
        files.is_synthetic,
        files.rows_read,
        coalesce(per_file.rows_accepted, 0) as rows_accepted,
        coalesce(per_file.rows_quarantined, 0) as rows_quarantined,
        0 as rows_not_modelled,
        files.rows_read - coalesce(per_file.rows_staged, 0) as rows_unaccounted,
        reasons.quarantine_reasons,
        files.source_id,
        files.release,
        files.coverage
    from files
    left join per_file
        on files.source_id = per_file.source_id and files.release = per_file.release
        and files.source_file = per_file.source_file
    left join reasons
        on files.source_id = reasons.source_id and files.release = reasons.release
        and files.source_file = reasons.source_file
)

select * from reconciled
