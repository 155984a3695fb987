import json

import duckdb

from orchestration.publish import _point_current, publish_marts, repair_parquet_current


def work_database(path, value: int):
    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists marts")
        con.execute("create or replace table marts.fct_x as select ? as value", [value])


def current_run_id(warehouse) -> str:
    return json.loads((warehouse / "parquet" / "current" / "manifest.json").read_text())["run_id"]


def published_run_id(db) -> str:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select any_value(run_id) from meta.publication").fetchone()[0]


def test_parquet_current_lagging_behind_the_duckdb_file_is_repointed(tmp_path):
    work, published = tmp_path / "work.duckdb", tmp_path / "warehouse" / "tw_resas.duckdb"
    for run, value in (("run-1", 1), ("run-2", 2)):
        work_database(work, value)
        publish_marts(work, published, ["fct_x"], run)
    assert current_run_id(published.parent) == published_run_id(published) == "run-2"
    assert repair_parquet_current(published) is None  # nothing to repair

    # what a publisher killed between the DuckDB rename and the repoint leaves behind
    versions = sorted(p.parent for p in (published.parent / "parquet").glob("*/manifest.json"))
    _point_current(versions[0])
    assert current_run_id(published.parent) == "run-1"

    assert repair_parquet_current(published) == versions[1]
    assert current_run_id(published.parent) == "run-2"
    assert repair_parquet_current(published) is None


def test_nothing_to_repair_before_the_first_publication(tmp_path):
    assert repair_parquet_current(tmp_path / "warehouse" / "tw_resas.duckdb") is None
