-- Regional economic cycle (domain 2), by county and year: DGBAS 1998-2018 (家庭收支調查, 營利事業
-- 銷售額), household income extended to 2015 by the MOL yearbook (表14-2), and per-capita and
-- per-employee values derived from the same region and year.
with

dgbas as (
    select * from {{ ref('int_dgbas__catalogue_values') }}
),

mol_wide as (
    select * from {{ ref('int_mol__household_income_by_county') }}
),

denominators as (
    select * from {{ ref('int_population_denominators') }}
),

dgbas_published as (
    {{ dgbas_published_rows('dgbas', 'economy', source_priority=1) }}
),

mol_published as (
    {{ derived_indicator_rows('mol_wide', {
        'household_disposable_income': 'disposable_income_ntd',
        'household_consumption': 'consumption_expenditure_ntd',
        'household_savings': 'saving_ntd',
        'household_savings_rate': 'saving_rate_pct',
        'household_nonconsumption_expenditure': 'nonconsumption_expenditure_ntd',
        'disposable_income_per_capita':
            safe_divide('disposable_income_ntd', 'persons_per_household'),
    }) }}
),

inputs as (
    select
        region_code,
        period,
        source_id,
        bool_or(is_synthetic) as is_synthetic,
        {{ pivot_indicators(['business_sales', 'factory_revenue', 'factory_employees']) }}
    from dgbas
    group by region_code, period, source_id
),

with_population as (
    select
        inputs.region_code,
        inputs.period,
        inputs.source_id,
        inputs.is_synthetic or coalesce(denominators.is_synthetic, false) as is_synthetic,
        inputs.business_sales,
        inputs.factory_revenue,
        inputs.factory_employees,
        denominators.pop_total
    from inputs
    left join denominators
        on
            inputs.region_code = denominators.region_code
            and inputs.period = denominators.period
),

derived as (
    {{ derived_indicator_rows('with_population', {
        'business_sales_per_capita': safe_divide('business_sales', 'pop_total'),
        'factory_revenue_per_employee': safe_divide('factory_revenue', 'factory_employees'),
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
    union all
    select
        *,
        1 as source_priority
    from derived
),

deduplicated as (
    {{ first_by_priority('unioned') }}
)

select * from deduplicated
