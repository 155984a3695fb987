import hashlib
import json

import duckdb

from orchestration.publish import (
    _point_current,
    publish_marts,
    repair_parquet_current,
    served_version,
)


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


def test_published_tables_carry_the_dbt_descriptions_as_comments(tmp_path):
    work = tmp_path / "work.duckdb"
    with duckdb.connect(str(work)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.fct_x as select 1 as id, 'a' as name")
    descriptions = {"fct_x": {"description": "The x's table, O'Brien's", "columns": {
        "id": "Primary key", "name": "Name; it's zh", "gone": "a column the mart lacks"}}}
    published = tmp_path / "out" / "tw.duckdb"
    publish_marts(work, published, ["fct_x"], "run-1", descriptions=descriptions)
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select comment from duckdb_tables() where table_name = 'fct_x'"
                           ).fetchone() == ("The x's table, O'Brien's",)
        assert dict(con.execute(
            "select column_name, comment from duckdb_columns() where table_name = 'fct_x'"
        ).fetchall()) == {"id": "Primary key", "name": "Name; it's zh"}
    manifest = json.loads((tmp_path / "out" / "parquet" / "current" / "manifest.json").read_text())
    entry = manifest["marts"]["fct_x"]
    assert entry["description"] == "The x's table, O'Brien's"
    assert entry["schema"][1] == {"name": "name", "type": "VARCHAR", "description": "Name; it's zh"}
    parquet = tmp_path / "out" / "parquet" / "current" / "fct_x.parquet"
    assert entry["sha256"] == hashlib.sha256(parquet.read_bytes()).hexdigest()


def test_served_version_is_the_last_publications_run_and_time(tmp_path):
    work, published = tmp_path / "work.duckdb", tmp_path / "warehouse" / "tw_resas.duckdb"
    assert served_version(published) is None
    for run, value in (("run-1", 1), ("run-2", 2)):
        work_database(work, value)
        publish_marts(work, published, ["fct_x"], run)
    with duckdb.connect(str(published), read_only=True) as con:
        recorded = con.execute("select max(published_at) from meta.publication").fetchone()[0]
    run_id, published_at = served_version(published)
    assert run_id == "run-2"
    assert published_at == recorded and published_at.utcoffset().total_seconds() == 0
