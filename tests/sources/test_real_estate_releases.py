"""實價登錄 beyond the season zips: 10-day releases (lvr_land_issue), a mirror's season
(lvr_land_mirror), the layouts they bring (28-column CRLF, 29 with the mirror's 縣市, 32, 33,
29- and 35-column rentals, 28-column pre-sales) and a release's manifest.csv / schema-*.csv."""

import csv
import io
import zipfile
from datetime import date
from pathlib import Path

import duckdb
import pytest

from sources.errors import SourceError
from sources.real_estate import (
    LVR_LAND,
    LVR_LAND_ISSUE,
    LVR_LAND_MIRROR,
    RENAMED,
    ReleaseOrigin,
    issue_days_through,
    load_season,
    release_coverage,
    release_published_by,
    release_season,
)
from sources.settings import SNAPSHOT_DIR

# Where the zip came from, as a caller records it in the files table (not read by these tests)
ORIGIN = ReleaseOrigin(raw_sha256="0" * 64, url="https://plvr.land.moi.gov.tw/test",
                       is_synthetic=False, coverage="season")

MIRROR_ZIP = SNAPSHOT_DIR / LVR_LAND_MIRROR.id / LVR_LAND_MIRROR.snapshots[0].file
MIRROR_DIR = "lvr-land-crawler-spark-813cd6d0db70e5395323221fdb06f27977fb06a5/input/"


def issue_zip(issue: str) -> Path:
    return SNAPSHOT_DIR / LVR_LAND_ISSUE.id / f"lvr_landcsv_{issue}.zip"


# Rows per file as SOURCES.md counts them (108S2) or as the provenance notes give them.
MIRROR_ROWS = {"a": 5592, "b": 10892, "e": 11169, "f": 12956, "h": 9022}


def publisher_rows(zip_path: Path, member: str) -> tuple[list[str], int, list[list[str]]]:
    """Header, the line the data start on, data rows: as Python's csv module reads them."""
    text = zipfile.ZipFile(zip_path).read(member).decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    english = rows and not any("\u3400" <= ch <= "\u9fff" for ch in rows[0][0])
    return header, 3 if english else 2, rows[1:] if english else rows


def load(zip_path: Path, release: str, source_id: str) -> tuple[duckdb.DuckDBPyConnection, list]:
    con = duckdb.connect()
    stats = load_season(con, zip_path, release_season(release), "t", release=release,
                        source_id=source_id, origin=ORIGIN)
    return con, stats


@pytest.fixture(scope="module")
def releases():
    loaded = {
        "108S2": load(MIRROR_ZIP, "108S2", LVR_LAND_MIRROR.id),
        **{issue: load(issue_zip(issue), issue, LVR_LAND_ISSUE.id)
           for issue in ("20200111", "20201201", "20220401", "20251001")},
    }
    yield loaded
    for con, _ in loaded.values():
        con.close()


def test_mirrored_season_keeps_every_row_of_the_five_cities(releases):
    _, stats = releases["108S2"]
    assert {s.file.removeprefix(MIRROR_DIR)[0]: s.rows_read for s in stats} == MIRROR_ROWS
    assert all(s.header_fields == 29 for s in stats)  # 28 publisher columns + the mirror's 縣市


def test_mirror_english_row_with_its_chinese_county_is_still_a_header(releases):
    con, _ = releases["108S2"]
    # the mirror appended 縣市 to the English header row too: it must not load as data
    assert con.execute("select min(source_row), count(*) filter (where 鄉鎮市區 like 'The %')"
                       " from t").fetchone() == (3, 0)
    counties = dict(con.execute("select county_letter, list(distinct 縣市) from t group by 1")
                    .fetchall())
    assert counties == {"a": ["臺北市"], "b": ["臺中市"], "e": ["高雄市"], "f": ["新北市"],
                        "h": ["桃園市"]}


@pytest.mark.parametrize(
    ("release", "member"),
    [
        ("108S2", MIRROR_DIR + "a_lvr_land_a.csv"),  # 29 columns, LF, 縣市 appended
        ("20200111", "a_lvr_land_a.csv"),  # old 28 columns, CRLF
        ("20201201", "b_lvr_land_a.csv"),  # 32 columns
        ("20201201", "d_lvr_land_b.csv"),  # pre-sales, 28 columns
        ("20201201", "f_lvr_land_c.csv"),  # rentals, 29 columns
        ("20220401", "e_lvr_land_a.csv"),  # 33 columns (移轉編號)
        ("20251001", "a_lvr_land_c.csv"),  # rentals, 35 columns
    ],
)
def test_every_value_and_line_number_matches_the_publisher_file(releases, release, member):
    con, _ = releases[release]
    zip_path = MIRROR_ZIP if release == "108S2" else issue_zip(release)
    header, first_line, rows = publisher_rows(zip_path, member)
    columns = ", ".join(f'"{RENAMED.get(c, c)}"' for c in header)
    loaded = con.execute(
        f"select source_row, {columns} from t where source_file = ? order by source_row",
        [member],
    ).fetchall()
    assert loaded == [(line, *row) for line, row in enumerate(rows, start=first_line)]


def test_release_files_are_checked_against_the_schema_its_manifest_names(releases):
    _, stats = releases["20201201"]
    schemas = {s.file: s.schema for s in stats}
    assert schemas["a_lvr_land_a.csv"] == "schema-main.csv"
    assert schemas["a_lvr_land_c.csv"] == "schema-main-rent.csv"
    # the manifest names schema-main-sale.csv for pre-sales, but the release lacks it
    assert schemas["a_lvr_land_b.csv"] is None
    assert len(stats) == 33  # 15 counties' main a, b and c files


def test_ragged_rentals_of_the_publishers_release_are_loaded_and_flagged(releases):
    con, stats = releases["20201201"]
    ragged = con.execute(
        "select source_file, source_row, fields_read from t where kind = 'c'"
        " and fields_read <> 29 order by all"
    ).fetchall()
    expected = []
    for s in stats:
        if s.file.endswith("_c.csv"):
            _, first_line, rows = publisher_rows(issue_zip("20201201"), s.file)
            expected += [(s.file, line, len(row))
                         for line, row in enumerate(rows, start=first_line) if len(row) != 29]
    assert ragged == sorted(expected) and len(expected) == 14


def rebuilt(tmp_path: Path, edit_members) -> Path:
    """The 2020-12-01 release with its members' text passed through edit_members(name, text)."""
    out = tmp_path / "release.zip"
    with zipfile.ZipFile(issue_zip("20201201")) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            text = edit_members(info.filename, src.read(info).decode("utf-8"))
            if text is not None:
                dst.writestr(info.filename, text.encode("utf-8"))
    return out


def test_a_column_the_schema_lists_and_the_file_lacks_is_a_source_error(tmp_path):
    # schema-main-rent.csv asks for 有無附傢俱; a rental file without it is refused
    variant = rebuilt(tmp_path, lambda name, text: text.replace(",有無附傢俱,", ",附傢俱,", 1)
                      if name == "a_lvr_land_c.csv" else text)
    with duckdb.connect() as con, pytest.raises(SourceError, match="有無附傢俱") as info:
        load_season(con, variant, "109S4", "t", release="20201201", source_id="lvr_land_issue",
                    origin=ORIGIN)
    assert info.value.location.endswith("release.zip:a_lvr_land_c.csv")


def test_a_file_missing_from_the_manifest_is_a_source_error(tmp_path):
    variant = rebuilt(tmp_path, lambda name, text: "\n".join(
        line for line in text.split("\n") if not line.startswith("x_lvr_land_a.csv")
    ) if name == "manifest.csv" else text)
    with duckdb.connect() as con, pytest.raises(SourceError, match="not listed in the release"):
        load_season(con, variant, "109S4", "t", release="20201201", source_id="lvr_land_issue",
                    origin=ORIGIN)


def test_a_schema_the_release_does_not_describe_is_a_source_error(tmp_path):
    variant = rebuilt(tmp_path, lambda name, text: "欄位,說明\n" if name == "schema-main.csv"
                      else text)
    with duckdb.connect() as con, pytest.raises(SourceError, match="schema-main.csv"):
        load_season(con, variant, "109S4", "t", release="20201201", source_id="lvr_land_issue",
                    origin=ORIGIN)


def test_two_releases_of_one_season_are_kept_apart(tmp_path):
    with duckdb.connect() as con:
        for issue in ("20201201", "20201211"):
            load_season(con, issue_zip("20201201"), "109S4", "t", release=issue,
                        source_id="lvr_land_issue", origin=ORIGIN)
        # a re-load replaces its own release only
        load_season(con, issue_zip("20201201"), "109S4", "t", release="20201211",
                    source_id="lvr_land_issue", origin=ORIGIN)
        counts = dict(con.execute("select release, count(*) from t group by 1").fetchall())
        recorded = dict(con.execute(
            "select release, sum(rows_read) from t_files group by 1").fetchall())
    assert counts == recorded == {"20201201": 11659, "20201211": 11659}


def test_releases_name_their_season_coverage_and_last_possible_day():
    assert release_season("20201201") == "109S4"  # registered up to 2020-11-30
    assert release_season("20201001") == "109S3"
    assert release_season("109S3") == "109S3"
    assert release_published_by("20220401") == date(2022, 4, 1)
    assert release_published_by("109S3") == date(2020, 12, 31)
    assert release_published_by("109S4") == date(2021, 3, 31)
    assert release_coverage(LVR_LAND.id, "lvr_landcsv_109S3.zip") == "season"
    assert release_coverage(LVR_LAND.id, "lvr_landcsv_115S1.zip") == "subset"
    assert release_coverage(LVR_LAND_ISSUE.id, "lvr_landcsv_20201201.zip") == "issue"
    assert release_coverage(LVR_LAND_MIRROR.id, None) == "season"
    assert issue_days_through(date(2019, 2, 15)) == [
        "20190101", "20190111", "20190121", "20190201", "20190211"
    ]
    with pytest.raises(ValueError, match="release"):
        release_season("2020-12-01")


def test_issue_urls_are_the_publishers_history_download():
    assert LVR_LAND_ISSUE.url(issue="20201201") == (
        "https://plvr.land.moi.gov.tw/DownloadHistory?type=history&fileName=20201201"
    )
    assert LVR_LAND_MIRROR.kind == "mirror_table"
