-- Pre-sales (預售屋, file b) and rentals (租賃, file c) per township and county and quarter of
-- the transaction (交易年月日 / 租賃年月日): records, and the median NT$/m² (pre-sales: price;
-- rentals: rent per month) over the records that include a building and carry a unit price,
-- at arm's length (records between related parties are counted beside the median). A median
-- over no priced record is null, never 0. Only quarters a loaded release covers, as for sales.
-- Small next to the sales: built whole.
with

checked as (
    select * from {{ ref('int_real_estate__transactions_checked') }}
),

files as (
    select * from {{ ref('stg_lvr__files') }}
),

loaded_seasons as (
    -- only whole seasons: a 10-day release or a subset completes no quarter
    select distinct season_start from files
    where coverage = 'season'
),

covered as (
    select * from {{ ref('int_real_estate__covered_quarters') }}
),

records as (
    select
        checked.*,
        case checked.file_kind when 'b' then 'presale' when 'c' then 'rent' end as market,
        case
            when
                checked.sale_kind in ('building', 'land_building')
                and not checked.is_special_relationship
                then checked.unit_price_ntd_per_m2
        end as building_unit_price
    from checked
    inner join covered
        on
            checked.county_letter = covered.county_letter
            and checked.file_kind = covered.file_kind
            and checked.transaction_quarter = covered.transaction_quarter
    where checked.rejection_reason is null and checked.file_kind in ('b', 'c')
),

{% set measures %}
        count(*) as transactions,
        {{ median('building_unit_price') }} as median_unit_price_ntd_per_m2,
        count(building_unit_price) as unit_prices_counted,
        sum(case when sale_kind in ('building', 'land_building') and is_special_relationship
                 then 1 else 0 end) as special_relationship_records,
        bool_or(is_synthetic) as is_synthetic,
        case max(case coverage when 'subset' then 3 when 'issue' then 2 else 1 end)
            when 3 then 'subset' when 2 then 'issue' else 'season' end as coverage,
        case max(case source_id when 'lvr_land_mirror' then 3 when 'lvr_land_issue' then 2 else 1 end)
            when 3 then 'lvr_land_mirror' when 2 then 'lvr_land_issue' else 'lvr_land' end
            as source_id
{% endset %}

by_township as (
    select
        township_code as region_code,
        'township' as region_level,
        market,
        transaction_quarter as quarter, {{ measures }}
    from records
    group by township_code, market, transaction_quarter
),

by_county as (
    select
        county_code as region_code,
        'county' as region_level,
        market,
        transaction_quarter as quarter, {{ measures }}
    from records
    group by county_code, market, transaction_quarter
),

unioned as (
    select * from by_township
    union all
    select * from by_county
),

completed as (
    select
        unioned.*,
        -- as for sales: the quarter's own and next publication seasons both loaded whole
        own_loaded.season_start is not null and next_loaded.season_start is not null as is_complete
    from unioned
    left join loaded_seasons as own_loaded on unioned.quarter = own_loaded.season_start
    left join loaded_seasons as next_loaded
        on next_loaded.season_start = {{ period_end('unioned.quarter', "'quarter'") }}
)

select * from completed
