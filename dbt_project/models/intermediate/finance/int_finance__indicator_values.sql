-- Local finance (domain 8), by county and year: DGBAS 1998-2018 (final accounts, 稅捐實徵淨額,
-- 平均每人稅賦, 欠稅), per-capita values over the mid-year population as DGBAS computes its own,
-- and the property taxes of the MOF statistics database (offline: a SYNTHETIC fixture).
{% set local_taxes = ['地價稅', '土地增值稅', '房屋稅', '使用牌照稅', '契稅', '印花稅', '娛樂稅'] %}
with

dgbas as (
    select * from {{ ref('int_dgbas__catalogue_values') }}
),

tax_revenue as (
    select * from {{ ref('stg_mof__tax_revenue') }}
),

region_names as (
    select * from {{ ref('int_region_names') }}
),

denominators as (
    select * from {{ ref('int_population_denominators') }}
),

dgbas_published as (
    {{ dgbas_published_rows('dgbas', 'finance') }}
),

dgbas_inputs as (
    select
        region_code,
        period,
        source_id,
        bool_or(is_synthetic) as is_synthetic,
        {{ pivot_indicators(['local_revenue', 'local_expenditure']) }}
    from dgbas
    group by region_code, period, source_id
),

mof_inputs as (
    select
        region_names.region_code,
        {{ year_start('tax_revenue.year') }} as period,
        tax_revenue.source_id,
        bool_or(tax_revenue.is_synthetic) as is_synthetic,
        -- 千元 to NT$
        1000
        * max(case when tax_revenue.tax_item_zh = '房屋稅' then tax_revenue.value_thousand_ntd end)
            as house_tax,
        1000
        * max(case when tax_revenue.tax_item_zh = '地價稅' then tax_revenue.value_thousand_ntd end)
            as land_value_tax,
        -- the seven local taxes (地方稅法通則); a total only when the release has all seven
        case
            when
                count(
                    distinct case
                        when tax_revenue.tax_item_zh in ({{ sql_string_list(local_taxes) }})
                            then tax_revenue.tax_item_zh
                    end
                ) = {{ local_taxes | length }}
                then 1000 * sum(case
                    when tax_revenue.tax_item_zh in ({{ sql_string_list(local_taxes) }})
                        then tax_revenue.value_thousand_ntd
                end)
        end as local_tax_revenue
    from tax_revenue
    inner join region_names
        on
            tax_revenue.region_name = region_names.lookup_name
            and region_names.region_level in ('nation', 'county')
    group by region_names.region_code, tax_revenue.year, tax_revenue.source_id
),

dgbas_with_population as (
    select
        dgbas_inputs.region_code,
        dgbas_inputs.period,
        dgbas_inputs.source_id,
        dgbas_inputs.is_synthetic or coalesce(denominators.is_synthetic, false) as is_synthetic,
        dgbas_inputs.local_revenue,
        dgbas_inputs.local_expenditure,
        denominators.pop_mid_year
    from dgbas_inputs
    left join denominators
        on
            dgbas_inputs.region_code = denominators.region_code
            and dgbas_inputs.period = denominators.period
),

mof_with_population as (
    select
        mof_inputs.region_code,
        mof_inputs.period,
        mof_inputs.source_id,
        mof_inputs.is_synthetic or coalesce(denominators.is_synthetic, false) as is_synthetic,
        mof_inputs.house_tax,
        mof_inputs.land_value_tax,
        mof_inputs.local_tax_revenue,
        denominators.pop_mid_year
    from mof_inputs
    left join denominators
        on
            mof_inputs.region_code = denominators.region_code
            and mof_inputs.period = denominators.period
),

dgbas_derived as (
    {{ derived_indicator_rows('dgbas_with_population', {
        'local_revenue_per_capita': safe_divide('local_revenue', 'pop_mid_year'),
        'local_expenditure_per_capita': safe_divide('local_expenditure', 'pop_mid_year'),
        'fiscal_balance': 'local_revenue - local_expenditure',
    }) }}
),

mof_derived as (
    {{ derived_indicator_rows('mof_with_population', {
        'house_tax': 'house_tax',
        'land_value_tax': 'land_value_tax',
        'local_tax_revenue': 'local_tax_revenue',
        'local_tax_per_capita': safe_divide('local_tax_revenue', 'pop_mid_year'),
        'property_tax_per_capita': safe_divide('house_tax + land_value_tax', 'pop_mid_year'),
    }) }}
),

unioned as (
    select * from dgbas_published
    union all
    select * from dgbas_derived
    union all
    select * from mof_derived
)

select * from unioned
