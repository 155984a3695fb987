import csv
from pathlib import Path

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
from sources.errors import SourceError
from sources.http import fetch

TWSTAT = Path(__file__).resolve().parents[1] / "fixtures" / "twstat"
COUNTIES = [
    "新北市", "臺北市", "桃園市", "臺中市", "臺南市", "高雄市", "宜蘭縣", "新竹縣", "苗栗縣",
    "彰化縣", "南投縣", "雲林縣", "嘉義縣", "屏東縣", "臺東縣", "花蓮縣", "澎湖縣", "基隆市",
    "新竹市", "嘉義市", "金門縣", "連江縣",
]  # fmt: skip


def raw(category: str) -> bytes:
    snapshot = COUNTY_INDICATORS.snapshot_for(category=category)
    return COUNTY_INDICATORS.snapshot_path(snapshot).read_bytes()


@pytest.fixture(scope="module")
def parsed() -> tuple[pd.DataFrame, pd.DataFrame]:
    frames = [parse_county_px(raw(category), category) for category in CATEGORIES]
    return (
        pd.concat([values for values, _ in frames], ignore_index=True),
        pd.concat([indicators for _, indicators in frames], ignore_index=True),
    )


@pytest.fixture(scope="module")
def by_key(parsed) -> pd.Series:
    values, _ = parsed
    return values.set_index(["indicator_zh", "year", "region_name"])["value"]


def test_fetch_serves_the_bundled_px_in_snapshot_mode(twresas_home):
    landed = fetch(COUNTY_INDICATORS, category="26-1")
    values, _ = parse_county_px(landed.read_bytes(), "26-1")
    tax = values.set_index(["indicator_zh", "year", "region_name"])["value"]
    assert tax["稅捐實徵淨額", 2014, "總計"] == 1_868_965_043  # 財政部 via DGBAS, 千元


def test_every_file_is_one_grid_of_indicators_years_and_regions(parsed):
    values, indicators = parsed
    assert sorted(values["year"].unique()) == list(range(1998, 2015))
    assert list(values["region_name"].unique()) == ["總計", "臺灣地區", *COUNTIES]
    per_category = values.groupby("category").size()
    indicator_count = indicators.groupby("category").size()
    assert (per_category == indicator_count * 17 * 24).all()
    assert not values.duplicated(["indicator_zh", "year", "region_name"]).any()


def test_664_indicators_each_with_unit_and_definition(parsed):
    _, indicators = parsed
    assert indicators["indicator_zh"].nunique() == 664 == len(indicators)
    assert indicators["unit"].notna().all() and (indicators["unit"] != "").all()
    assert indicators["definition"].str.startswith("定義：").all()


def test_units_come_from_the_note_blocks(parsed):
    _, indicators = parsed
    unit = indicators.set_index("indicator_zh")["unit"]
    # As printed: 「稅捐實徵淨額(千元)」, 「兒童及少年安置及教養機構 (所)」,
    # 「幼年人口比率(0-14歲)(％)」
    assert unit["稅捐實徵淨額"] == "千元"
    assert unit["平均每人稅賦"] == "元"
    assert unit["兒童及少年安置及教養機構"] == "所"
    assert unit["幼年人口比率(0-14歲)"] == "％"  # the name's own brackets are not the unit


def test_placeholders_are_nan_and_keep_their_text(parsed):
    values, _ = parsed
    empty = values["value"].isna()
    assert empty.any()
    assert set(values.loc[empty, "value_text"]) == {".", "..", "..."}
    numeric = values.loc[~empty]
    assert (pd.to_numeric(numeric["value_text"]) == numeric["value"]).all()


@pytest.mark.parametrize(
    ("indicator", "published"),
    [
        ("戶籍登記人口數", 23_433_753),  # 內政部, end of 2014
        ("病床數", 161_491),
        ("執業醫師數", 49_117),
        ("公司登記現有家數", 637_556),
        ("稅捐實徵淨額", 1_868_965_043),  # 千元
    ],
)
def test_2014_totals_match_published_and_the_22_counties_add_up(by_key, indicator, published):
    assert by_key[indicator, 2014, "總計"] == published
    assert sum(by_key[indicator, 2014, county] for county in COUNTIES) == published


def test_2014_ageing_index(by_key):
    assert by_key["老化指數", 2014, "總計"] == pytest.approx(85.70)  # 內政部 老化指數 2014


def test_every_twstat_value_equals_the_px_value(by_key):
    """g0v/twstat's per-indicator CSVs (derived from the same export) as an independent oracle:
    every number there equals the PX cell, every '-' there is a PX placeholder."""
    compared = placeholders = 0
    for path in sorted(TWSTAT.glob("twstat_*.csv")):
        indicator = path.stem.removeprefix("twstat_")
        with path.open(encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        regions = rows[0][1:]
        for row in rows[1:]:
            year = int(row[0])
            for region, cell in zip(regions, row[1:], strict=True):
                px_value = by_key[indicator, year, region]
                if cell == "-":
                    assert pd.isna(px_value), (indicator, year, region)
                    placeholders += 1
                else:
                    assert px_value == float(cell), (indicator, year, region)
                    compared += 1
    assert compared + placeholders == 100 * 17 * 24  # 100 files, 17 years, 24 columns
    assert compared > 35_000


def test_cp950_bytes_parse_like_the_utf8_snapshot():
    """The header says CHARSET="ANSI": what the site itself serves is Big5/CP950."""
    utf8 = raw("26-1")
    assert utf8.startswith(b'CHARSET="ANSI"')
    cp950 = utf8.decode("utf-8").encode("cp950")
    from_utf8, notes_utf8 = parse_county_px(utf8, "26-1")
    from_cp950, notes_cp950 = parse_county_px(cp950, "26-1")
    pd.testing.assert_frame_equal(from_utf8, from_cp950)
    pd.testing.assert_frame_equal(notes_utf8, notes_cp950)


def test_truncated_body_raises_naming_the_source():
    body = raw("26-1")
    with pytest.raises(SourceError, match="dgbas_county_indicators") as caught:
        parse_county_px(body[: len(body) - 4000], "26-1")
    assert "truncated" in caught.value.problem


def test_data_cut_short_but_terminated_raises():
    body = raw("26-1").rstrip()
    cut = body[: body.rindex(b" ", 0, len(body) - 2000)] + b";\r\n"
    with pytest.raises(SourceError) as caught:
        parse_county_px(cut, "26-1")
    assert caught.value.source_id == COUNTY_INDICATORS.id
    assert "PC-Axis" in caught.value.problem


@pytest.mark.parametrize("garbled", [b"12252#63122", b"inf", b"1e999", b"NaN", b"1.2e9"])
def test_garbled_cells_raise(garbled):
    """pd.to_numeric read 'inf' and '1e999' as infinity: the shared rule reads neither."""
    body = raw("26-1").replace(b"1225263122.000000", garbled, 1)
    with pytest.raises(SourceError, match="neither numbers nor PX placeholders"):
        parse_county_px(body, "26-1")


def test_html_error_page_raises():
    with pytest.raises(SourceError, match="dgbas_county_indicators.*not a PC-Axis file"):
        parse_county_px("<html><body>系統維護中</body></html>".encode(), "26-1")


# ---------------------------------------------------------------- the 2020 export


def raw_2020(category: str) -> bytes:
    snapshot = COUNTY_INDICATORS_2020.snapshot_for(category=category)
    return COUNTY_INDICATORS_2020.snapshot_path(snapshot).read_bytes()


@pytest.fixture(scope="module")
def parsed_2020() -> pd.DataFrame:
    frames = [
        parse_county_px(raw_2020(category), category, COUNTY_INDICATORS_2020)[0]
        for category in CATEGORIES_2020
        if category not in EMPTY_AS_PUBLISHED[COUNTY_INDICATORS_2020.id]
    ]
    return pd.concat(frames, ignore_index=True)


def test_2020_export_is_658_indicators_1998_to_2018_created_2020_01_12(parsed_2020):
    assert len(CATEGORIES_2020) == 34
    assert parsed_2020["indicator_zh"].nunique() == 658
    assert sorted(parsed_2020["year"].unique()) == list(range(1998, 2019))
    assert list(parsed_2020["region_name"].unique()) == ["總計", "臺灣地區", *COUNTIES]
    assert set(parsed_2020["export_created"]) == {pd.Timestamp("2020-01-12 14:49")}
    population = parsed_2020.set_index(["indicator_zh", "year", "region_name"])["value"]
    assert [population["戶籍登記人口數", year, "總計"] for year in range(2014, 2019)] == [
        23_433_753, 23_492_074, 23_539_816, 23_571_227, 23_588_932,
    ]  # SOURCES.md: official year-end totals


def test_only_the_declared_file_is_empty_and_it_does_not_parse():
    empty = [c for c in CATEGORIES_2020 if not raw_2020(c)]
    assert empty == sorted(EMPTY_AS_PUBLISHED[COUNTY_INDICATORS_2020.id]) == ["25-1"]
    with pytest.raises(SourceError, match="dgbas_county_indicators_2020.*not a PC-Axis file"):
        parse_county_px(b"", "25-1", COUNTY_INDICATORS_2020)


def test_creation_date_that_is_no_date_raises():
    body = raw_2020("26-1").replace(b'CREATION-DATE="2020/1/12 14:49"', b'CREATION-DATE="soon"')
    problem = r"_2020: CREATION-DATE 'soon' is not a .* date \[26-1.px\]"
    with pytest.raises(SourceError, match=problem):
        parse_county_px(body, "26-1", COUNTY_INDICATORS_2020)


def test_sources_md_count_of_4445_differing_cells_is_reproduced(parsed, parsed_2020):
    """SOURCES.md: 4,445 of 224,808 overlapping cells differ. That count matches cells by
    (file, indicator): the 85 indicators that moved file (14-2 into 14-1, 25-1 into 25-2) are
    not in it. Text compared, so '...' that became '.' counts."""
    values, _ = parsed
    overlap = values.merge(parsed_2020, on=["category", "indicator_zh", "year", "region_name"])
    assert len(overlap) == 224_808
    assert (overlap["value_text_x"] != overlap["value_text_y"]).sum() == 4_445
