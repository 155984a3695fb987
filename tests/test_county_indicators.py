"""Issue 6 reconciliation: the county indicators the offline run publishes, against the totals
and ratios DGBAS publishes itself, the MOL yearbook and the MOI township file."""

from decimal import ROUND_HALF_UP, Decimal

import pytest

from sources.mol import MANPOWER_BY_AREA, parse_manpower_by_area
from sources.settings import PROJECT_ROOT

pytestmark = pytest.mark.pipeline

COUNTIES = 22
YEAR_VALUES = """
    select r.region_level, v.region_code, year(v.period) as year, v.value, v.quality_flag
    from marts.fct_indicator_value v join marts.dim_region r using (region_code)
    where v.indicator_code = ? and v.grain = 'year' and v.scenario is null
"""


def yearly(published, code: str) -> dict[tuple[str, int], float]:
    rows = published.execute(YEAR_VALUES, [code]).fetchall()
    return {(region, year): value for _, region, year, value, _ in rows}


def county_sum_and_total(published, code: str, year: int) -> tuple[float, int, float, str]:
    rows = published.execute(YEAR_VALUES + " and year(v.period) = ?", [code, year]).fetchall()
    counties = [value for level, _, _, value, _ in rows if level == "county"]
    (total, flag) = next((value, flag) for level, _, _, value, flag in rows if level == "nation")
    return sum(counties), len(counties), total, flag


def test_done_when_query_returns_eight_domains(published):
    domains = published.execute(
        "select domain, count(distinct indicator_code) from marts.fct_indicator_value"
        " join marts.dim_indicator using (indicator_code) group by 1"
    ).fetchall()
    assert len(domains) == 8
    assert all(count >= 2 for _, count in domains)


@pytest.mark.parametrize(
    "code, official_total",
    [
        ("hospital_beds", 161_491),  # 病床數, 總計 2014
        ("physicians", 49_117),  # 執業醫師數
        ("companies_registered", 637_556),  # 公司登記現有家數
        ("net_tax_revenue", 1_868_965_043 * 1000),  # 稅捐實徵淨額 1,868,965,043 千元, in NT$
    ],
)
def test_counties_add_up_to_the_published_2014_total(published, code, official_total):
    county_sum, counties, total, flag = county_sum_and_total(published, code, 2014)
    assert counties == COUNTIES
    assert total == official_total
    assert county_sum == official_total
    assert flag is None


def test_elderly_care_gap_is_flagged_not_hidden(published):
    """老人長期照顧、安養機構數 2014: DGBAS's 總計 is 1,063, its 22 counties add up to 1,040."""
    county_sum, counties, total, flag = county_sum_and_total(
        published, "elderly_care_institutions", 2014
    )
    assert (county_sum, counties, total) == (1_040, COUNTIES, 1_063)
    assert flag == "source_total_mismatch"


def test_every_additive_nation_value_adds_up_or_is_flagged(published):
    rows = published.execute(
        """
        with county_sums as (
            select v.indicator_code, v.period, sum(v.value) as county_sum
            from marts.fct_indicator_value v join marts.dim_region r using (region_code)
            where r.region_level = 'county' and v.grain = 'year' and v.scenario is null
              and v.source_id like 'dgbas_county_indicators%'
            group by all
        )
        select v.indicator_code, v.period, v.value, c.county_sum, v.quality_flag
        from marts.fct_indicator_value v
        join marts.dim_indicator i using (indicator_code)
        join county_sums c using (indicator_code, period)
        where v.region_code = 'TW' and v.source_id like 'dgbas_county_indicators%' and i.additive
        """
    ).fetchall()
    assert len(rows) > 400
    # 百萬元 amounts rounded to 3 decimals leave at most a few thousand NT$ between the two
    silent = [r for r in rows if abs(r[2] - r[3]) > 0.02 * 1e6 and r[4] is None]
    assert silent == []
    flagged_but_adding_up = [r for r in rows if r[2] == r[3] and r[4] == "source_total_mismatch"]
    assert flagged_but_adding_up == []


def test_tax_burden_per_capita_is_reproduced(published):
    """平均每人稅賦 = 稅捐實徵淨額 / 年度中人口數 (mean of the two year-ends); fiscal years equal
    calendar years from 2001 (90年度), earlier ones ran July to June."""
    net_tax = yearly(published, "net_tax_revenue")
    burden = yearly(published, "tax_burden_per_capita")
    population = yearly(published, "pop_total")
    counties = {r for (r, _) in net_tax if r != "TW"}
    assert len(counties) == COUNTIES
    for county in counties:
        for year in range(2001, 2015):
            mid_year = (population[(county, year - 1)] + population[(county, year)]) / 2
            assert net_tax[(county, year)] / mid_year == pytest.approx(
                burden[(county, year)], abs=0.1
            ), (county, year)


def test_mol_2014_rates_equal_dgbas_for_the_20_counties(published):
    raw = (PROJECT_ROOT / "sources/snapshots" / MANPOWER_BY_AREA.id).glob("*.csv")
    yearbook = parse_manpower_by_area(next(raw).read_bytes())
    measures = {"unemployment_rate_pct": "unemployment_rate",
                "lfpr_pct": "labour_force_participation_rate"}
    names = dict(published.execute("select name_zh, region_code from marts.dim_region").fetchall())
    dgbas = {measure: yearly(published, code) for measure, code in measures.items()}
    compared = 0
    rates_2014 = yearbook[(yearbook.year == 2014) & yearbook.measure.isin(list(measures))]
    for row in rates_2014.itertuples():
        if row.region_name == "總計":
            continue  # the survey's Taiwan area, not a region of the warehouse
        published_value = dgbas[row.measure][(names[row.region_name], 2014)]
        assert row.value == published_value, (row.region_name, row.measure)
        compared += 1
    assert compared == 2 * 20


def test_dgbas_2020_export_supersedes_the_mol_extension(published):
    """The MOL yearbook extended the labour and income series to 2015-2016; the 2020 DGBAS
    export now publishes those years for all 22 counties, and DGBAS's series wins."""
    for code, year in [("unemployment_rate", 2016), ("labour_force_participation_rate", 2015),
                       ("labour_force", 2016), ("household_disposable_income", 2015)]:
        (counties, sources) = published.execute(
            "select count(*), list(distinct source_id) from marts.fct_indicator_value"
            " where indicator_code = ? and period = make_date(?, 1, 1)",
            [code, year],
        ).fetchone()
        assert (counties, sources) == (22, ["dgbas_county_indicators_2020"]), (code, year)
    # 千人 to persons: 新北市 2016 labour force 2,027 千人
    assert yearly(published, "labour_force")[("65000", 2016)] == 2_027_000


@pytest.mark.parametrize(
    "code", ["aging_index", "pop_65plus_share", "pop_0_14_share", "pop_15_64_share",
             "dependency_ratio", "sex_ratio", "low_income_share"],
)
def test_ratios_from_counts_reproduce_dgbas_to_its_decimals(published, code):
    """Computed from the age counts, rounded half up to the 2 decimals DGBAS publishes."""
    rows = published.execute(
        """
        select d.region_code, d.year, d.value, v.value
        from marts.fct_dgbas_indicator d
        join marts.fct_indicator_value v
          on v.indicator_code = d.indicator_code and v.region_code = d.region_code
          and v.period = d.period and v.grain = 'year' and v.scenario is null
        where d.indicator_code = ? and d.region_code <> 'TW'
        """,
        [code],
    ).fetchall()
    assert len(rows) == COUNTIES * 21  # 1998-2018
    for region, year, dgbas, computed in rows:
        rounded = Decimal(computed).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert rounded == Decimal(str(dgbas)).quantize(Decimal("0.01")), (region, year)


@pytest.mark.parametrize("code", ["pop_per_physician", "pop_per_bed", "beds_per_10k_pop"])
def test_per_population_values_reproduce_dgbas(published, code):
    rows = published.execute(
        """
        select d.region_code, d.year, d.value, v.value
        from marts.fct_dgbas_indicator d
        join marts.fct_indicator_value v
          on v.indicator_code = d.indicator_code and v.region_code = d.region_code
          and v.period = d.period and v.grain = 'year' and v.scenario is null
        where d.indicator_code = ? and d.year >= 1999
        """,
        [code],
    ).fetchall()
    assert len(rows) == (COUNTIES + 1) * 20  # 1999-2018
    # published with 6 decimals, reproduced to 4 (桃園縣 2003 beds per 10k: 70.913734 published,
    # 12,921 / 1,822,075 * 10,000 = 70.913656); 1998 is left out: 南投縣 and 澎湖縣 ratios use
    # other bed counts
    assert [(r, y) for r, y, dgbas, ours in rows if abs(dgbas - ours) > 1e-4] == []


def test_county_2014_population_equals_the_moi_township_sum(published):
    rows = published.execute(
        """
        with townships as (
            select substr(region_code, 1, 5) as county_code, sum(value) as township_sum
            from marts.fct_indicator_value
            where indicator_code = 'pop_total' and period = date '2014-01-01' and grain = 'year'
              and length(region_code) = 8
            group by 1
        )
        select v.region_code, v.value, v.source_id, t.township_sum
        from marts.fct_indicator_value v join townships t on t.county_code = v.region_code
        where v.indicator_code = 'pop_total' and v.period = date '2014-01-01' and v.grain = 'year'
        """
    ).fetchall()
    assert len(rows) == COUNTIES
    for county, dgbas, source, township_sum in rows:
        assert source == "dgbas_county_indicators_2020"  # the newest export's figure
        assert dgbas == township_sum, county


def test_county_population_history_reaches_back_to_1998(published):
    (counties,) = published.execute(
        "select count(distinct region_code) from marts.fct_indicator_value"
        " where indicator_code = 'aging_index' and period = date '1998-01-01'"
        " and region_code <> 'TW'"
    ).fetchone()
    assert counties == COUNTIES


def test_location_quotients_weight_to_one(published):
    """Employment-weighted, a sector's county quotients average 1 against the nation share
    (DGBAS's 臺灣地區 benchmark; 金門 and 連江 add well under 1 %)."""
    for sector in ("agriculture", "industry", "services"):
        (weighted,) = published.execute(
            f"""
            select sum(e.value * q.value) / sum(e.value)
            from marts.fct_indicator_value q
            join marts.fct_indicator_value e
              on e.region_code = q.region_code and e.period = q.period
              and e.indicator_code = 'employed'
            where q.indicator_code = 'location_quotient_{sector}'
              and q.period = date '2014-01-01'
            """
        ).fetchone()
        assert weighted == pytest.approx(1, abs=0.01), sector


def test_money_is_converted_to_ntd(published):
    dgbas = dict(
        published.execute(
            "select indicator_zh, value from marts.fct_dgbas_indicator"
            " where region_code = '63000' and year = 2014"
            " and indicator_zh in ('公司登記現有資本額', '稅捐實徵淨額')"
        ).fetchall()
    )
    capital = yearly(published, "company_capital")[("63000", 2014)]
    assert capital == dgbas["公司登記現有資本額"] * 1e6  # 百萬元
    assert yearly(published, "net_tax_revenue")[("63000", 2014)] == dgbas["稅捐實徵淨額"] * 1e3


def test_mof_property_taxes_are_flagged_synthetic(published):
    rows = published.execute(
        "select indicator_code, is_synthetic, quality_flag from marts.fct_indicator_value"
        " where source_id = 'mof_tax_revenue'"
    ).fetchall()
    assert {code for code, _, _ in rows} >= {"house_tax", "land_value_tax"}
    assert all(synthetic and flag == "synthetic" for _, synthetic, flag in rows)


def test_the_whole_dgbas_system_is_published(published):
    indicators, regions, units = published.execute(
        "select count(distinct indicator_zh), count(distinct region_code),"
        " count(*) filter (where unit is null) from marts.fct_dgbas_indicator"
    ).fetchone()
    # 664 (2016 export) + 22 new names in the 2020 export - 15 renames (seed)
    assert (indicators, regions, units) == (671, COUNTIES + 1, 0)
    (unit, value) = published.execute(
        "select unit, value from marts.fct_dgbas_indicator"
        " where indicator_zh = '稅捐實徵淨額' and region_code = 'TW' and year = 2014"
    ).fetchone()
    assert (unit, value) == ("千元", 1_868_965_043)


def test_population_growth_rate_is_per_mille_as_dgbas_publishes_it(published):
    """Our growth rate from consecutive year-end counts (‰) equals DGBAS 人口增加率 to 2010. From
    2011 the 2020 export divides by the mid-year population (the mean of the two year-ends):
    its 2011-2014 figures revise the 2016 export's, which equal ours (history)."""
    rows = published.execute(
        """
        select year(ours.period), ours.value, theirs.value, earlier.value
        from marts.fct_indicator_value as ours
        join marts.fct_dgbas_indicator as theirs
          on theirs.region_code = ours.region_code and theirs.period = ours.period
        left join marts.fct_indicator_value_history as earlier
          on earlier.mart = 'fct_dgbas_indicator' and earlier.indicator_code = theirs.indicator_zh
         and earlier.region_code = theirs.region_code and earlier.period = theirs.period
         and earlier.source_id = 'dgbas_county_indicators' and not earlier.is_current
        where ours.indicator_code = 'pop_growth_rate'
          and ours.source_id like 'dgbas_county_indicators%'
          and theirs.indicator_zh = '人口增加率' and ours.region_code <> 'TW'
        """
    ).fetchall()
    assert len(rows) >= 22 * 20
    mid_year = [(year, ours / (1 + ours / 2000), theirs) for year, ours, theirs, _ in rows
                if year >= 2011]
    year_end = [(year, ours, theirs) for year, ours, theirs, _ in rows if year < 2011]
    year_end += [(year, ours, earlier) for year, ours, _, earlier in rows if earlier is not None]
    assert len([r for r in year_end if r[0] >= 2011]) > 40  # revised from the 2016 export
    for year, ours, theirs in mid_year + year_end:
        assert abs(round(ours, 2) - theirs) <= 0.011, (year, ours, theirs)


def test_household_size_reproduces_dgbas_household_size(published):
    """戶量 computed from the registered counts equals DGBAS 戶籍登記戶量 to its 2 decimals."""
    rows = published.execute(
        """
        select ours.region_code, ours.period, ours.value, theirs.value
        from marts.fct_indicator_value as ours
        join marts.fct_dgbas_indicator as theirs
          on theirs.region_code = ours.region_code and theirs.period = ours.period
        where ours.indicator_code = 'household_size' and theirs.indicator_zh = '戶籍登記戶量'
          and ours.region_code <> 'TW'
        """
    ).fetchall()
    assert len(rows) >= 22 * 17
    assert [r for r in rows if abs(round(r[2], 2) - r[3]) > 0.011] == []


# ------------------------------------------------------- county labour panel 2019-2024


def panel_cells() -> dict[tuple[str, int, str], str]:
    """The panel's cells as written, by county name, year and column."""
    import csv

    from sources.mol import LABOUR_PANEL

    with LABOUR_PANEL.snapshot_path(LABOUR_PANEL.snapshots[0]).open(encoding="utf-8") as handle:
        return {(row["county"], int(row["year"]), column): row[column]
                for row in csv.DictReader(handle) for column in row}


@pytest.mark.parametrize(
    ("code", "column"),
    [("unemployment_rate", "unemp_rate"), ("labour_force_participation_rate", "lfpr"),
     ("employment_share_industry", "industry_pct"),
     ("civilian_15plus_tertiary_share", "college_pct")],
)
def test_labour_panel_extends_the_county_series_to_2024(published, code, column):
    names = dict(published.execute(
        "select region_code, name_zh from marts.dim_region where region_level = 'county'"
    ).fetchall())
    values = {(names[region], year): value for (region, year), value in yearly(published, code)
              .items() if year >= 2019 and region in names}
    cells = panel_cells()
    assert len(values) == COUNTIES * 6
    assert max(year for _, year in values) == 2024
    for (county, year), value in values.items():
        assert value == float(cells[(county, year, column)]), (code, county, year)


def test_median_wage_is_in_ntd_and_missing_where_the_panel_has_none(published):
    rows = published.execute(
        "select r.name_zh, year(v.period), v.value, v.source_id from marts.fct_indicator_value v"
        " join marts.dim_region r using (region_code)"
        " where v.indicator_code = 'median_annual_wage'"
    ).fetchall()
    cells = panel_cells()
    assert {county for county, *_ in rows} == {
        county for (county, _, column), text in cells.items()
        if column == "wage_median_10k" and text
    }
    assert len({county for county, *_ in rows}) == COUNTIES - 2  # not 金門縣, 連江縣: missing
    for county, year, value, source_id in rows:
        assert source_id == "county_labour_panel"
        assert value == int(Decimal(cells[(county, year, "wage_median_10k")]) * 10000)
