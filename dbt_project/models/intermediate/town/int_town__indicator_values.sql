-- Town development (domain 6), by county and year: housing from DGBAS 1998-2018 (家庭收支調查),
-- extended to 2015 by the MOL yearbook (表14-2).
with

dgbas as (
    select * from {{ ref('int_dgbas__catalogue_values') }}
),

mol_wide as (
    select * from {{ ref('int_mol__household_income_by_county') }}
),

dgbas_published as (
    {{ dgbas_published_rows('dgbas', 'town', source_priority=1) }}
),

mol_published as (
    {{ derived_indicator_rows('mol_wide', {
        'home_ownership_rate': 'home_ownership_rate_pct',
        'floor_area_per_capita': safe_divide('floor_space_ping', 'persons_per_household'),
    }) }}
),

unioned as (
    select * from dgbas_published
    union all
    -- the yearbook extends DGBAS's series: DGBAS wins where both publish a year
    select
        *,
        2 as source_priority
    from mol_published
),

deduplicated as (
    {{ first_by_priority('unioned') }}
)

select * from deduplicated
