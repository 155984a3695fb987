-- Income year 2024: FIA's county table (表6-1) holds returns its township tables (表165) do not
-- place in a township (county 「其他」 rows). They are kept at county level as the
-- pseudo-region '<county code>-unplaced': county row minus the sum of its townships, for the
-- additive figures, where it is not zero. Computed only where every township cell of the
-- county was accepted; a negative remainder (townships above their county) is rejected to
-- int_income__quarantine, never published.
with

cells as (
    select * from {{ ref('int_income__cells_checked') }}
    where
        source_id = 'fia_income_2024_preliminary'
        and indicator_code in ('income_tax_units', 'income_total')
),

counties as (
    select
        source_id,
        income_year,
        period,
        indicator_code,
        county_code,
        value as county_value,
        release_status,
        raw_sha256,
        is_synthetic
    from cells
    where region_level = 'county' and rejection_reason is null
),

township_sums as (
    select
        source_id,
        income_year,
        indicator_code,
        substr(township_code, 1, 5) as county_code,
        sum(value) as townships_value,
        count(*) filter (where rejection_reason is not null) as rejected_cells
    from cells
    where region_level = 'township' and township_code is not null
    group by all
),

remainders as (
    select
        counties.indicator_code,
        counties.county_code || '-unplaced' as region_code,
        counties.county_code,
        counties.period,
        counties.county_value - township_sums.townships_value as value,
        counties.county_value,
        township_sums.townships_value,
        counties.release_status,
        counties.source_id,
        counties.raw_sha256,
        counties.is_synthetic
    from counties
    inner join township_sums
        on
            counties.source_id = township_sums.source_id
            and counties.income_year = township_sums.income_year
            and counties.indicator_code = township_sums.indicator_code
            and counties.county_code = township_sums.county_code
    where
        township_sums.rejected_cells = 0
        and counties.county_value <> township_sums.townships_value
),

checked as (
    select
        *,
        case when value < 0 then 'county row below the sum of its townships' end
            as rejection_reason
    from remainders
)

select * from checked
