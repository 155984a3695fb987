"""The two DGBAS county exports (2016-05-06 and 2020-01-12) as published: the newer export's
figures are current to 2018, the older one's are revisions in fct_indicator_value_history, the
2020 export's shuffled 2002 welfare cells are quarantined. Expected counts are measured here
from the bundled PX files, independently of the dbt models."""

import csv

import pandas as pd
import pytest

from sources.dgbas import (
    CATEGORIES,
    CATEGORIES_2020,
    COUNTY_INDICATORS,
    COUNTY_INDICATORS_2020,
    EMPTY_AS_PUBLISHED,
    parse_county_px,
)
from sources.settings import PROJECT_ROOT

pytestmark = pytest.mark.pipeline

SEEDS = PROJECT_ROOT / "dbt_project" / "seeds" / "reference"
RELEASE_2020_UTC = "2020-01-12 06:49:00"  # CREATION-DATE 2020/1/12 14:49, Taipei time
KEY = ["indicator_zh", "region_name", "year"]
WELFARE_FILES = {f"{n:02d}-1" for n in range(7, 14)}


def export(source, categories) -> pd.DataFrame:
    frames = []
    for category in categories:
        if category in EMPTY_AS_PUBLISHED.get(source.id, ()):
            continue
        body = source.snapshot_path(source.snapshot_for(category=category)).read_bytes()
        frames.append(parse_county_px(body, category, source)[0])
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def cells() -> pd.DataFrame:
    """Both exports side by side under the newest names, with the quarantine rule applied."""
    with open(SEEDS / "dgbas_indicator_renames.csv", encoding="utf-8") as handle:
        renames = {r["indicator_zh_published"]: r["indicator_zh"] for r in csv.DictReader(handle)}
    old = export(COUNTY_INDICATORS, CATEGORIES)
    old["indicator_zh"] = old["indicator_zh"].replace(renames)
    new = export(COUNTY_INDICATORS_2020, CATEGORIES_2020)
    both = new.merge(old, on=KEY, how="outer", suffixes=("_new", "_old"), indicator=True)
    both["quarantined"] = (
        (both["_merge"] != "right_only") & both["category_new"].isin(WELFARE_FILES)
        & (both["year"] == 2002) & (both["value_text_new"] != both["value_text_old"])
    )
    return both


def test_official_population_totals_2014_to_2018(published):
    rows = dict(published.execute(
        "select year, value from marts.fct_dgbas_indicator"
        " where indicator_zh = '戶籍登記人口數' and region_code = 'TW' and year >= 2014"
    ).fetchall())
    assert rows == {2014: 23_433_753, 2015: 23_492_074, 2016: 23_539_816, 2017: 23_571_227,
                    2018: 23_588_932}
    national = dict(published.execute(
        "select year(period), value from marts.fct_indicator_value where indicator_code ="
        " 'pop_total' and region_code = 'TW' and grain = 'year' and year(period) >= 2014"
        " and year(period) <= 2018"
    ).fetchall())
    assert national == rows
    # 2014 is the same in both exports: one figure, from the 2016 release, never revised
    history = published.execute(
        "select value, source_id, valid_to from marts.fct_indicator_value_history"
        " where mart = 'fct_dgbas_indicator' and indicator_code = '戶籍登記人口數'"
        " and region_code = 'TW' and period = date '2014-01-01'"
    ).fetchall()
    assert history == [(23_433_753, "dgbas_county_indicators", None)]


def test_the_2020_indicators_reach_2018_and_the_others_end_in_2014(published, cells):
    rows = published.execute(
        "select indicator_zh, max(year), bool_or(source_id = 'dgbas_county_indicators_2020')"
        " from marts.fct_dgbas_indicator group by 1"
    ).fetchall()
    in_2020 = set(cells.loc[cells["_merge"] != "right_only", "indicator_zh"])
    with_2018 = set(cells.loc[(cells["year"] == 2018) & cells["value_new"].notna(),
                              "indicator_zh"])
    assert len(rows) == len(set(cells["indicator_zh"])) == 671
    for name, last_year, from_2020 in rows:
        if name in with_2018:
            assert last_year == 2018, name
        elif name not in in_2020:
            assert last_year <= 2014 and not from_2020, name
    # 桃園市 carries the old 桃園縣 code 10003 in the PX files; it is matched by name
    assert published.execute(
        "select count(*) from marts.fct_dgbas_indicator where region_code = '68000'"
        " and year = 2018"
    ).fetchone()[0] > 500


def test_catalogue_indicators_from_dgbas_reach_2018_where_the_export_has_2018(published, cells):
    rows = published.execute(
        """
        select i.indicator_code, max(year(v.period)), any_value(c.dgbas_indicator_zh)
        from marts.fct_indicator_value v
        join marts.dim_indicator i using (indicator_code)
        join (select distinct indicator_code, indicator_zh as dgbas_indicator_zh
              from marts.fct_dgbas_indicator where indicator_code is not null) c
            using (indicator_code)
        where v.source_id like 'dgbas_county_indicators%' and i.source_id = v.source_id[:23]
        group by 1
        """
    ).fetchall()
    with_2018 = set(cells.loc[(cells["year"] == 2018) & cells["value_new"].notna(),
                              "indicator_zh"])
    assert len(rows) > 40
    short = {code for code, last_year, name in rows if last_year < 2018}
    assert short == {code for code, _, name in rows if name not in with_2018}
    # 歲入 (the empty 25-1) and the factory survey (2018 not yet in the export)
    assert short == {"local_revenue", "factories_in_operation", "factory_employees",
                     "factory_revenue"}


def test_shuffled_2002_welfare_cells_are_quarantined_and_2016_kept(published, cells):
    expected = int(cells["quarantined"].sum())
    assert expected > 1_000
    assert published.execute(
        "select count(*) from marts.fct_quarantined_row"
        " where source_id = 'dgbas_county_indicators_2020'"
        " and reason like '2002 values shuffled between counties%'"
    ).fetchone()[0] == expected
    # SOURCES.md's example: 13-1, 2002, 新北市 holds 臺北市's value in the 2020 export
    shuffled = cells[cells["quarantined"] & (cells["category_new"] == "13-1")
                     & (cells["region_name"] == "新北市") & cells["value_old"].notna()]
    assert len(shuffled) > 10
    for row in shuffled.itertuples():
        kept = published.execute(
            "select value, source_id from marts.fct_dgbas_indicator where year = 2002"
            " and region_code = '65000' and indicator_zh = ?", [row.indicator_zh]
        ).fetchone()
        assert kept == (row.value_old, "dgbas_county_indicators"), row.indicator_zh


def test_revisions_between_the_exports_are_history(published, cells):
    """A revision is a cell whose figure changed: a number in both exports that differs, or a
    number the 2020 export no longer has (withdrawn). A placeholder that became another
    placeholder ('...' -> '.') is no revision: no figure on either side (it is in SOURCES.md's
    4,445); a number where 2016 had none is a first figure, not a revision. 臺灣地區 is a region
    of its own (TW-TA), so its revisions count too."""
    regions = cells[~cells["quarantined"] & (cells["_merge"] == "both")]
    revised = regions["value_old"].notna() & regions["value_new"].notna() & (
        regions["value_old"] != regions["value_new"])
    withdrawn = regions["value_old"].notna() & regions["value_new"].isna()
    counted = dict(published.execute(
        f"""
        select 'revised', count(*) from marts.fct_indicator_value_history
        where mart = 'fct_dgbas_indicator' and previous_value is not null
          and valid_from = timestamp '{RELEASE_2020_UTC}'
        union all
        select 'withdrawn', count(*) from marts.fct_indicator_value_history h
        where mart = 'fct_dgbas_indicator' and valid_to = timestamp '{RELEASE_2020_UTC}'
          and not exists (select 1 from marts.fct_indicator_value_history s
                          where s.mart = h.mart and s.indicator_code = h.indicator_code
                            and s.region_code = h.region_code and s.period = h.period
                            and s.valid_from = h.valid_to)
        """
    ).fetchall())
    assert counted == {"revised": int(revised.sum()), "withdrawn": int(withdrawn.sum())}
    assert counted["revised"] > 500


def test_history_current_rows_are_the_marts_and_a_date_query_gives_the_older_export(published):
    for mart, key in [("fct_indicator_value", "indicator_code"),
                      ("fct_dgbas_indicator", "indicator_zh")]:
        differing = published.execute(
            f"""
            select count(*) from marts.{mart} m
            full join (select * from marts.fct_indicator_value_history
                       where is_current and mart = '{mart}') h
              on h.indicator_code = m.{key} and h.region_code = m.region_code
             and h.period = m.period and h.value = m.value
            where h.value is null or m.value is null
            """
        ).fetchone()[0]
        assert differing == 0, mart
    # a revised cell: on 2018-01-01 the warehouse's figure is the 2016 export's
    (code, region, period, new, old) = published.execute(
        "select indicator_code, region_code, period, value, previous_value"
        " from marts.fct_indicator_value_history where mart = 'fct_dgbas_indicator'"
        " and previous_value is not null order by all limit 1"
    ).fetchone()
    on_date = published.execute(
        "select value from marts.fct_indicator_value_history where mart = 'fct_dgbas_indicator'"
        " and indicator_code = ? and region_code = ? and period = ?"
        " and valid_from <= ? and (valid_to is null or valid_to > ?)",
        [code, region, period, "2018-01-01", "2018-01-01"],
    ).fetchall()
    assert on_date == [(old,)] and old != new


def test_renamed_indicators_agree_between_the_exports(cells):
    with open(SEEDS / "dgbas_indicator_renames.csv", encoding="utf-8") as handle:
        names = {r["indicator_zh"] for r in csv.DictReader(handle)}
    renamed = cells[cells["indicator_zh"].isin(names) & ~cells["quarantined"]
                    & cells["value_old"].notna() & cells["value_new"].notna()]
    assert len(renamed) > 4_000
    assert (renamed["value_old"] == renamed["value_new"]).all()
