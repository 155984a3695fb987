import pandas as pd
import pytest

from sources.errors import SourceError
from sources.http import Fetcher, fetch
from sources.landing import LandingZone
from sources.settings import HttpSettings
from sources.tourism import BIG5_RELEASE_2019, VISITORS, parse_visitors, reconcile_annual_totals

CHINESE_MONTHS = "一月,二月,三月,四月,五月,六月,七月,八月,九月,十月,十一月,十二月"
ARABIC_MONTHS = ",".join(f"{m}月" for m in range(1, 13))


@pytest.fixture(scope="module")
def raw() -> bytes:
    """The 2012-2019 release in Big5 (CP950), byte-for-byte as published."""
    return (VISITORS.snapshot_path(VISITORS.snapshots[0]).parent / BIG5_RELEASE_2019).read_bytes()


@pytest.fixture(scope="module")
def release_2021(tmp_path_factory) -> bytes:
    """The bundled release (2012-2021, UTF-8), fetched the way the pipeline fetches it."""
    landing = LandingZone(tmp_path_factory.mktemp("home") / "landing")
    return fetch(VISITORS, fetcher=Fetcher.create(HttpSettings(), landing)).read_bytes()


@pytest.fixture(scope="module")
def visitors(raw) -> pd.DataFrame:
    return parse_visitors(raw)


def text(raw: bytes) -> str:
    return raw.decode("cp950")


def test_2019_release_is_big5_as_published(raw):
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert text(raw).startswith("年別,類型,觀光遊憩區,細分,縣市別," + ARABIC_MONTHS + ",合計")


def test_one_row_per_spot_and_month(raw, visitors):
    spots = len(text(raw).strip().splitlines()) - 1
    assert len(visitors) == 12 * spots
    assert list(visitors.columns) == [
        "year", "spot_type", "recreation_area", "spot_name", "county_name", "month",
        "visitors", "reported_annual_total",
    ]
    assert set(visitors["year"]) == set(range(2012, 2020))
    assert visitors.groupby(["year", "spot_type", "spot_name", "county_name"]).size().eq(12).all()
    assert str(visitors["visitors"].dtype) == "Int64"


def test_months_land_in_their_own_month(visitors):
    # 陽明公園 peaks with the flower season (花季) in March, 2012 row of the bundled file:
    # 161000,463000,705200,85600,…
    park = visitors[(visitors.spot_name == "陽明公園") & (visitors.year == 2012)]
    assert park.set_index("month")["visitors"].loc[[1, 2, 3, 4]].tolist() == [
        161000, 463000, 705200, 85600,
    ]


def test_every_spot_reconciles_with_the_published_annual_total(visitors):
    # Measured on the 2012-2019 release: all 2,426 rows add up to their 合計.
    mismatches = reconcile_annual_totals(visitors)
    assert len(mismatches) == 0


def test_reconciliation_reports_a_row_that_does_not_add_up(raw):
    tampered = text(raw).replace(
        "陽明公園,臺北市,161000,463000,705200", "陽明公園,臺北市,161000,463000,705201", 1
    )
    mismatches = reconcile_annual_totals(parse_visitors(tampered.encode("cp950")))
    found = mismatches[["year", "spot_name", "month_sum", "reported_annual_total"]]
    assert found.values.tolist() == [[2012, "陽明公園", 1720801, 1720800]]


def test_dash_means_no_recreation_area(raw, visitors):
    dashed_rows = sum(1 for line in text(raw).splitlines() if line.split(",")[2] == " -")
    assert dashed_rows > 0
    assert visitors["recreation_area"].isna().sum() == 12 * dashed_rows
    assert not visitors["recreation_area"].dropna().str.strip().eq("-").any()


def test_blank_months_are_null_not_zero(visitors):
    # 觸口遊客中心 2016: every month blank, 合計 0 in the published row.
    blank = visitors[(visitors.spot_name == "觸口遊客中心") & (visitors.year == 2016)]
    assert len(blank) == 12 and blank["visitors"].isna().all()
    assert (blank["reported_annual_total"] == 0).all()


def test_names_are_kept_as_published(visitors):
    assert visitors["spot_name"].str.contains("台").any()  # 台北當代藝術館 etc.
    assert visitors["county_name"].str.contains("台").sum() == 0  # 縣市別 always writes 臺


def test_chinese_month_headers_parse_the_same(raw, visitors):
    variant = text(raw).replace(ARABIC_MONTHS, CHINESE_MONTHS, 1)
    assert CHINESE_MONTHS in variant
    pd.testing.assert_frame_equal(parse_visitors(variant.encode("cp950")), visitors)


def test_utf8_re_release_parses_the_same(raw, visitors):
    pd.testing.assert_frame_equal(parse_visitors(text(raw).encode("utf-8-sig")), visitors)


def test_bytes_that_are_neither_big5_nor_utf8_fail_clearly(raw):
    with pytest.raises(SourceError, match="neither CP950 .* nor UTF-8") as info:
        parse_visitors(raw[:200] + b"\xff" + raw[200:])
    assert info.value.source_id == "tourism_spot_visitors"


@pytest.mark.parametrize(
    ("old", "new", "missing"),
    [(",縣市別,", ",縣市,", "縣市別"), (",12月,合計", ",合計", "1月…12月 or 一月…十二月")],
)
def test_renamed_or_missing_column_is_a_source_error(raw, old, new, missing):
    lines = text(raw).split("\r\n")
    lines[0] = lines[0].replace(old, new)
    with pytest.raises(SourceError, match="missing column") as info:
        parse_visitors("\r\n".join(lines).encode("cp950"))
    assert missing in info.value.problem


def test_text_in_a_count_is_a_source_error(raw):
    broken = text(raw).replace("陽明公園,臺北市,161000", "陽明公園,臺北市,約16萬", 1)
    with pytest.raises(SourceError, match="1月 '約16萬' is not a visitor count"):
        parse_visitors(broken.encode("cp950"))


# ---------------------------------------------------------------- the 2012-2021 release


def test_bundled_release_is_utf8_and_runs_to_2021(release_2021):
    rows = release_2021.decode("utf-8").strip().split("\n")
    assert len(rows) - 1 == 3_065  # SOURCES.md
    frame = parse_visitors(release_2021)
    assert set(frame["year"]) == set(range(2012, 2022))
    spot_years = frame.groupby("year")[["spot_type", "spot_name", "county_name"]].apply(len) // 12
    assert spot_years[2020] == 316 and spot_years[2021] == 323


def test_2012_2019_rows_of_both_releases_are_equal_cell_by_cell(raw, release_2021):
    import csv
    import io

    big5 = list(csv.reader(io.StringIO(raw.decode("cp950"))))
    utf8 = list(csv.reader(io.StringIO(release_2021.decode("utf-8"))))
    assert utf8[0] == big5[0]
    assert [row for row in utf8[1:] if int(row[0]) <= 2019] == big5[1:]
    # and one parser reads both to the same frame
    newer = parse_visitors(release_2021)
    pd.testing.assert_frame_equal(
        newer[newer["year"] <= 2019].reset_index(drop=True), parse_visitors(raw)
    )


def test_november_and_december_2021_are_missing_not_zero(release_2021):
    frame = parse_visitors(release_2021)
    late_2021 = frame[(frame["year"] == 2021) & (frame["month"] >= 11)]
    assert len(late_2021) == 2 * 323 and late_2021["visitors"].isna().all()
    # the 合計 printed for 2021 is the sum of ten months, so every row still reconciles
    assert reconcile_annual_totals(frame[frame["year"] == 2021]).empty


def test_both_dash_spellings_mean_no_recreation_area(release_2021):
    lines = release_2021.decode("utf-8").splitlines()[1:]
    area = [line.split(",")[2] for line in lines]
    dashes = [(line[:4], a) for a, line in zip(area, lines, strict=True) if a.strip() == "-"]
    assert {a for year, a in dashes if year <= "2019"} == {" -"}
    assert {a for year, a in dashes if year >= "2020"} == {"-"}
    frame = parse_visitors(release_2021)
    assert frame["recreation_area"].isna().sum() == 12 * sum(a.strip() == "-" for a in area)
