-- Industrial structure (domain 3), by county and year: DGBAS 1998-2018 (人力資源調查 employment
-- shares, 工廠校正及營運調查, 農林漁牧業產值), the industry share extended to 2019-2024 by the
-- county labour panel (a transcription), and the location quotient of each sector.
with

dgbas as (
    select * from {{ ref('int_dgbas__catalogue_values') }}
),

dgbas_cells as (
    select * from {{ ref('int_dgbas__export_cells') }}
),

catalogue as (
    select * from {{ ref('indicator_catalogue') }}
),

dgbas_published as (
    {{ dgbas_published_rows('dgbas', 'industry', source_priority=1) }}
),

-- the county labour panel (a transcription) extends the industry share to 2019-2024; DGBAS's
-- own file wins wherever both give a county-year
labour_panel_published as (
    select
        indicator_code,
        region_code,
        period,
        'year' as grain,
        cast(null as string) as scenario,
        value,
        is_synthetic,
        source_id,
        case when is_synthetic then 'synthetic' end as quality_flag,
        3 as source_priority
    from {{ ref('int_welfare__labour_panel_checked') }}
    where rejection_reason is null and indicator_code = 'employment_share_industry'
),

-- The export gives the labour survey's shares for 臺灣地區 but no 總計 (金門 and 連江 have their
-- own figures, from 2000/2002, but no weight to add them with), so 臺灣地區 is the nation
-- benchmark of the location quotient.
taiwan_area_shares as (
    select
        {{ year_start('dgbas_cells.year') }} as period,
        {{ pivot_indicators(['employment_share_agriculture', 'employment_share_industry',
                             'employment_share_services']) }}
    from dgbas_cells
    inner join catalogue on dgbas_cells.indicator_zh = catalogue.dgbas_indicator_zh
    where dgbas_cells.region_name = '臺灣地區' and dgbas_cells.release_rank = 1
    group by dgbas_cells.year
),

county_shares as (
    select
        region_code,
        period,
        source_id,
        bool_or(is_synthetic) as is_synthetic,
        {{ pivot_indicators(['employment_share_agriculture', 'employment_share_industry',
                             'employment_share_services']) }}
    from dgbas
    where region_level = 'county'
    group by region_code, period, source_id
),

shares as (
    select
        county_shares.region_code,
        county_shares.period,
        county_shares.source_id,
        county_shares.is_synthetic,
        county_shares.employment_share_agriculture,
        county_shares.employment_share_industry,
        county_shares.employment_share_services,
        taiwan_area_shares.employment_share_agriculture as nation_share_agriculture,
        taiwan_area_shares.employment_share_industry as nation_share_industry,
        taiwan_area_shares.employment_share_services as nation_share_services
    from county_shares
    inner join taiwan_area_shares on county_shares.period = taiwan_area_shares.period
),

location_quotients as (
    {{ derived_indicator_rows('shares', {
        'location_quotient_agriculture':
            safe_divide('employment_share_agriculture', 'nation_share_agriculture'),
        'location_quotient_industry':
            safe_divide('employment_share_industry', 'nation_share_industry'),
        'location_quotient_services':
            safe_divide('employment_share_services', 'nation_share_services'),
    }) }}
),

unioned as (
    select * from dgbas_published
    union all
    select
        *,
        1 as source_priority
    from location_quotients
    union all
    select * from labour_panel_published
),

deduplicated as (
    {{ first_by_priority('unioned') }}
)

select * from deduplicated
