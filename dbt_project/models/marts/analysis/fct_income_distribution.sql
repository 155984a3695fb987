-- Published: the distribution of comprehensive income (綜合所得) per township and village and
-- year, from the FIA income_* indicators: filing units, total, mean, median, quartiles, the
-- quartile and mean/median ratios, the shares of income by category, and the median's rank
-- among the same level in the county and in the nation (rank 1 = highest; ties share the
-- lowest rank). A median over fewer than var('min_count_basis') filing units is not ranked and
-- is no peer.
{% set measures = ['income_tax_units', 'income_total', 'income_mean', 'income_median',
                   'income_q1', 'income_q3'] %}
{% set categories = ['salary', 'business', 'dividends', 'interest', 'rent',
                     'property_transactions'] %}
{% set category_codes = [] %}
{% for category in categories %}{% do category_codes.append('income_' ~ category) %}{% endfor %}
{% set thin_reason = "thin count basis: fewer than " ~ var('min_count_basis') ~ " filing units" %}
with

indicator_values as (
    select * from {{ ref('fct_indicator_value') }}
    where scenario is null and indicator_code like 'income%'
),

regions as (
    select * from {{ ref('dim_region') }}
),

located as (
    select
        regions.region_code,
        regions.region_level,
        regions.name_zh,
        regions.name_en,
        -- a village's county is its township's
        case
            when regions.region_level = 'village' then townships.parent_code
            else regions.parent_code
        end as county_code
    from regions
    left join regions as townships
        on
            regions.parent_code = townships.region_code
            and regions.region_level = 'village'
    where regions.region_level in ('township', 'village')
),

pivoted as (
    select
        indicator_values.region_code,
        indicator_values.period,
        indicator_values.grain,
        {{ pivot_indicators(measures + category_codes) }},
        bool_or(indicator_values.is_synthetic) as is_synthetic,
        min(indicator_values.source_id) as source_id,
        max(indicator_values.quality_flag) as quality_flag
    from indicator_values
    group by indicator_values.region_code, indicator_values.period, indicator_values.grain
),

measured as (
    select
        pivoted.*,
        located.region_level,
        located.name_zh,
        located.name_en,
        located.county_code,
        {{ is_thin_count('pivoted.income_tax_units') }} as is_thin
    from pivoted
    inner join located on pivoted.region_code = located.region_code
    where pivoted.income_median is not null or pivoted.income_total is not null
),

rankable as (
    select * from measured
    where not is_thin and income_median is not null
),

ranked as (
    select
        region_code,
        period,
        grain,
        rank() over (partition by region_level, period, grain order by income_median desc)
            as median_rank_in_nation,
        count(*) over (partition by region_level, period, grain) as peers_in_nation,
        rank() over (
            partition by region_level, county_code, period, grain order by income_median desc
        ) as median_rank_in_county,
        count(*) over (partition by region_level, county_code, period, grain) as peers_in_county
    from rankable
),

final as (
    select
        cast(measured.region_code as string) as region_code,
        cast(measured.region_level as string) as region_level,
        cast(measured.name_zh as string) as region_name_zh,
        cast(measured.name_en as string) as region_name_en,
        cast(measured.county_code as string) as county_code,
        cast(measured.period as date) as period,
        cast(measured.grain as string) as grain,
        cast(measured.income_tax_units as bigint) as filing_units,
        cast(measured.income_total as double) as income_total,
        cast(measured.income_mean as double) as income_mean,
        cast(measured.income_median as double) as income_median,
        cast(measured.income_q1 as double) as income_q1,
        cast(measured.income_q3 as double) as income_q3,
        cast({{ safe_divide('measured.income_q3', 'measured.income_q1') }} as double)
            as q3_q1_ratio,
        cast({{ safe_divide('measured.income_mean', 'measured.income_median') }} as double)
            as mean_median_ratio,
        {% for category in categories %}
            cast(100 * {{ safe_divide(
            'measured.income_' ~ category, 'measured.income_total'
        ) }} as double)
                as {{ category }}_share_pct,
        {% endfor %}
        cast(ranked.peers_in_nation as bigint) as peers_in_nation,
        cast(case
            when ranked.peers_in_nation >= {{ var('min_peers_for_rank') }}
                then ranked.median_rank_in_nation
        end as bigint) as median_rank_in_nation,
        cast(ranked.peers_in_county as bigint) as peers_in_county,
        cast(case
            when ranked.peers_in_county >= {{ var('min_peers_for_rank') }}
                then ranked.median_rank_in_county
        end as bigint) as median_rank_in_county,
        {% for scope in ['nation', 'county'] %}
            cast(case
                when measured.income_median is null then 'no median'
                when measured.is_thin then '{{ thin_reason }}'
                when ranked.peers_in_{{ scope }} < {{ var('min_peers_for_rank') }}
                    then 'fewer than {{ var("min_peers_for_rank") }} peers'
            end as string) as rank_in_{{ scope }}_null_reason,
        {% endfor %}
        cast(measured.is_synthetic as boolean) as is_synthetic,
        cast(measured.source_id as string) as source_id,
        cast({{ combined_quality_flag(
            'measured.is_synthetic', ['measured.quality_flag']
        ) }} as string)
            as quality_flag
    from measured
    left join ranked
        on
            measured.region_code = ranked.region_code
            and measured.period = ranked.period
            and measured.grain = ranked.grain
)

select * from final
