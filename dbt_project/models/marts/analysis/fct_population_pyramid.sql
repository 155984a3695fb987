-- Published: the population pyramid, region x period x scenario x sex x five-year age band,
-- with each band's share of the region's total (both sexes together). A county without bands
-- of its own gets the sum of its townships' bands, but only where every township of the
-- county has bands for that period (a partial sum would be published as a whole county).
with

bands as (
    select * from {{ ref('int_population__age_sex_bands') }}
),

regions as (
    select * from {{ ref('dim_region') }}
),

located as (
    select
        bands.*,
        regions.region_level,
        regions.parent_code
    from bands
    inner join regions on bands.region_code = regions.region_code
),

townships_per_county as (
    select
        parent_code as county_code,
        count(*) as townships
    from regions
    where region_level = 'township'
    group by parent_code
),

township_coverage as (
    select
        parent_code as county_code,
        period,
        grain,
        scenario,
        source_id,
        count(distinct region_code) as townships_with_bands
    from located
    where region_level = 'township'
    group by parent_code, period, grain, scenario, source_id
),

counties_with_own_bands as (
    select distinct
        region_code,
        period,
        grain,
        scenario
    from located
    where region_level = 'county'
),

county_aggregates as (
    select
        located.parent_code as region_code,
        'county' as region_level,
        located.period,
        located.grain,
        located.scenario,
        located.sex,
        located.age_band,
        located.age_from,
        located.age_to,
        sum(located.population) as population,
        bool_or(located.is_synthetic) as is_synthetic,
        located.source_id,
        case
            when bool_or(located.is_synthetic) then 'synthetic'
            else 'aggregated_from_lower_level'
        end as quality_flag
    from located
    inner join township_coverage
        on
            located.parent_code = township_coverage.county_code
            and located.period = township_coverage.period
            and located.grain = township_coverage.grain
            and coalesce(located.scenario, '') = coalesce(township_coverage.scenario, '')
            and located.source_id = township_coverage.source_id
    inner join townships_per_county
        on located.parent_code = townships_per_county.county_code
    left join counties_with_own_bands as own
        on
            located.parent_code = own.region_code
            and located.period = own.period
            and located.grain = own.grain
            and coalesce(located.scenario, '') = coalesce(own.scenario, '')
    where
        located.region_level = 'township'
        and township_coverage.townships_with_bands = townships_per_county.townships
        and own.region_code is null
    group by
        located.parent_code, located.period, located.grain, located.scenario, located.sex,
        located.age_band, located.age_from, located.age_to, located.source_id
),

unioned as (
    select
        region_code,
        region_level,
        period,
        grain,
        scenario,
        sex,
        age_band,
        age_from,
        age_to,
        population,
        is_synthetic,
        source_id,
        quality_flag
    from located
    union all
    select * from county_aggregates
),

with_totals as (
    select
        *,
        sum(population) over (
            partition by region_code, period, grain, scenario
        ) as region_total
    from unioned
),

final as (
    select
        cast(with_totals.region_code as string) as region_code,
        cast(with_totals.region_level as string) as region_level,
        cast(regions.name_zh as string) as region_name_zh,
        cast(regions.name_en as string) as region_name_en,
        cast(with_totals.period as date) as period,
        cast(with_totals.grain as string) as grain,
        cast(with_totals.scenario as string) as scenario,
        cast(with_totals.sex as string) as sex,
        cast(case with_totals.sex when 'male' then '男' when 'female' then '女' end as string)
            as sex_zh,
        cast(with_totals.age_band as string) as age_band,
        cast(with_totals.age_from as integer) as age_from,
        cast(with_totals.age_to as integer) as age_to,
        cast(with_totals.population as bigint) as population,
        cast(with_totals.region_total as bigint) as region_total,
        cast(
            100 * {{ safe_divide('with_totals.population', 'with_totals.region_total') }} as double
        )
            as share_pct,
        cast(with_totals.is_synthetic as boolean) as is_synthetic,
        cast(with_totals.source_id as string) as source_id,
        cast(with_totals.quality_flag as string) as quality_flag
    from with_totals
    inner join regions on with_totals.region_code = regions.region_code
)

select * from final
