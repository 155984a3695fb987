-- Population rows rejected on their way to the marts, with the reason (published through
-- fct_quarantined_row, so an auditor can account for every row of every landed file).
with

townships as (
    select * from {{ ref('int_population__townships_checked') }}
),

counties as (
    select * from {{ ref('int_population__counties_checked') }}
),

villages as (
    select * from {{ ref('int_population__villages_checked') }}
),

projection as (
    select * from {{ ref('int_population__projection_checked') }}
),

village_education as (
    select * from {{ ref('int_population__village_education_checked') }}
),

segis_villages as (
    select * from {{ ref('int_population__segis_villages_checked') }}
),

segis_age as (
    select * from {{ ref('int_population__segis_age_checked') }}
),

segis_indigenous as (
    select * from {{ ref('int_population__segis_indigenous_checked') }}
),

quarantined as (
    {{ rejected_rows('townships') }}
    union all
    {{ rejected_rows('counties') }}
    union all
    {{ rejected_rows('villages') }}
    union all
    {{ rejected_rows('projection') }}
    union all
    {{ rejected_rows('village_education') }}
    union all
    {{ rejected_rows('segis_villages') }}
    union all
    -- a density withheld from a village that is otherwise accepted
    {{ rejected_rows('segis_villages', reason='density_rejection_reason',
                     where='rejection_reason is null') }}
    union all
    {{ rejected_rows('segis_age') }}
    union all
    {{ rejected_rows('segis_indigenous') }}
)

select * from quarantined
