-- Every row read from a 實價登錄 file is accounted for: staged into the checked transactions
-- and used, or quarantined with a reason; rentals (file c) are read but not modelled.
with

files as (
    select * from {{ source('lvr', 'lvr_land_files') }}
),

checked as (
    select * from {{ ref('int_real_estate__transactions_checked') }}
),

per_file as (
    select
        season,
        source_file,
        count(*) as rows_staged,
        sum(case when rejection_reason is null then 1 else 0 end) as rows_accepted,
        sum(case when rejection_reason is not null then 1 else 0 end) as rows_quarantined
    from checked
    group by season, source_file
),

reasons as (
    select
        season,
        source_file,
        {{ dbt.listagg("rejection_reason || ': ' || cast(rows_with_reason as varchar)", "' | '", "order by rejection_reason") }} as quarantine_reasons
    from (
        select season, source_file, rejection_reason, count(*) as rows_with_reason
        from checked
        where rejection_reason is not null
        group by season, source_file, rejection_reason
    ) as counted
    group by season, source_file
),

reconciled as (
    select
        files.season,
        files.source_file,
        files.kind as file_kind,
        files.raw_sha256,
        files.is_synthetic,
        files.rows_read,
        coalesce(per_file.rows_accepted, 0) as rows_accepted,
        coalesce(per_file.rows_quarantined, 0) as rows_quarantined,
        case when files.kind = 'c' then files.rows_read else 0 end as rows_not_modelled,
        files.rows_read - coalesce(per_file.rows_staged, 0)
            - case when files.kind = 'c' then files.rows_read else 0 end as rows_unaccounted,
        reasons.quarantine_reasons
    from files
    left join per_file
        on files.season = per_file.season and files.source_file = per_file.source_file
    left join reasons
        on files.season = reasons.season and files.source_file = reasons.source_file
)

select * from reconciled
