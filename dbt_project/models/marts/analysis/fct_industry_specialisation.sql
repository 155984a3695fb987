-- Published: establishments by region, period and industry section (行業標準分類 A-S) with
-- each section's share of the region and its specialisation coefficient (RESAS 特化係数):
-- the region's share / the nation's share of the same section, 1 for the nation. Counties
-- without figures of their own are summed from their townships, and the nation from the
-- counties, only where every township (county) has figures for the period.
with

establishments as (
    select * from {{ ref('int_industry__establishments_by_section') }}
),

regions as (
    select * from {{ ref('dim_region') }}
),

sections as (
    select * from {{ ref('industry_sections') }}
),

located as (
    select
        establishments.region_code,
        regions.region_level,
        regions.parent_code,
        establishments.period,
        establishments.grain,
        establishments.section,
        cast(establishments.establishments as bigint) as establishments,
        establishments.is_synthetic,
        establishments.source_id,
        establishments.quality_flag
    from establishments
    inner join regions on establishments.region_code = regions.region_code
),

children_per_parent as (
    select
        parent_code,
        region_level,
        count(*) as children
    from regions
    where region_level in ('township', 'county')
    group by parent_code, region_level
),

{% for child_level, parent_level, previous, result in [
    ('township', 'county', 'located', 'with_counties'),
    ('county', 'nation', 'with_counties', 'with_nation'),
] %}
    {{ parent_level }}_sums as (
        select
            children.parent_code as region_code,
            '{{ parent_level }}' as region_level,
            parents.parent_code,
            children.period,
            children.grain,
            children.section,
            sum(children.establishments) as establishments,
            bool_or(children.is_synthetic) as is_synthetic,
            children.source_id,
            case
                when bool_or(children.is_synthetic) then 'synthetic'
                else 'aggregated_from_lower_level'
            end as quality_flag,
            count(distinct children.region_code) as children_with_figures
        from {{ previous }} as children
        inner join regions as parents on children.parent_code = parents.region_code
        where children.region_level = '{{ child_level }}'
        group by
            children.parent_code, parents.parent_code, children.period, children.grain,
            children.section, children.source_id
    ),

    {{ parent_level }}_coverage as (
        select
            children.parent_code,
            children.period,
            children.grain,
            children.source_id,
            count(distinct children.region_code) as children_with_figures
        from {{ previous }} as children
        where children.region_level = '{{ child_level }}'
        group by children.parent_code, children.period, children.grain, children.source_id
    ),

    {{ result }} as (
        select * from {{ previous }}
        union all
        select
            sums.region_code,
            sums.region_level,
            sums.parent_code,
            sums.period,
            sums.grain,
            sums.section,
            sums.establishments,
            sums.is_synthetic,
            sums.source_id,
            sums.quality_flag
        from {{ parent_level }}_sums as sums
        inner join {{ parent_level }}_coverage as coverage
            on
                sums.region_code = coverage.parent_code
                and sums.period = coverage.period
                and sums.grain = coverage.grain
                and sums.source_id = coverage.source_id
        inner join children_per_parent
            on
                sums.region_code = children_per_parent.parent_code
                and children_per_parent.region_level = '{{ child_level }}'
        where
            coverage.children_with_figures = children_per_parent.children
            and not exists (
                select 1 as found from {{ previous }} as own
                where
                    own.region_code = sums.region_code
                    and own.period = sums.period
                    and own.grain = sums.grain
            )
    ),
{% endfor %}

shares as (
    select
        *,
        sum(establishments) over (partition by region_code, period, grain) as region_total,
        {{ safe_divide(
            'establishments', 'sum(establishments) over (partition by region_code, period, grain)'
        ) }} as region_share,
        rank() over (
            partition by region_code, period, grain order by establishments desc
        ) as rank_in_region
    from with_nation
),

nation_shares as (
    select
        period,
        grain,
        section,
        region_share as national_share
    from shares
    where region_level = 'nation'
),

final as (
    select
        cast(shares.region_code as string) as region_code,
        cast(shares.region_level as string) as region_level,
        cast(regions.name_zh as string) as region_name_zh,
        cast(regions.name_en as string) as region_name_en,
        cast(shares.period as date) as period,
        cast(shares.grain as string) as grain,
        cast(shares.section as string) as section,
        cast(sections.name_zh as string) as section_name_zh,
        cast(sections.name_en as string) as section_name_en,
        cast('establishments' as string) as measure,
        cast(shares.establishments as bigint) as value,
        cast(shares.region_total as bigint) as region_total,
        cast(100 * shares.region_share as double) as share_pct,
        cast(100 * nation_shares.national_share as double) as national_share_pct,
        cast({{ safe_divide('shares.region_share', 'nation_shares.national_share') }} as double)
            as specialisation_coefficient,
        cast(shares.rank_in_region as bigint) as rank_in_region,
        cast(shares.rank_in_region <= 3 as boolean) as is_top_three,
        cast(shares.is_synthetic as boolean) as is_synthetic,
        cast(shares.source_id as string) as source_id,
        cast(shares.quality_flag as string) as quality_flag
    from shares
    inner join regions on shares.region_code = regions.region_code
    inner join sections on shares.section = sections.section
    left join nation_shares
        on
            shares.period = nation_shares.period
            and shares.grain = nation_shares.grain
            and shares.section = nation_shares.section
)

select * from final
