-- Published: each spot's visitors in a year, ranked within its county.
with

-- a ranking on part of a year (2021 stops at October) would read as the year's: withheld;
-- a spot with no visitors (closed, or counted as 0 all year) is not ranked among open ones
annual as (
    select * from {{ ref('int_tourism__annual_totals') }}
    where rejection_reason is null and visitors > 0 and year_is_complete
),

ranked as (
    select
        *,
        rank() over (partition by county_code, year order by visitors desc) as rank_in_county,
        count(*) over (partition by county_code, year) as spots_in_county,
        sum(visitors) over (partition by county_code, year) as county_visitors
    from annual
),

final as (
    select
        cast(county_code as string) as region_code,
        cast({{ year_start('year') }} as date) as period,
        cast(spot_key as string) as spot_key,
        cast(spot_name as string) as spot_name,
        cast(spot_type as string) as spot_type,
        cast(recreation_area as string) as recreation_area,
        cast(visitors as bigint) as visitors,
        cast(reported_annual_total as bigint) as reported_annual_total,
        cast(months_reported as integer) as months_reported,
        cast(rank_in_county as integer) as rank_in_county,
        cast(spots_in_county as integer) as spots_in_county,
        cast({{ safe_divide('visitors', 'county_visitors') }} * 100 as double)
            as share_of_county_pct,
        cast(is_synthetic as boolean) as is_synthetic,
        cast(source_id as string) as source_id
    from ranked
)

select * from final
