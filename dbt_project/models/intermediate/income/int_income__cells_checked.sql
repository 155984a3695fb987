-- Every published cell of the four FIA income tables, with its region code and indicator, or
-- why it is rejected (int_income__quarantine publishes the rejected ones: none is dropped).
-- Regions: the published MOI code where there is one, else the normalised county + township
-- name through int_region_names (crosswalk included), and the village name within its
-- township through int_villages. Each township's village row 「其他」 (returns FIA could not
-- place in a village) becomes the pseudo-region '<township code>-unplaced', so the villages of
-- a township, with it, add up to the township.
{{ config(materialized='table') }}

{#- copies of one cell (a window named once; Spark cannot extend a named window by an order) -#}
{%- set same_cell -%}
    partition by
        source_id, income_year, indicator_code,
        coalesce(region_code, concat_ws(
            '|', region_level, published_code, county_name,
            township_name, village_name
        ))
{%- endset %}

with

cells as (
    select * from {{ ref('stg_fia__income_cells') }}
),

region_names as (
    select
        region_code,
        region_level,
        lookup_name
    from {{ ref('int_region_names') }}
    where region_level in ('county', 'township')
),

region_codes as (
    select distinct
        region_code,
        region_level
    from region_names
),

villages as (
    select
        village_code,
        township_code,
        {{ normalise_region_name('village_name') }} as village_name
    from {{ ref('int_villages') }}
),

-- publisher field -> indicator code (catalogue), per source
indicator_measures as (
    -- columns qualified: sqlfluff's AL05 fix drops an alias it thinks unused, column list and all
    select
        measures.source_id,
        measures.measure,
        measures.indicator_code
    from (
        values
        ('fia_income_distribution', 'unit', 'income_tax_units'),
        ('fia_income_distribution', 'individual_income', 'income_total'),
        ('fia_income_distribution', 'avg', 'income_mean'),
        ('fia_income_distribution', 'median', 'income_median'),
        ('fia_income_distribution', 'q1', 'income_q1'),
        ('fia_income_distribution', 'q3', 'income_q3'),
        ('fia_income_distribution', 'sd', 'income_sd'),
        ('fia_income_distribution', 'var', 'income_cv'),
        ('fia_township_income_2023', '納稅單位(戶)', 'income_tax_units'),
        ('fia_township_income_2023', '綜合所得總額', 'income_total'),
        ('fia_township_income_2023', '平均數', 'income_mean'),
        ('fia_township_income_2023', '中位數', 'income_median'),
        ('fia_township_income_2023', '第一分位數', 'income_q1'),
        ('fia_township_income_2023', '第三分位數', 'income_q3'),
        ('fia_township_income_2023', '標準差', 'income_sd'),
        ('fia_township_income_2023', '變異係數', 'income_cv'),
        ('fia_income_2024_preliminary', 'taxUnits', 'income_tax_units'),
        ('fia_income_2024_preliminary', 'incomeTotalK', 'income_total'),
        ('fia_income_2024_preliminary', 'reportedMeanK', 'income_mean'),
        ('fia_income_2024_preliminary', 'medianK', 'income_median'),
        ('fia_income_2024_preliminary', 'q1K', 'income_q1'),
        ('fia_income_2024_preliminary', 'q3K', 'income_q3'),
        ('fia_income_2024_preliminary', 'standardDeviationK', 'income_sd'),
        ('fia_income_2024_preliminary', 'coefficientOfVariation', 'income_cv'),
        ('fia_income_by_category', 'profit_seeking_income', 'income_business'),
        ('fia_income_by_category', 'professional_practice_income', 'income_professional_practice'),
        ('fia_income_by_category', 'employment_income', 'income_salary'),
        ('fia_income_by_category', 'interest_income', 'income_interest'),
        ('fia_income_by_category', 'lease_royalties_income', 'income_rent'),
        ('fia_income_by_category', 'property_transaction_income', 'income_property_transactions'),
        ('fia_income_by_category', 'award_chance_income', 'income_prizes'),
        ('fia_income_by_category', 'dividends_income', 'income_dividends'),
        ('fia_income_by_category', 'separation_income', 'income_retirement'),
        ('fia_income_by_category', 'other_income', 'income_other'),
        ('fia_income_by_category', 'published_aritcles_income', 'income_manuscript_fees')
    ) as measures (source_id, measure, indicator_code)
),

-- the county and township of each cell: by code where published, else by name
placed as (
    select
        cells.*,
        indicator_measures.indicator_code,
        coalesce(county_by_code.region_code, county_by_name.region_code) as county_code,
        coalesce(township_by_code.region_code, township_by_name.region_code) as township_code,
        -- a code published beside a name must be the code of that name
        coalesce(
            county_by_code.region_code <> county_by_name.region_code
            or township_by_code.region_code <> township_by_name.region_code, false)
            as code_contradicts_name
    from cells
    left join indicator_measures
        on
            cells.source_id = indicator_measures.source_id
            and cells.measure = indicator_measures.measure
    left join region_codes as county_by_code
        on
            county_by_code.region_level = 'county'
            and cells.region_level = 'county'
            and cells.published_code = county_by_code.region_code
    left join region_names as county_by_name
        on
            county_by_name.region_level = 'county'
            and cells.region_level = 'county'
            and cells.county_name = county_by_name.lookup_name
    left join region_codes as township_by_code
        on
            township_by_code.region_level = 'township'
            and cells.region_level in ('township', 'village')
            and cells.published_code = township_by_code.region_code
    left join region_names as township_by_name
        on
            township_by_name.region_level = 'township'
            and cells.region_level in ('township', 'village')
            and township_by_name.lookup_name = cells.county_name || cells.township_name
),

coded as (
    select
        placed.*,
        case placed.region_level
            when 'county' then placed.county_code
            when 'township' then placed.township_code
            when 'village' then
                case
                    when placed.village_name = '其他' then placed.township_code || '-unplaced'
                    else villages.village_code
                end
        end as region_code,
        placed.village_name = '其他' as is_unplaced_remainder
    from placed
    left join villages
        on
            placed.region_level = 'village'
            and placed.township_code = villages.township_code
            and placed.village_name = villages.village_name
),

copies as (
    select
        *,
        -- a historical name and the current one are copies of one region too
        row_number() over ({{ same_cell }} order by raw_sha256, value_text) as copy_number,
        coalesce(min(value) over ({{ same_cell }}) <> max(value) over ({{ same_cell }}), false)
            as has_conflicting_copies
    from coded
),

-- 0 filing units: FIA prints 0 for every statistic, which is no statistic
no_units as (
    select distinct
        source_id,
        income_year,
        region_code
    from copies
    where indicator_code = 'income_tax_units' and value = 0 and region_code is not null
),

checked as (
    select
        copies.indicator_code,
        copies.region_code,
        copies.region_level,
        copies.income_year,
        {{ year_start('copies.income_year') }} as period,
        copies.value,
        copies.is_unplaced_remainder,
        copies.release_status,
        copies.source_id,
        copies.raw_sha256,
        copies.is_synthetic,
        copies.county_code,
        copies.township_code,
        -- the published row the cell belongs to; quarantine groups a row's rejected cells
        concat_ws(
            '; ',
            'year=' || copies.income_year,
            'level=' || copies.region_level,
            'code=' || copies.published_code,
            'county=' || copies.county_name,
            'town=' || copies.township_name,
            'village=' || copies.village_name,
            case when copies.copy_number > 1 then 'copy=' || copies.copy_number end
        ) as published_row,
        copies.measure || '=' || copies.value_text as published_cell,
        case
            when copies.indicator_code is null then 'field not mapped to an indicator'
            when copies.value_problem is not null then copies.value_problem
            when
                copies.published_code is not null
                and coalesce(copies.county_code, copies.township_code) is null
                then 'published code not in code table'
            when copies.code_contradicts_name then 'published code and name are different regions'
            when copies.region_level = 'county' and copies.county_code is null
                then 'county not in code table'
            when copies.region_level in ('township', 'village') and copies.township_code is null
                then 'township not in code table'
            when copies.region_code is null
                then 'village not in dim_region (no village code known for this name)'
            when copies.has_conflicting_copies
                then 'conflicting duplicate rows (same region and year, different values)'
            when copies.copy_number > 1 then 'duplicate row (same region and year)'
            when
                no_units.region_code is not null
                and copies.indicator_code not in ('income_tax_units', 'income_total')
                then 'statistic of a region with 0 filing units (published as 0)'
        end as rejection_reason
    from copies
    left join no_units
        on
            copies.source_id = no_units.source_id
            and copies.income_year = no_units.income_year
            and copies.region_code = no_units.region_code
)

select * from checked
