"""Township depth: what the offline run publishes from the township mirror tables and SEGIS,
against the official figures SOURCES.md names and the mirror's own county table."""

import duckdb
import pandas as pd
import pytest

from sources import township

pytestmark = pytest.mark.pipeline

VALUES = """
    select v.region_code, r.region_level, v.value, v.quality_flag, v.source_id
    from marts.fct_indicator_value v join marts.dim_region r using (region_code)
    where v.indicator_code = ? and v.period = cast(? as date) and v.grain = ?
      and v.scenario is null
"""


def values(published, code, period, grain="year") -> pd.DataFrame:
    return published.execute(VALUES, [code, period, grain]).df()


@pytest.mark.parametrize("year, official", [(2020, 23_561_236), (2022, 23_264_640),
                                            (2023, 23_420_442)])
def test_county_sums_of_year_end_population_are_official(published, year, official):
    rows = values(published, "pop_total", f"{year}-01-01")
    counties = rows[rows["region_level"] == "county"]
    assert len(counties) == 22
    assert counties["value"].sum() == official
    assert (counties["quality_flag"] == "aggregated_from_lower_level").all()
    townships = rows[rows["region_level"] == "township"]
    assert len(townships) == 368 and townships["value"].sum() == official


def test_county_sums_equal_the_mirrors_county_table(published):
    panel_county = township.parse_panel(
        township.TOWNSHIP_PANEL.snapshot_path(township.TOWNSHIP_PANEL.snapshots[1]).read_bytes()
    )
    codes = dict(published.execute(
        "select name_zh, region_code from marts.dim_region where region_level = 'county'"
    ).fetchall())
    measures = {"年底人口": "pop_total", "戶數": "households", "0_14歲人口": "pop_0_14",
                "65歲以上人口": "pop_65plus", "出生數": "births", "死亡數": "deaths"}
    by_year = {}  # (indicator, year) -> the published values of that year, read once
    checked = 0
    for row in panel_county[panel_county["measure"].isin(measures)].itertuples():
        year = int(row.roc_year_text) + 1911
        key = (measures[row.measure], year)
        if key not in by_year:
            by_year[key] = values(published, key[0], f"{year}-01-01")
        published_value = by_year[key]
        county = published_value[published_value["region_code"] == codes[row.county_name]]
        assert county["value"].tolist() == [row.value], (row.county_name, year, row.measure)
        checked += 1
    assert checked == 22 * 5 * 6 - 1  # 新北市 2024 deaths: a gap in both tables


def test_banqiao_2024_deaths_are_missing_not_zero(published):
    deaths = values(published, "deaths", "2024-01-01")
    assert "65000010" not in set(deaths["region_code"])  # 新北市板橋區
    assert "65000" not in set(deaths["region_code"])  # no 新北市 sum short of 板橋
    assert "TW" not in set(deaths["region_code"])
    assert (deaths["region_level"] == "township").sum() == 367
    assert deaths["value"].min() > 0
    assert (values(published, "deaths", "2023-01-01")["region_code"] == "65000").any()


def test_derived_aging_index_matches_the_panels_published_one(published):
    """The warehouse's formula (one implementation, int_population__structure) against the
    老化指數 the mirror publishes, to its one decimal."""
    raw = township.TOWNSHIP_PANEL.snapshot_path(township.TOWNSHIP_PANEL.snapshots[0])
    panel = pd.read_csv(raw, dtype=str, encoding="utf-8-sig")
    panel = panel[panel["年"] == "112"]
    names = published.execute(
        "select region_code, name_zh, parent_code from marts.dim_region"
    ).df()
    ours = values(published, "aging_index", "2023-01-01")
    ours = ours[ours["region_level"] == "township"].merge(names, on="region_code")
    counties = dict(zip(names["region_code"], names["name_zh"], strict=True))
    ours["site"] = ours["parent_code"].map(counties) + ours["name_zh"]
    theirs = dict(zip(panel["縣市"] + panel["鄉鎮市區"], panel["老化指數"].astype(float),
                      strict=True))
    assert len(ours) == 368
    differ = [(site, value, theirs[site]) for site, value in zip(ours["site"], ours["value"],
                                                                   strict=True)
              if abs(value - theirs[site]) > 0.05 + 1e-9]
    assert differ == []


def test_twelve_month_flows(published):
    rows = published.execute(
        "select indicator_code, count(*), sum(value) filter (where region_code = 'TW')"
        " from marts.fct_indicator_value where grain = 'twelve_months'"
        " and period = date '2025-07-01' group by 1"
    ).fetchall()
    flows = {code: (count, nation) for code, count, nation in rows}
    for code in ("migrants_in", "migrants_out", "births", "deaths", "net_migration"):
        assert flows[code][0] == 368 + 22 + 1, code
    assert flows["net_migration"][1] == flows["migrants_in"][1] - flows["migrants_out"][1]


def test_segis_national_totals_and_sections(published):
    establishments = values(published, "establishments", "2021-06-01", "month")
    nation = establishments[establishments["region_code"] == "TW"]
    assert nation["value"].tolist() == [1_509_667]
    assert nation["quality_flag"].tolist() == ["aggregated_from_lower_level"]
    beds = values(published, "medical_institution_beds", "2021-06-01", "month")
    assert beds[beds["region_code"] == "TW"]["value"].tolist() == [233_595]
    (mismatched, townships) = published.execute(
        """
        with sections as (
            select region_code, sum(value) as summed, count(*) as sections
            from marts.fct_indicator_value
            where indicator_code like 'establishments_section_%' and period = date '2021-06-01'
            group by region_code
        )
        select count(*) filter (where s.summed <> t.value or s.sections <> 19), count(*)
        from marts.fct_indicator_value t join sections s using (region_code)
        where t.indicator_code = 'establishments' and length(t.region_code) = 8
        """
    ).fetchone()
    assert (mismatched, townships) == (0, 368)


def test_age_sex_bands_add_up_to_township_totals(pipeline_home):
    con = duckdb.connect(str(pipeline_home / "warehouse" / "work.duckdb"), read_only=True)
    try:
        bands = con.execute(
            "select region_code, sex, age_band, age_to, population from"
            " intermediate.int_population__age_sex_bands__moi_township_age"
        ).df()
        totals = dict(con.execute(
            "select region_code, value from marts.fct_indicator_value where indicator_code ="
            " 'pop_total' and period = date '2026-06-01' and grain = 'month'"
            " and length(region_code) = 8"
        ).fetchall())
    finally:
        con.close()
    assert len(bands) == 368 * 2 * 21
    assert bands[bands["age_band"] == "100+"]["age_to"].isna().all()
    summed = bands.groupby("region_code")["population"].sum()
    assert summed.to_dict() == totals
    assert summed.sum() == 23_243_565


def test_township_indicators_reach_the_catalogue_level(published):
    """Every indicator with real township values says township (or finer) in the catalogue."""
    wrong = published.execute(
        """
        select distinct v.indicator_code, i.lowest_region_level
        from marts.fct_indicator_value v join marts.dim_indicator i using (indicator_code)
        where length(v.region_code) = 8 and not v.is_synthetic
          and i.lowest_region_level not in ('township', 'village')
        """
    ).fetchall()
    assert wrong == []
