"""A raw load is reused when nothing it depends on changed (orchestration.raw.reused_load):
the same landed files, the same parsing code, the same day. Anything else parses again. A
release of a partitioned source is reused in the same way."""

import hashlib
import shutil
from datetime import date, timedelta

import dagster as dg
import duckdb
import pytest

from orchestration import raw
from orchestration.defs import real_estate as real_estate_defs
from orchestration.defs import tourism as tourism_defs
from orchestration.defs.mof import tax_revenue
from orchestration.releases import release_runs
from sources import catalog, mof, real_estate, tourism
from tests.conftest import environment_resources


def materialise() -> dict:
    result = dg.materialize([tax_revenue], resources=environment_resources())
    (event,) = result.get_asset_materialization_events()
    return event.materialization.metadata


def raw_rows(warehouse) -> list[tuple]:
    with duckdb.connect(str(warehouse.work_db), read_only=True) as con:
        return con.execute(f'select * from raw."{mof.TAX_REVENUE.id}" order by all').fetchall()


def test_the_same_files_and_code_reuse_the_table(warehouse):
    first = materialise()
    rows = raw_rows(warehouse)
    second = materialise()

    assert first["reused_unchanged_load"].value is False
    assert second["reused_unchanged_load"].value is True
    assert second["dagster/row_count"] == first["dagster/row_count"]
    assert second["raw_sha256"] == first["raw_sha256"]
    assert raw_rows(warehouse) == rows


@pytest.mark.parametrize("change", ["parsing code", "day", "table dropped", "parquet removed"])
def test_anything_else_loads_again(warehouse, monkeypatch, change):
    materialise()
    if change == "parsing code":
        monkeypatch.setattr(raw, "parsing_code_version", lambda: "another version")
    elif change == "day":
        monkeypatch.setattr(raw, "date", type("NextDay", (), {
            "today": staticmethod(lambda: date.today() + timedelta(days=1))}))
    elif change == "table dropped":
        with duckdb.connect(str(warehouse.work_db)) as con:
            con.execute(f'drop table raw."{mof.TAX_REVENUE.id}"')
    else:
        shutil.rmtree(warehouse.raw_parquet_dir / mof.TAX_REVENUE.id)

    assert materialise()["reused_unchanged_load"].value is False
    assert raw_rows(warehouse)


def test_a_changed_file_loads_again(warehouse, monkeypatch, tmp_path):
    materialise()
    snapshots = tmp_path / "snapshots"
    shutil.copytree(catalog.SNAPSHOT_DIR / mof.TAX_REVENUE.id, snapshots / mof.TAX_REVENUE.id)
    (path,) = [snapshots / mof.TAX_REVENUE.id / s.file for s in mof.TAX_REVENUE.snapshots]
    text = path.read_text(encoding="utf-8")
    assert '"23,815,402"' in text
    path.write_text(text.replace('"23,815,402"', '"23,815,403"'), encoding="utf-8")
    monkeypatch.setattr(catalog, "SNAPSHOT_DIR", snapshots)

    metadata = materialise()

    assert metadata["reused_unchanged_load"].value is False
    new_sha = hashlib.sha256(path.read_bytes()).hexdigest()
    assert metadata["raw_sha256"].value == [new_sha]
    assert any(23_815_403 in row for row in raw_rows(warehouse))


def test_a_reused_release_reports_what_its_load_reported(twresas_home, monkeypatch, tmp_path):
    """A tourism year is a release of raw.tourism_spot_visitors; reused, its rows and load time
    stay (dbt re-processes nothing) and the totals check is read from what was loaded."""
    snapshots = tmp_path / "snapshots"
    shutil.copytree(catalog.SNAPSHOT_DIR / tourism.VISITORS.id, snapshots / tourism.VISITORS.id)
    (path,) = [snapshots / tourism.VISITORS.id / s.file for s in tourism.VISITORS.snapshots]
    row = "2012,國家公園,陽明山國家公園,陽明山遊客中心,臺北市,12187,"
    text = path.read_text(encoding="utf-8")
    assert text.count(row) == 1
    path.write_text(text.replace(row, row.replace("12187", "12188")), encoding="utf-8")
    monkeypatch.setattr(catalog, "SNAPSHOT_DIR", snapshots)
    job = dg.Definitions(jobs=[tourism_defs.tourism_visitors_job],
                         assets=[tourism_defs.tourism_spot_visitors],
                         resources=environment_resources()).resolve_job_def(
        "tourism_visitors_yearly")

    def load(year: str) -> dict:
        (event,) = job.execute_in_process(partition_key=year).get_asset_materialization_events()
        return event.materialization.metadata

    first = load("2012")
    second = load("2012")
    other_year = load("2013")

    assert (first["reused_unchanged_load"].value, second["reused_unchanged_load"].value,
            other_year["reused_unchanged_load"].value) == (False, True, False)
    assert first["rows_not_adding_up_to_合計"].value == 1  # 陽明山遊客中心, one more in January
    for name in ("dagster/row_count", "spot_rows_read", "rows_not_adding_up_to_合計",
                 "not_adding_up"):
        assert second[name] == first[name], name
    with duckdb.connect(str(twresas_home / "warehouse" / "work.duckdb"), read_only=True) as con:
        loads = con.execute("select year, count(distinct _loaded_at) from "
                            f'raw."{tourism.VISITORS.id}" group by year order by year').fetchall()
    assert loads == [(2012, 1), (2013, 1)]

    # a range of years in one run: reused years stay, a new year is loaded, counts add up
    (range_run,) = [partitions for _, partitions in release_runs(job, ["2012", "2013", "2014"])]
    events = job.execute_in_process(**range_run).get_asset_materialization_events()
    assert sorted(event.partition for event in events) == ["2012", "2013", "2014"]
    ranged = events[0].materialization.metadata
    assert ranged["rows_not_adding_up_to_合計"].value == 1
    assert ranged["spot_rows_read"].value == sum(
        load(year)["spot_rows_read"].value for year in ("2012", "2013", "2014"))
    year_rows = ranged["years"].value.splitlines()[2:]  # a markdown table: header, rule, rows
    assert [row.split("|")[1].strip() for row in year_rows] == ["2012", "2013", "2014"]
    assert "陽明山遊客中心" in ranged["not_adding_up"].value
    with duckdb.connect(str(twresas_home / "warehouse" / "work.duckdb"), read_only=True) as con:
        loads = con.execute("select year, min(_loaded_at) = max(_loaded_at) from "
                            f'raw."{tourism.VISITORS.id}" group by year order by year').fetchall()
    assert loads == [(2012, True), (2013, True), (2014, True)]


def test_a_reused_season_keeps_its_rows_load_time_and_file_counts(twresas_home, monkeypatch):
    """A 實價登錄 season is a release of raw.lvr_land: reused, it reports the rows read per file
    its load recorded, and its files keep their load time (dbt's incremental models re-process
    nothing); a new day loads it again."""
    job = dg.Definitions(jobs=[real_estate_defs.lvr_land_job],
                         assets=[real_estate_defs.lvr_land],
                         resources=environment_resources()).resolve_job_def(
        real_estate_defs.lvr_land_job.name)
    (season,) = real_estate_defs.bundled(real_estate.LVR_LAND)[:1]

    def load() -> dict:
        events = job.execute_in_process(partition_key=season).get_asset_materialization_events()
        return {tuple(e.asset_key.path): e.materialization.metadata for e in events}

    def load_times() -> list[tuple]:
        with duckdb.connect(str(twresas_home / "warehouse" / "work.duckdb"),
                            read_only=True) as con:
            return con.execute(
                "select release, sum(rows_read), min(loaded_at), max(loaded_at)"
                f" from raw.{real_estate.files_table(real_estate.LVR_LAND.id)}"
                " group by release").fetchall()

    first = load()
    loaded = load_times()
    second = load()
    kept = load_times()
    monkeypatch.setattr(raw, "date", type("NextDay", (), {
        "today": staticmethod(lambda: date.today() + timedelta(days=1))}))
    third = load()

    table = ("raw", real_estate.LVR_LAND.id)
    assert [m[table]["reused_unchanged_load"].value for m in (first, second, third)] == [
        False, True, False]
    for name in ("dagster/row_count", "rows_read_per_file"):
        assert second[table][name] == first[table][name], name
    assert first[table]["rows_read_per_file"].value  # the files of the season, counted
    assert kept == loaded
    assert load_times()[0][2] > loaded[0][3]  # loaded again the next day
