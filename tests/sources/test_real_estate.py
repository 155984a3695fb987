import csv
import io
import zipfile
from datetime import date
from pathlib import Path

import duckdb
import pytest

from sources.errors import SourceError
from sources.http import Fetcher, fetch
from sources.landing import LandingZone
from sources.real_estate import (
    LVR_LAND,
    RENT_COLUMNS,
    SALES_COLUMNS,
    SPARE_FIELDS,
    ReleaseOrigin,
    create_table,
    load_season,
    parse_season_list,
    season_of,
    season_start,
    seasons_through,
)
from sources.settings import HttpSettings

# Where the zip came from, as a caller records it in the files table
ORIGIN = ReleaseOrigin(raw_sha256="0" * 64, url="https://plvr.land.moi.gov.tw/test",
                       is_synthetic=False, coverage="season")

# Transactions per file, as counted in the provenance notes of the real files.
EXPECTED_ROWS = {
    ("109S3", "a_lvr_land_a.csv"): 8841,
    ("109S3", "e_lvr_land_a.csv"): 14133,
    ("115S1", "a_lvr_land_a.csv"): 79,
}
@pytest.fixture(scope="module")
def landed(tmp_path_factory) -> dict[str, Path]:
    landing = LandingZone(tmp_path_factory.mktemp("home") / "landing")
    fetcher = Fetcher.create(HttpSettings(), landing)
    return {s: Path(fetch(LVR_LAND, fetcher=fetcher, season=s).path) for s in ("109S3", "115S1")}


@pytest.fixture(scope="module")
def con(landed, tmp_path_factory):
    con = duckdb.connect(str(tmp_path_factory.mktemp("wh") / "warehouse.duckdb"))
    for season, path in landed.items():
        load_season(con, path, season, "lvr_land", origin=ORIGIN)
    yield con
    con.close()


def publisher_rows(zip_path: Path, member: str) -> list[list[str]]:
    """The member's rows as Python's csv module reads them, header rows included."""
    text = zipfile.ZipFile(zip_path).read(member).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def rezip(zip_path: Path, out: Path, edit) -> Path:
    """The season zip with every member's text passed through `edit`."""
    with zipfile.ZipFile(zip_path) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, edit(src.read(info).decode("utf-8")).encode("utf-8"))
    return out


def test_both_layouts_load_into_one_table_with_every_row(con):
    counts = con.execute(
        "select season, source_file, count(*) from lvr_land group by all"
    ).fetchall()
    assert {(s, f): n for s, f, n in counts} == EXPECTED_ROWS
    columns = [row[0] for row in con.execute("describe lvr_land").fetchall()]
    assert columns == [
        "season", "release", "county_letter", "kind", "source_file", "source_row",
        "fields_read", "extra_fields", *SALES_COLUMNS, *RENT_COLUMNS,
    ]


def test_load_season_reports_rows_read_per_file(landed, tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        stats = load_season(con, landed["109S3"], "109S3", "t", origin=ORIGIN)
    assert {(("109S3", s.file)): s.rows_read for s in stats} == {
        k: v for k, v in EXPECTED_ROWS.items() if k[0] == "109S3"
    }


def test_load_season_records_each_file_with_its_kind_and_the_releases_dates(landed, tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        stats = load_season(con, landed["109S3"], "109S3", "t", origin=ORIGIN)
        recorded = con.execute(
            "select source_file, kind, rows_read, release, season_start, published_by,"
            " raw_sha256, coverage from t_files order by source_file"
        ).fetchall()
    assert [s.kind for s in stats] == ["a", "a"]
    assert recorded == [
        (file, "a", rows, "109S3", date(2020, 7, 1), date(2020, 12, 31), "0" * 64, "season")
        for (season, file), rows in sorted(EXPECTED_ROWS.items()) if season == "109S3"
    ]


def test_a_files_table_of_an_older_load_gains_the_season_start(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute("create table t_files (season varchar, source_file varchar, rows_read bigint)")
        con.execute("insert into t_files values ('109S3', 'a_lvr_land_a.csv', 8841)")
        create_table(con, "t")
        assert con.execute(
            "select release, coverage, published_by, season_start from t_files"
        ).fetchall() == [("109S3", "season", date(2020, 12, 31), date(2020, 7, 1))]


def test_old_layout_columns_map_onto_current_names(con):
    by_layout = con.execute(
        """select season, count(*) filter (where 土地位置建物門牌 = ''),
                  count(移轉編號), count(*) filter (where 移轉編號 <> ''),
                  count(車位移轉總面積平方公尺)
           from lvr_land group by season order by season"""
    ).fetchall()
    old, new = by_layout
    old_rows = sum(v for (s, _), v in EXPECTED_ROWS.items() if s == "109S3")
    assert old[1] == 0 and old[4] == old_rows  # renamed columns carried over
    assert old[2] == 0  # 移轉編號 did not exist yet: NULL, not ''
    assert new[1] == 0 and new[2] == 79 and new[3] > 0


@pytest.mark.parametrize(("season", "member"), list(EXPECTED_ROWS))
def test_every_value_and_line_number_matches_the_publisher_file(con, landed, season, member):
    rows = publisher_rows(landed[season], member)
    header = [h.replace("土地區段位置建物區段門牌", "土地位置建物門牌")
              .replace("車位移轉總面積(平方公尺)", "車位移轉總面積平方公尺") for h in rows[0]]
    loaded = con.execute(
        f"""select source_row, {", ".join(f'"{c}"' for c in header)} from lvr_land
            where season = ? and source_file = ? order by source_row""",
        [season, member],
    ).fetchall()
    # Line 1 Chinese header, line 2 English header (BOM or not), data from line 3; empty
    # fields stay '' as the publisher wrote them.
    expected = [(line_no, *row) for line_no, row in enumerate(rows[2:], start=3)]
    assert loaded == expected


def test_metadata_columns_come_from_the_file_name(con):
    assert con.execute(
        "select distinct season, county_letter, kind, source_file from lvr_land order by all"
    ).fetchall() == [
        ("109S3", "a", "a", "a_lvr_land_a.csv"),
        ("109S3", "e", "a", "e_lvr_land_a.csv"),
        ("115S1", "a", "a", "a_lvr_land_a.csv"),
    ]


def test_reloading_a_season_replaces_it(con, landed):
    before = con.execute("select count(*) from lvr_land").fetchone()[0]
    load_season(con, landed["109S3"], "109S3", "lvr_land", origin=ORIGIN)
    assert con.execute("select count(*) from lvr_land").fetchone()[0] == before
    assert con.execute("select count(*) from lvr_land where season = '115S1'").fetchone()[0] == 79


def test_file_without_english_header_row_keeps_every_row(landed, tmp_path):
    # Older seasons have only the Chinese header: skipping two lines would drop a transaction.
    variant = rezip(
        landed["115S1"], tmp_path / "old.zip",
        lambda t: "\r\n".join(line for i, line in enumerate(t.split("\r\n")) if i != 1),
    )
    with duckdb.connect() as con:
        [stats] = load_season(con, variant, "115S1", "t", origin=ORIGIN)
        first = con.execute("select min(source_row), max(source_row) from t").fetchone()
    assert stats.rows_read == 79 and first == (2, 80)


def test_renamed_column_fails_and_leaves_the_table_as_it_was(landed, tmp_path):
    variant = rezip(landed["115S1"], tmp_path / "renamed.zip",
                    lambda t: t.replace(",總價元,", ",總價,", 1))
    with duckdb.connect() as con:
        load_season(con, landed["115S1"], "115S1", "t", origin=ORIGIN)
        with pytest.raises(SourceError, match=r"column\(s\) \['總價元'\]") as info:
            load_season(con, variant, "115S1", "t", origin=ORIGIN)
        assert con.execute("select count(*) from t").fetchone()[0] == 79
    assert info.value.location.endswith("renamed.zip:a_lvr_land_a.csv")


@pytest.mark.parametrize(
    ("old", "new", "fields_read", "extra"),
    [
        # A stray comma in a row whose last field (移轉編號) is empty: DuckDB alone would
        # drop the trailing empty field and load the row shifted by one column.
        ("\r\n大安區,", "\r\n大安區,,", 34, ""),
        (",RPQNMLKKKHLGFFA47EA,690.7,10.46,47.94,有,\r\n", ",RPQNMLKKKHLGFFA47EA,690.7\r\n", 29,
         None),
    ],
    ids=["extra-field", "missing-fields"],
)
def test_row_with_the_wrong_number_of_fields_is_loaded_flagged_for_the_quarantine(
    landed, tmp_path, old, new, fields_read, extra
):
    assert old in zipfile.ZipFile(landed["115S1"]).read("a_lvr_land_a.csv").decode()
    variant = rezip(landed["115S1"], tmp_path / "ragged.zip", lambda t: t.replace(old, new, 1))
    with duckdb.connect() as con:
        [stats] = load_season(con, variant, "115S1", "t", origin=ORIGIN)
        flagged = con.execute(
            "select source_row, fields_read, extra_fields from t where fields_read <> ?",
            [stats.header_fields],
        ).fetchall()
    assert stats.rows_read == 79 and stats.header_fields == 33
    assert flagged == [(3, fields_read, extra)]


def test_row_with_more_surplus_fields_than_the_spare_columns_is_a_source_error(landed, tmp_path):
    surplus = "," * (SPARE_FIELDS + 1)
    variant = rezip(landed["115S1"], tmp_path / "ragged.zip",
                    lambda t: t.replace("\r\n大安區,", f"\r\n大安區{surplus},", 1))
    with duckdb.connect() as con, pytest.raises(SourceError, match="unreadable CSV"):
        load_season(con, variant, "115S1", "t", origin=ORIGIN)


@pytest.fixture
def live(monkeypatch, tmp_path, httpserver):
    monkeypatch.setenv("TWRESAS_HOME", str(tmp_path))
    monkeypatch.setenv("TWRESAS_SOURCE_MODE", "live")
    monkeypatch.setenv("TWRESAS_HTTP_BACKOFF", "0")
    monkeypatch.setenv(LVR_LAND.base_url_env, httpserver.url_for("/"))

    def serve(body: bytes):
        httpserver.expect_request(
            "/DownloadSeason",
            query_string={"season": "115S1", "type": "zip", "fileName": "lvr_landcsv.zip"},
        ).respond_with_data(body, content_type="application/octet-stream")
        return fetch(LVR_LAND, season="115S1")

    return serve


def zip_slip(real_zip: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(real_zip) as src, zipfile.ZipFile(buffer, "w") as dst:
        dst.writestr("a_lvr_land_a.csv", src.read("a_lvr_land_a.csv"))
        dst.writestr("../../a_lvr_land_a.csv", b"pwned")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("make_body", "problem"),
    [
        (lambda real: real.read_bytes()[:-200], "not a readable zip archive"),
        (zip_slip, "zip slip"),
    ],
    ids=["truncated", "zip-slip"],
)
def test_bad_archive_fails_and_the_raw_zip_stays_landed(live, landed, tmp_path, make_body, problem):
    body = make_body(landed["115S1"])
    raw = live(body)
    with duckdb.connect() as con, pytest.raises(SourceError, match=problem) as info:
        load_season(con, raw.path, "115S1", "t", origin=ORIGIN)
    assert info.value.source_id == "lvr_land" and raw.path in info.value.location
    assert Path(raw.path).read_bytes() == body
    assert LandingZone().manifest()[-1]["sha256"] == raw.sha256
    assert not list(tmp_path.parent.glob("a_lvr_land_a.csv"))


def test_load_leaves_the_connections_settings_as_it_found_them(landed, tmp_path):
    setting = "SELECT current_setting('memory_limit'), current_setting('preserve_insertion_order')"
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute("SET memory_limit = '100MB'")  # already below what the load would set
        con.execute("SET preserve_insertion_order = false")
        load_season(con, landed["115S1"], "115S1", "t", origin=ORIGIN)
        assert con.execute(setting).fetchone() == ("95.3 MiB", False)
        con.execute("RESET memory_limit")
        con.execute("RESET preserve_insertion_order")
        before = con.execute(setting).fetchone()
        assert before[1] is True
        load_season(con, landed["109S3"], "109S3", "t", origin=ORIGIN)
        assert con.execute(setting).fetchone() == before


def test_seasons_follow_the_roc_calendar():
    assert season_of(date(2020, 7, 1)) == "109S3"
    assert season_of(date(2026, 3, 31)) == "115S1"
    assert season_start("109S3") == date(2020, 7, 1)
    assert seasons_through("102S2") == ["101S3", "101S4", "102S1", "102S2"]


def test_season_list_is_read_from_the_download_pages_options():
    page = (
        '<select id="historySeason_id"><option value="115S1">115年第1季</option>'
        "<option value=114S4>114年第4季</option><option value='99S4'>99年第4季</option></select>"
    ).encode()
    assert parse_season_list(page) == ["99S4", "114S4", "115S1"]
    with pytest.raises(SourceError, match="no season"):
        parse_season_list(b"<html><body>503 Service Unavailable</body></html>")
