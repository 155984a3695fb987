-- Enterprise activity (domain 4), by county and year: company and business registrations from
-- DGBAS 1998-2018, with average capital, density per 10,000 population and the new-company rate.
with

dgbas as (
    select * from {{ ref('int_dgbas__catalogue_values') }}
),

denominators as (
    select * from {{ ref('int_population_denominators') }}
),

dgbas_published as (
    {{ dgbas_published_rows('dgbas', 'enterprise') }}
),

inputs as (
    select
        region_code,
        period,
        source_id,
        bool_or(is_synthetic) as is_synthetic,
        {{ pivot_indicators(['companies_registered', 'companies_new', 'company_capital']) }}
    from dgbas
    group by region_code, period, source_id
),

with_denominators as (
    select
        inputs.region_code,
        inputs.period,
        inputs.source_id,
        inputs.is_synthetic
        or coalesce(denominators.is_synthetic, false)
        or coalesce(last_year.is_synthetic, false) as is_synthetic,
        inputs.companies_registered,
        inputs.companies_new,
        inputs.company_capital,
        last_year.companies_registered as companies_registered_last_year,
        denominators.pop_total
    from inputs
    left join denominators
        on
            inputs.region_code = denominators.region_code
            and inputs.period = denominators.period
    left join inputs as last_year
        on
            inputs.region_code = last_year.region_code
            and inputs.source_id = last_year.source_id
            and last_year.period = {{ years_before('inputs.period', 1) }}
),

derived as (
    {{ derived_indicator_rows('with_denominators', {
        'company_avg_capital': safe_divide('company_capital', 'companies_registered'),
        'companies_per_10k_pop': '10000 * ' ~ safe_divide('companies_registered', 'pop_total'),
        'new_company_rate':
            '100 * ' ~ safe_divide('companies_new', 'companies_registered_last_year'),
    }) }}
),

unioned as (
    select * from dgbas_published
    union all
    select * from derived
)

select * from unioned
