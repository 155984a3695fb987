-- 實價登錄 rows that cannot be used, with the reason (published through fct_quarantined_row):
-- a transaction date that is no 民國 date (81052), a price or area that is no number, a
-- 鄉鎮市區 that is no township of the file's county, a 交易標的 of no known kind.
with

checked as (
    select * from {{ ref('int_real_estate__transactions_checked') }}
),

quarantined as (
    select
        'lvr_land' as source_id,
        raw_sha256,
        'season=' || season || '; file=' || source_file || '; line=' || cast(source_row as varchar)
            || '; 編號=' || coalesce(serial_no, '') || '; 交易年月日=' || coalesce(transaction_date_text, '')
            || '; 總價元=' || coalesce(total_price_text, '') as record,
        rejection_reason as reason,
        season,
        source_file
    from checked
    where rejection_reason is not null
)

select * from quarantined
