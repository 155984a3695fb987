"""The analysis marts on the bundled data: comparisons, pyramid, population change, aging
outlook, region profile; and the unit tests of the marts whose inputs other branches deliver
(industry specialisation, income distribution), run against those inputs' shared shape."""


import pytest

pytestmark = pytest.mark.pipeline

MIN_COUNT_BASIS = 30  # dbt var min_count_basis


def test_the_22_counties_are_ranked_1_to_22_where_all_have_a_value(published):
    groups = published.execute(
        """
        select indicator_code, period, grain,
            list(rank_in_level order by rank_in_level) as ranks,
            list(value order by rank_in_level) as values, any_value(higher_is) as higher_is
        from marts.fct_indicator_comparison
        where region_level = 'county' and higher_is <> 'neutral'
        group by indicator_code, period, grain
        having count(distinct region_code) = 22
        """
    ).fetchall()
    assert len(groups) > 100
    for code, period, grain, ranks, values, higher_is in groups:
        assert None not in ranks, (code, period)
        # rank() with ties: 1 + the number of counties strictly better
        better = (lambda a, b: a > b) if higher_is == "better" else (lambda a, b: a < b)
        expected = [1 + sum(better(other, value) for other in values) for value in values]
        assert ranks == expected, (code, period, grain)
        assert ranks[0] == 1 and ranks[-1] <= 22


def test_percentiles_follow_the_stated_formula(published):
    (wrong,) = published.execute(
        """
        select count(*) from marts.fct_indicator_comparison
        where rank_in_level is not null
          and abs(percentile_in_level
                  - 100.0 * (peers_in_level - rank_in_level) / (peers_in_level - 1)) > 1e-9
        """
    ).fetchone()
    assert wrong == 0


def test_no_change_or_rank_from_a_thin_count_basis(published):
    rows = published.execute(
        """
        select change_abs, change_pct, cagr_5y_pct, rank_in_level, rank_in_county,
            change_null_reason, rank_null_reason
        from marts.fct_indicator_comparison
        where count_basis < ?
        """,
        [MIN_COUNT_BASIS],
    ).fetchall()
    assert rows, "the bundled 實價登錄 seasons have thin quarters"
    for *comparisons, change_reason, rank_reason in rows:
        assert comparisons == [None] * 5
        assert change_reason and rank_reason


def test_no_change_from_a_partial_period(published):
    (changed,) = published.execute(
        """
        select count(*) from marts.fct_indicator_comparison
        where quality_flag in ('partial_period', 'preliminary')
          and (change_pct is not null or change_abs is not null or cagr_5y_pct is not null)
        """
    ).fetchone()
    assert changed == 0


def test_median_price_yoy_is_not_published_from_fewer_than_30_sales(published):
    rows = published.execute(
        """
        select v.value, now.unit_prices_counted, before.unit_prices_counted
        from marts.fct_indicator_value v
        join marts.fct_real_estate_quarterly now
            on now.region_code = v.region_code and now.quarter = v.period
        join marts.fct_real_estate_quarterly before
            on before.region_code = v.region_code
            and before.quarter = v.period - interval 1 year
        where v.indicator_code = 're_median_unit_price_yoy'
        """
    ).fetchall()
    assert rows
    assert all(now >= MIN_COUNT_BASIS and before >= MIN_COUNT_BASIS for _, now, before in rows)
    # the +1,004 % of one price against one (高雄市 鹽埕區, 2020 Q4) is gone, and says why
    (value, reason) = published.execute(
        """
        select median_unit_price_yoy_pct, median_unit_price_yoy_null_reason
        from marts.fct_real_estate_quarterly
        where region_code = '64000010' and quarter = date '2020-10-01'
        """
    ).fetchone()
    assert value is None
    assert reason.startswith("fewer than 30 priced sales")


def test_pyramid_bands_sum_to_the_published_total(published):
    rows = published.execute(
        """
        with totals as (
            select region_code, period, grain, scenario, sum(population) as bands,
                any_value(region_total) as region_total, sum(share_pct) as shares
            from marts.fct_population_pyramid
            group by region_code, period, grain, scenario
        )
        select totals.*, v.value
        from totals
        left join marts.fct_indicator_value v
            on v.indicator_code = 'pop_total' and v.region_code = totals.region_code
            and v.period = totals.period and v.grain = totals.grain
            and v.scenario is not distinct from totals.scenario
        """
    ).fetchall()
    # the nation: 34 observed years (1992-2025) and 50 projected years in 3 scenarios
    assert len([r for r in rows if r[0] == "TW"]) == 34 + 3 * 50
    for region, period, grain, scenario, bands, region_total, shares, published_total in rows:
        assert bands == region_total, (region, period, grain, scenario)
        assert shares == pytest.approx(100)
        if published_total is not None:
            assert bands == published_total, (region, period, scenario)
    assert all(r[-1] is not None for r in rows if r[0] == "TW")


def test_nation_aging_milestones_on_every_path(published):
    # 高齡化社會 1993, 高齡社會 2018, 超高齡社會 2025 (year-end shares, 內政部)
    rows = published.execute(
        """
        select scenario, any_value(first_year_aging), any_value(first_year_aged),
            any_value(first_year_super_aged), max(period)
        from marts.fct_aging_outlook where region_code = 'TW' and grain = 'year'
        group by scenario
        """
    ).fetchall()
    assert {r[0] for r in rows} == {None, "high", "medium", "low"}
    for scenario, aging, aged, super_aged, last in rows:
        assert (aging, aged, super_aged) == (1993, 2018, 2025), scenario
        assert last.year == (2025 if scenario is None else 2075)


def test_natural_change_rate_reproduces_dgbas(published):
    """自然增加率 (‰ of the mid-year population) of every county and year DGBAS publishes."""
    rows = published.execute(
        """
        select p.natural_change_per_1000, d.value
        from marts.fct_population_change p
        join marts.fct_dgbas_indicator d
            on d.indicator_zh = '自然增加率' and d.region_code = p.region_code
            and d.year = extract(year from p.period)
        where p.grain = 'year' and p.natural_change_per_1000 is not null
        """
    ).fetchall()
    assert len(rows) >= 22 * 16
    assert [(ours, theirs) for ours, theirs in rows if round(ours, 2) != theirs] == []


def test_population_change_without_migration_is_unclassified_with_reason(published):
    rows = published.execute(
        "select change_class, classification_null_reason, natural_change, births, deaths"
        " from marts.fct_population_change"
    ).fetchall()
    assert rows
    for change_class, reason, natural, births, deaths in rows:
        assert change_class is not None or reason
        if births is not None and deaths is not None:
            assert natural == births - deaths


def test_region_profile_is_one_real_latest_value_per_region_and_indicator(published):
    (stale,) = published.execute(
        """
        select count(*) from marts.rpt_region_profile p
        join marts.fct_indicator_value v
            on v.region_code = p.region_code and v.indicator_code = p.indicator_code
            and v.scenario is null and not v.is_synthetic and v.period > p.period
            and v.grain = p.grain
        """
    ).fetchone()
    assert stale == 0
    (counties, synthetic) = published.execute(
        "select count(distinct region_code) filter (where region_level = 'county'),"
        " count(*) filter (where quality_flag = 'synthetic') from marts.rpt_region_profile"
    ).fetchone()
    assert (counties, synthetic) == (22, 0)


def test_analysis_marts_are_exported_to_parquet(pipeline_home):
    current = pipeline_home / "warehouse" / "parquet" / "current"
    for mart in ["fct_indicator_comparison", "fct_population_pyramid", "fct_population_change",
                 "fct_aging_outlook", "rpt_region_profile", "fct_industry_specialisation",
                 "fct_income_distribution"]:
        assert (current / f"{mart}.parquet").is_file(), mart


def test_specialisation_coefficients_weighted_by_national_shares_sum_to_one(published):
    """Σ coefficient × national share = Σ regional share = 1 for every region with sections;
    the nation's coefficient is 1 for every section."""
    sums = published.execute(
        """
        select region_code, sum(specialisation_coefficient * national_share_pct / 100)
        from marts.fct_industry_specialisation
        where specialisation_coefficient is not null
        group by region_code
        """
    ).fetchall()
    assert len(sums) > 368
    assert all(abs(total - 1) < 1e-9 for _, total in sums)
    nation = published.execute(
        "select count(*), min(specialisation_coefficient), max(specialisation_coefficient)"
        " from marts.fct_industry_specialisation where region_code = 'TW'"
    ).fetchone()
    assert nation[0] == 19 and abs(nation[1] - 1) < 1e-9 and abs(nation[2] - 1) < 1e-9


def test_counties_are_ranked_one_to_twenty_two_where_all_have_values(published):
    groups = published.execute(
        """
        select indicator_code, period, grain, list(rank_in_level order by rank_in_level)
        from marts.fct_indicator_comparison
        where region_level = 'county' and rank_in_level is not null
        group by all
        having count(*) = 22 and count(distinct rank_in_level) = 22
        """
    ).fetchall()
    assert len(groups) > 100
    for code, period, grain, ranks in groups:
        assert ranks == list(range(1, 23)), (code, period, grain)
