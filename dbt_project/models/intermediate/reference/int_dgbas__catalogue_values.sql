-- DGBAS values of the catalogue indicators (catalogue column dgbas_indicator_zh), in the
-- catalogue's unit: 千元 and 百萬元 to NT$, 千人 to persons. The nation (總計) value of an additive
-- indicator that is not the sum of the 22 counties, and the 臺灣地區 value that is not the sum
-- of its 20 (all but 金門縣 09020 and 連江縣 09007), are kept as published and flagged
-- source_total_mismatch (老人長期照顧、安養機構數 2014: 總計 1,063, counties 1,040).
with

dgbas_values as (
    select * from {{ ref('int_dgbas__values_coded') }}
),

catalogue as (
    select * from {{ ref('indicator_catalogue') }}
),

converted as (
    select
        catalogue.indicator_code,
        catalogue.domain,
        catalogue.source_id as catalogue_source_id,
        catalogue.additive,
        dgbas_values.region_code,
        dgbas_values.region_level,
        dgbas_values.year,
        dgbas_values.period,
        dgbas_values.value * case dgbas_values.unit
            when '千元' then 1000
            when '百萬元' then 1000000
            when '千人' then 1000
            else 1
        end as value,
        case dgbas_values.unit
            when '千元' then 1000
            when '百萬元' then 1000000
            when '千人' then 1000
            else 1
        end as unit_factor,
        dgbas_values.source_id,
        dgbas_values.raw_sha256,
        dgbas_values.export_created,
        dgbas_values.is_synthetic
    from dgbas_values
    inner join catalogue on dgbas_values.indicator_zh = catalogue.dgbas_indicator_zh
),

county_sums as (
    select
        'nation' as region_level,
        indicator_code,
        period,
        sum(value) as county_sum
    from converted
    where region_level = 'county'
    group by indicator_code, period
    union all
    select
        'area' as region_level,
        indicator_code,
        period,
        sum(value) as county_sum
    from converted
    where region_level = 'county' and region_code not in ('09020', '09007')
    group by indicator_code, period
),

flagged as (
    select
        converted.*,
        case
            when converted.is_synthetic then 'synthetic'
            -- half a unit of the published figure: 百萬元 amounts rounded to 3 decimals still add up
            when
                converted.additive
                and abs(converted.value - county_sums.county_sum) > 0.5 * converted.unit_factor
                then 'source_total_mismatch'
        end as quality_flag
    from converted
    left join county_sums
        on
            converted.region_level = county_sums.region_level
            and converted.indicator_code = county_sums.indicator_code
            and converted.period = county_sums.period
)

select * from flagged
