-- The county labour panel (a transcription, 2019-2024) with the catalogue code of each
-- measure and the county's code, or why a cell is rejected: a county name that matches no
-- county, a cell that is not a plain number (NaN, 1e999 ... as written), a rate outside
-- 0-100, or a county-year written twice. An empty cell (the wage of 金門縣 and 連江縣, not
-- surveyed) is not published and not rejected: missing, not zero.
with

panel as (
    select * from {{ ref('stg_labour_panel__county_years') }}
),

region_names as (
    select
        region_code,
        lookup_name
    from {{ ref('int_region_names') }}
    where region_level = 'county'
),

coded as (
    select
        panel.*,
        region_names.region_code,
        case panel.measure
            when 'wage_median_10k' then 'median_annual_wage'
            when 'lfpr' then 'labour_force_participation_rate'
            when 'unemp_rate' then 'unemployment_rate'
            when 'college_pct' then 'civilian_15plus_tertiary_share'
            when 'industry_pct' then 'employment_share_industry'
        end as indicator_code,
        count(*) over (partition by panel.county_name, panel.year, panel.measure, panel.source_id)
            as copies
    from panel
    left join region_names on panel.county_name = region_names.lookup_name
),

checked as (
    select
        indicator_code,
        region_code,
        {{ year_start('year') }} as period,
        -- the wage is written in 萬元: to NT$ in decimal, so 44.9 becomes exactly 449000
        case
            when measure = 'wage_median_10k' and value is not null
                then cast(cast(value_text as decimal(38, 10)) * 10000 as double)
            else value
        end as value,
        source_id,
        raw_sha256,
        is_synthetic,
        'county=' || coalesce(county_name, 'null') || '; year=' || cast(year as string)
        || '; ' || measure || '=' || coalesce(value_text, 'null') as record,
        case
            when
                region_code is null
                then 'county ' || coalesce(county_name, '(empty)') || ' is no county'
            when copies > 1 then 'county-year written ' || cast(copies as string) || ' times'
            when value is null and coalesce(value_text, '') <> '' then 'value is not a number'
            when measure <> 'wage_median_10k' and (value < 0 or value > 100)
                then 'rate outside 0-100'
            when value < 0 then 'negative wage'
        end as rejection_reason
    from coded
    where value is not null or coalesce(value_text, '') <> ''
)

select * from checked
