-- Villages (村里) known from the village-level releases; their code is the township code + 3
-- digits. Villages are renamed, merged and split between releases: the name of the newest
-- release that holds a code is kept.
with

village_file as (
    select
        village_code,
        village_name,
        roc_yyymm
    from {{ ref('stg_moi__village_households') }}
),

registration_api as (
    select
        village_code,
        village_name,
        roc_yyymm
    from {{ ref('stg_moi__household_registration') }}
),

segis as (
    select
        village_code,
        village_name,
        roc_yyymm
    from {{ ref('stg_segis__village_population') }}
),

education as (
    -- a year-end count: December of its year
    select distinct
        village_code,
        village_name,
        roc_year * 100 + 12 as roc_yyymm
    from {{ ref('stg_moi__village_education') }}
),

unioned as (
    select * from village_file
    union
    select * from registration_api
    union
    select * from segis
    union
    select * from education
),

newest_first as (
    select
        village_code,
        village_name,
        row_number() over (
            partition by village_code order by roc_yyymm desc, village_name asc
        ) as name_rank
    from unioned
    where village_name is not null
),

coded as (
    select
        village_code,
        village_name,
        substr(village_code, 1, 8) as township_code
    from newest_first
    where name_rank = 1
)

select * from coded
