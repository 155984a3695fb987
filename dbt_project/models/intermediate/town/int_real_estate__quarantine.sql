-- 實價登錄 rows that cannot be used, with the reason (published through fct_quarantined_row):
-- a row with more or fewer fields than its header, a transaction date that is no 民國 date
-- (81052) or after its release (1111231 in a 2022-04 release), a price, area or room count that
-- is no number (1e999, 386336.7 rooms), a 鄉鎮市區 that is no township of the file's county, a
-- 交易標的 of no known kind, a 編號 seen before.
with

checked as (
    select
        *,
        'release=' || release || '; season=' || season || '; file=' || source_file || '; line='
        || cast(source_row as string) || '; 編號=' || coalesce(serial_no, '')
        || '; 交易年月日=' || coalesce(transaction_date_text, '')
        || '; 總價元=' || coalesce(total_price_text, '')
        || coalesce('; fields beyond the header=' || extra_fields, '') as record
    from {{ ref('int_real_estate__transactions_checked') }}
),

quarantined as (
    {{ rejected_rows('checked') }}
)

select * from quarantined
