-- The transaction quarters each county's file of each kind has been published for. A season's
-- file holds what was registered in it: mostly sales of the quarter before (registration
-- follows the transfer), then its own quarter's, and late registrations reaching years back.
-- A loaded season covers its own quarter and the one before; a 10-day release, those of the
-- season it belongs to. Only covered quarters are market activity: late rows of an earlier
-- quarter revise it once it is covered, and make no quarter of their own (64000 1986 Q4 was
-- one transaction).
with

checked as (
    select * from {{ ref('int_real_estate__transactions_checked') }}
),

files as (
    select * from {{ ref('stg_lvr__files') }}
),

loads as (
    select distinct
        checked.county_letter,
        checked.file_kind,
        files.season_start as season_quarter
    from checked
    inner join files
        on
            checked.source_id = files.source_id and checked.release = files.release
            and checked.source_file = files.source_file
),

covered as (
    select
        county_letter,
        file_kind,
        season_quarter as transaction_quarter
    from loads
    union
    select
        county_letter,
        file_kind,
        {{ months_after('season_quarter', -3) }} as transaction_quarter
    from loads
)

select * from covered
