"""Archive faults: a season zip fetched from a local server, landed, then loaded by
sources.real_estate.load_season (which reads members through sources.archives)."""

import io
import zipfile
from pathlib import Path

import duckdb
import invariants as inv
import pytest

from sources import real_estate
from sources.archives import numbered_line_chunks
from sources.errors import SourceError
from sources.http import fetch
from sources.real_estate import ReleaseOrigin
from sources.settings import SNAPSHOT_DIR

# Where the zip came from, as a caller records it in the files table (not read by these tests)
ORIGIN = ReleaseOrigin(raw_sha256="0" * 64, url="https://plvr.land.moi.gov.tw/test",
                       is_synthetic=False, coverage="season")

pytestmark = pytest.mark.faults

SOURCE = real_estate.LVR_LAND
SEASON_ZIP = (SNAPSHOT_DIR / "lvr_land" / "lvr_landcsv_115S1.zip").read_bytes()
MEMBER = zipfile.ZipFile(io.BytesIO(SEASON_ZIP)).read("a_lvr_land_a.csv")


def make_zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def load_served(live, httpserver_ipv4, monkeypatch):
    """load_served(body) fetches the season zip the server sends and loads it; returns the
    landed archive and the load's SourceError (None if it loaded)."""
    monkeypatch.setenv(SOURCE.base_url_env, httpserver_ipv4.url_for("/"))

    def _load(body: bytes):
        httpserver_ipv4.expect_request("/DownloadSeason").respond_with_data(
            body, content_type="application/zip"
        )
        landed = fetch(SOURCE, season="115S1")
        with duckdb.connect() as con:
            try:
                real_estate.load_season(con, landed.path, "115S1", "lvr_sales", origin=ORIGIN)
            except SourceError as error:
                return landed, error
        return landed, None

    return _load


def files_under(root) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("hostile", ["../../escaped.csv", "/tmp/tw_resas_escaped.csv",
                                     "a\\..\\..\\escaped.csv"])
def test_zip_slip_is_refused_and_nothing_leaves_the_landing_zone(load_served, live, case,
                                                                hostile):
    before = inv.publication(live)
    outside_before = files_under(live.parent)
    body = make_zip({"a_lvr_land_a.csv": MEMBER, hostile: b"pwned"})
    landed, error = load_served(body)
    inv.error_is_one_line(case, error, source_id=SOURCE.id, location=f"{landed.path}:{hostile}",
                          problem="zip slip|absolute path")
    inv.raw_bytes_kept(case, live, SOURCE.id, body, accepted=True, http_status=200)
    # asked directly, unzipping into the landing zone still refuses the entry
    member = next(i for i in zipfile.ZipFile(landed.path).infolist() if i.filename == hostile)
    with pytest.raises(SourceError):
        with numbered_line_chunks(landed.path, member, live / "landing" / SOURCE.id,
                                  source_id=SOURCE.id) as chunks:
            list(chunks)
    written = files_under(live.parent) - outside_before
    assert all(name.startswith(f"{live.name}/landing/") for name in written), written
    assert not any("escaped" in name for name in written)
    assert not Path("/tmp/tw_resas_escaped.csv").exists()
    inv.published_unchanged(case, live, before)


def test_zip_bomb_is_refused(load_served, live, case):
    before = inv.publication(live)
    body = make_zip({"a_lvr_land_a.csv": b"0" * 20_000_000})  # deflates about 1000x
    assert len(body) < 100_000
    landed, error = load_served(body)
    inv.error_is_one_line(case, error, source_id=SOURCE.id,
                          location=f"{landed.path}:a_lvr_land_a.csv", problem="zip bomb")
    inv.raw_bytes_kept(case, live, SOURCE.id, body, accepted=True, http_status=200)
    inv.published_unchanged(case, live, before)


def test_truncated_zip(load_served, live, case):
    before = inv.publication(live)
    body = SEASON_ZIP[: len(SEASON_ZIP) // 2]  # a download cut short, Content-Length to match
    landed, error = load_served(body)
    inv.error_is_one_line(case, error, source_id=SOURCE.id, location=landed.path,
                          problem="not a readable zip archive, truncated")
    inv.raw_bytes_kept(case, live, SOURCE.id, body, accepted=True, http_status=200)
    inv.published_unchanged(case, live, before)


def test_zip_missing_the_expected_member(load_served, live, case):
    before = inv.publication(live)
    body = make_zip({"README.txt": "本季無資料".encode()})
    landed, error = load_served(body)
    inv.error_is_one_line(case, error, source_id=SOURCE.id, location=landed.path,
                          problem=r"no \*_lvr_land_\[abc\]\.csv in the archive")
    inv.raw_bytes_kept(case, live, SOURCE.id, body, accepted=True, http_status=200)
    inv.published_unchanged(case, live, before)


def test_the_unharmed_season_loads_every_row(load_served):
    """The control: the same path loads the real season (so the refusals above are not a
    path that refuses everything)."""
    landed, error = load_served(SEASON_ZIP)
    assert error is None
    with duckdb.connect() as con:
        stats = real_estate.load_season(con, landed.path, "115S1", "lvr_sales", origin=ORIGIN)
        (rows,) = con.execute("select count(*) from lvr_sales").fetchone()
    assert rows == sum(s.rows_read for s in stats) == MEMBER.count(b"\r\n") - 2 == 79
