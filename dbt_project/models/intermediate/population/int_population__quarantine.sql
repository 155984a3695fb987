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
    select source_id, raw_sha256, record, rejection_reason as reason
    from townships
    where rejection_reason is not null
    union all
    select source_id, raw_sha256, record, rejection_reason as reason
    from counties
    where rejection_reason is not null
    union all
    select source_id, raw_sha256, record, rejection_reason as reason
    from villages
    where rejection_reason is not null
    union all
    select source_id, raw_sha256, record, rejection_reason as reason
    from projection
    where rejection_reason is not null
    union all
    select source_id, raw_sha256, record, rejection_reason as reason
    from village_education
    where rejection_reason is not null
    union all
    select source_id, raw_sha256, record, rejection_reason as reason
    from segis_villages
    where rejection_reason is not null
    union all
    select source_id, raw_sha256, record, density_rejection_reason as reason
    from segis_villages
    where rejection_reason is null and density_rejection_reason is not null
    union all
    select source_id, raw_sha256, record, rejection_reason as reason
    from segis_age
    where rejection_reason is not null
    union all
    select source_id, raw_sha256, record, rejection_reason as reason
    from segis_indigenous
    where rejection_reason is not null
)

select * from quarantined
