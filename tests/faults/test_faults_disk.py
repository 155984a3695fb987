"""A full disk and the state left on it: whole manifest lines, no body without a record, a
Parquet manifest written whole, a failed COMMIT reported with its real cause, temporary
folders of a killed run removed, paths in SQL quoted, a relative TWRESAS_HOME resolved once.

ENOSPC is simulated by patching the write that hits the disk (no tmpfs without privileges)."""

import errno
import json
import os
import shutil
import tempfile
import warnings

import duckdb
import invariants as inv
import pandas as pd
import pytest

import orchestration.publish
import sources.landing
from orchestration.audit import raw_files_used
from orchestration.cli import run_temp_dir
from orchestration.dbt_project import dbt_variables
from orchestration.defs.publish import GATED_MARTS
from orchestration.publish import publish_marts, repair_parquet_current
from orchestration.raw import write_raw_partition
from orchestration.resources import Warehouse, bound_resources
from sources import population, real_estate, settings
from sources.errors import SourceError
from sources.http import fetch
from sources.landing import DamagedManifestLine, LandingZone
from sources.real_estate import ReleaseOrigin

# Where the zip came from, as a caller records it in the files table (not read by these tests)
ORIGIN = ReleaseOrigin(raw_sha256="0" * 64, url="https://plvr.land.moi.gov.tw/test",
                       is_synthetic=False, coverage="season")

pytestmark = pytest.mark.faults

SOURCE = population.COUNTY_POPULATION_BY_SEX  # served from its bundled snapshot
PARAMS = dict(SOURCE.snapshots[0].params)
BODY = SOURCE.snapshot_path(SOURCE.snapshots[0]).read_bytes()
ENOSPC = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def fetch_failure(**params) -> SourceError:
    with pytest.raises(SourceError) as error:
        fetch(SOURCE, **params)
    return error.value


def test_disk_full_while_writing_a_body(home, case, monkeypatch):
    before = inv.publication(home)

    def full(fd):
        raise ENOSPC

    with monkeypatch.context() as patch:
        patch.setattr(sources.landing.os, "fsync", full)
        error = fetch_failure(**PARAMS)
    inv.error_is_one_line(case, error, source_id=SOURCE.id, location=SOURCE.url(**PARAMS),
                          problem=f"cannot land {len(BODY):,} bytes in .*No space left")
    assert inv.landing_consistent(case, home) == []
    inv.published_unchanged(case, home, before)


@pytest.mark.parametrize("fault", ["raises", "short write"])
def test_disk_full_while_appending_a_manifest_row(home, case, monkeypatch, fault):
    """The row is cut off again and the body it described removed; the next append is a
    whole line of its own."""
    before = inv.publication(home)
    landing = LandingZone(home / "landing")
    landing.store("earlier", "https://example.invalid/a", b"kept", http_status=200,
                  mode="snapshot", extension="txt")
    real_write = os.write

    def full(fd, data):
        if fault == "raises":
            raise ENOSPC
        return real_write(fd, data[: len(data) // 2])  # what a nearly full disk does

    with monkeypatch.context() as patch:
        patch.setattr(sources.landing.os, "write", full)
        error = fetch_failure(**PARAMS)
    inv.error_is_one_line(case, error, source_id=SOURCE.id, location=SOURCE.url(**PARAMS),
                          problem="cannot land .*(No space left|cut short)")
    assert [r["source_id"] for r in inv.landing_consistent(case, home)] == ["earlier"]
    assert not list((home / "landing" / SOURCE.id).glob("*")), "a body without its row"

    fetch(SOURCE, **PARAMS)  # the disk has room again
    inv.raw_bytes_kept(case, home, SOURCE.id, BODY, accepted=True, http_status=200)
    assert [r["source_id"] for r in inv.landing_consistent(case, home)] == ["earlier", SOURCE.id]
    inv.published_unchanged(case, home, before)


@pytest.mark.pipeline
@pytest.mark.parametrize("damage", ["two rows glued", "row cut short at the end"])
def test_damaged_manifest_line_is_skipped_and_reported(pipeline_copy, warehouse, case, damage):
    """What an older writer left on a full disk: the reader skips the line and says so,
    the next append starts a line of its own, and the run report still lists its files."""
    home = pipeline_copy
    before = inv.publication(home)
    manifest = home / "landing" / "manifest.jsonl"
    lines = manifest.read_text(encoding="utf-8").splitlines(keepends=True)
    if damage == "two rows glued":
        lines[1:3] = [lines[1][:40] + lines[2]]
    else:
        lines[-1] = lines[-1][:40]
    manifest.write_text("".join(lines), encoding="utf-8")

    with pytest.warns(DamagedManifestLine, match=r"manifest.jsonl:\d+: damaged manifest line"):
        rows = LandingZone(home / "landing").manifest()
    assert len(rows) == len(lines) - 1
    case.checked.append("damaged line reported")

    fetch(SOURCE, **PARAMS)
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        zone = LandingZone(home / "landing")
        assert zone.manifest()[-1]["source_id"] == SOURCE.id
        assert len(zone.damaged_lines) == 1, "the new row must not be glued to the damage"
        used = raw_files_used(warehouse)
    assert used, "the run report still finds the raw files"
    inv.raw_bytes_kept(case, home, SOURCE.id, BODY, accepted=True, http_status=200)
    inv.published_unchanged(case, home, before)


def test_incomplete_landing_file_of_a_killed_run_is_removed(home, case):
    before = inv.publication(home)
    folder = home / "landing" / SOURCE.id
    folder.mkdir(parents=True)
    leftover = folder / ".incoming-k1ll3d"
    leftover.write_bytes(BODY[:100])  # SIGKILL mid-write: no row, not named by its hash
    removed = LandingZone(home / "landing").remove_incomplete()
    assert removed == [leftover]
    inv.landing_consistent(case, home)
    inv.published_unchanged(case, home, before)


def current_manifest(home):
    return (home / "warehouse" / "parquet" / "current").resolve() / "manifest.json"


@pytest.mark.pipeline
def test_truncated_parquet_manifest_does_not_stop_later_runs(pipeline_copy, case):
    home = pipeline_copy
    before = inv.publication(home)
    published = home / "warehouse" / "tw_resas.duckdb"
    manifest = current_manifest(home)
    manifest.write_text(manifest.read_text()[:100])  # what an in-place write left on ENOSPC
    with pytest.warns(UserWarning, match="damaged Parquet manifest skipped"):
        assert repair_parquet_current(published) is None
    case.checked.append("damaged manifest skipped")
    inv.published_unchanged(case, home, before)


@pytest.mark.pipeline
def test_disk_full_while_writing_the_parquet_manifest(samples_home, case, monkeypatch):
    """The publication fails as a whole: the DuckDB file and `current` stay the last good
    ones, and no version folder without its manifest is left."""
    home = samples_home
    warehouse = home / "warehouse"
    work = warehouse / "work.duckdb"
    before = inv.publication(home)
    versions_before = sorted((warehouse / "parquet").iterdir())
    real_open = open

    def full_open(path, mode="r", *args, **kwargs):
        handle = real_open(path, mode, *args, **kwargs)
        if "w" in mode and ".manifest.json." in str(path):
            handle.write = lambda text: (_ for _ in ()).throw(ENOSPC)
        return handle

    with monkeypatch.context() as patch, pytest.raises(OSError, match="No space left"):
        patch.setattr(orchestration.publish, "open", full_open, raising=False)
        publish_marts(work, warehouse / "tw_resas.duckdb", GATED_MARTS, "run-on-a-full-disk")
    assert sorted((warehouse / "parquet").iterdir()) == versions_before
    assert not list(warehouse.glob(".tw_resas.*.duckdb*"))
    assert not list((warehouse / "parquet").glob("*/.manifest.json.*"))
    json.loads(current_manifest(home).read_text())
    case.checked.append("no half version")
    inv.published_unchanged(case, home, before)


class FullDiskAtCommit:
    """A DuckDB connection whose COMMIT fails as on a full disk: the transaction is gone
    (DuckDB ends it), so a later ROLLBACK says 'no transaction is active'."""

    def __init__(self, con):
        self._con = con

    def execute(self, sql, *args):
        if sql.strip().lower() == "commit":
            self._con.execute("rollback")
            raise duckdb.IOException('Could not write file "work.duckdb.wal": '
                                     "No space left on device")
        return self._con.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self._con, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._con.close()


def test_failed_commit_of_a_raw_partition_reports_the_real_cause(home, warehouse, case,
                                                                  monkeypatch):
    before = inv.publication(home)
    source = population.HOUSEHOLD_REGISTRATION_API
    frame = pd.DataFrame({"statistic_yyymm": ["11509", "11509"], "people_total": [1, 2]})
    write_raw_partition(warehouse, source, frame, [], "statistic_yyymm", "11509")
    connect = Warehouse.connect_work_db
    with monkeypatch.context() as patch, pytest.raises(SourceError) as error:
        patch.setattr(Warehouse, "connect_work_db",
                      lambda self, read_only=False: FullDiskAtCommit(connect(self, read_only)))
        write_raw_partition(warehouse, source, frame.assign(people_total=[3, 4]), [],
                            "statistic_yyymm", "11509")
    message = inv.error_is_one_line(
        case, error.value, source_id=source.id, location=str(home / "warehouse" / "work.duckdb"),
        problem="cannot write statistic_yyymm=11509 into raw.* No space left on device")
    assert "no transaction is active" not in message
    with warehouse.connect_work_db(read_only=True) as con:
        rows = con.execute(f'select people_total from raw."{source.id}" order by 1').fetchall()
    assert rows == [(1,), (2,)], "the failed load must leave the release as it was"
    inv.published_unchanged(case, home, before)


def test_failed_commit_of_a_season_reports_the_real_cause(home, case):
    before = inv.publication(home)
    season = real_estate.LVR_LAND.snapshots[0]
    archive = real_estate.LVR_LAND.snapshot_path(season)
    with duckdb.connect() as con:
        with pytest.raises(duckdb.IOException) as error:
            real_estate.load_season(FullDiskAtCommit(con), archive, season.params["season"],
                                    "lvr_sales", origin=ORIGIN)
        assert con.execute("select count(*) from lvr_sales").fetchone() == (0,)
    message = str(error.value)
    assert "No space left on device" in message and "no transaction" not in message
    case.checked.append("real cause reported")
    inv.published_unchanged(case, home, before)


def test_temporary_folders_of_a_killed_run_are_removed_by_the_next(home, case):
    before = inv.publication(home)
    with run_temp_dir(home) as folder:
        chunks = folder / "lvr_land-x" / "chunks-y"
        chunks.mkdir(parents=True)
        (chunks / "000.csv").write_bytes(b"1,a\n")
        assert tempfile.gettempdir() == str(folder)
        os.rename(folder, f"{folder}.kept")  # what a SIGKILL leaves: the folder stays
    os.rename(f"{folder}.kept", folder)
    with run_temp_dir(home) as again:
        assert again == folder and list(folder.iterdir()) == []
    assert not folder.exists()
    case.checked.append("temporary folders removed")
    inv.published_unchanged(case, home, before)


@pytest.mark.pipeline
@pytest.mark.parametrize("name", ["o'brien", "x'; copy (select 1) to 'pwned.csv'; --"],
                         ids=["quote", "crafted"])
def test_a_quote_in_the_home_path_is_quoted_in_sql(samples_home, tmp_path, case, name):
    """The same marts published from a plain home and from one whose path holds a quote: the
    same content, and no statement run from the path."""
    plain = samples_home
    before = inv.publication(plain)
    home = tmp_path / name
    (home / "warehouse").mkdir(parents=True)
    work = home / "warehouse" / "work.duckdb"
    shutil.copy2(plain / "warehouse" / "work.duckdb", work)
    published = home / "warehouse" / "tw_resas.duckdb"
    marts = publish_marts(work, published, GATED_MARTS, "run-with-a-quote")
    assert {m.name for m in marts} == set(GATED_MARTS)
    after = inv.publication(home)
    assert after.run_id == "run-with-a-quote" and after.marts == before.marts
    manifest = json.loads((home / "warehouse" / "parquet" / "current" / "manifest.json")
                          .read_text())
    assert set(manifest["marts"]) == set(GATED_MARTS)
    assert not list(tmp_path.rglob("pwned.csv")) and not os.path.exists("pwned.csv")
    case.checked.append("paths quoted in SQL")
    inv.published_unchanged(case, plain, before)


def test_a_relative_home_is_resolved_once(home, case, monkeypatch, tmp_path):
    before = inv.publication(home)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TWRESAS_HOME", "relative/home")
    warehouse = bound_resources(settings.read_settings())["warehouse"]
    resolved = tmp_path / "relative" / "home"
    assert warehouse.root == resolved
    monkeypatch.chdir(settings.PROJECT_ROOT / "dbt_project")  # where dbt runs
    assert warehouse.work_db == resolved / "warehouse" / "work.duckdb"
    assert dbt_variables(warehouse.root, None) == {"TWRESAS_HOME": str(resolved)}, \
        "dbt, which reads the variable itself, is given the absolute path"
    with pytest.raises(ValueError, match="must be an absolute path"):
        Warehouse(home="relative/home")
    case.checked.append("home resolved once")
    inv.published_unchanged(case, home, before)
