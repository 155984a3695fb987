-- Villages (村里) known from the village-level releases; their code is the township code + 3 digits.
with

village_file as (
    select village_code, village_name from {{ ref('stg_moi__village_households') }}
),

registration_api as (
    select village_code, village_name from {{ ref('stg_moi__household_registration') }}
),

unioned as (
    select * from village_file
    union
    select * from registration_api
),

coded as (
    select
        village_code,
        min(village_name) as village_name,
        substr(village_code, 1, 8) as township_code
    from unioned
    group by village_code
)

select * from coded
