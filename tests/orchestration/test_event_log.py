"""The instance's event log (orchestration/event_log.py, orchestration/dagster.yaml): Dagster's
files and schema, readable by Dagster's default storage, with a bounded set of open databases."""

import multiprocessing
import shutil
import sqlite3
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from sqlalchemy import text

from orchestration.event_log import (
    INSTANCE_CONFIG,
    OPEN_RUN_DATABASES,
    PooledSqliteEventLogStorage,
)


@dg.asset
def counted() -> int:
    return 1


@dg.asset_check(asset=counted)
def counted_is_positive() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


JOB = dg.Definitions(
    assets=[counted], asset_checks=[counted_is_positive],
    jobs=[dg.define_asset_job("count", selection=[counted])],
).resolve_job_def("count")


@pytest.fixture
def instance_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(INSTANCE_CONFIG, home)
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    return home


def test_the_project_instance_uses_the_pooled_event_log(instance_home):
    with dg.DagsterInstance.get() as instance:
        assert type(instance.event_log_storage) is PooledSqliteEventLogStorage
        assert instance.event_log_storage._base_dir == str(instance_home / "history" / "runs")


def test_dagster_default_storage_reads_what_the_pooled_one_wrote(instance_home):
    with dg.DagsterInstance.get() as instance:
        run_ids = [JOB.execute_in_process(instance=instance).run_id for _ in range(2)]
    (instance_home / "dagster.yaml").write_text("", encoding="utf-8")  # Dagster's defaults
    with dg.DagsterInstance.get() as instance:
        assert type(instance.event_log_storage).__name__ == "SqliteEventLogStorage"
        assert {run.run_id for run in instance.get_runs()} == set(run_ids)
        latest = instance.get_latest_materialization_event(dg.AssetKey("counted"))
        assert latest is not None and latest.run_id == run_ids[-1]
        executions = instance.event_log_storage.get_latest_asset_check_execution_by_key(
            [dg.AssetCheckKey(dg.AssetKey("counted"), "counted_is_positive")])
        assert next(iter(executions.values())).run_id == run_ids[-1]
        assert any(record.event_log_entry.is_dagster_event
                   for record in instance.get_records_for_run(run_ids[0]).records)


def test_open_run_databases_are_bounded(instance_home):
    with dg.DagsterInstance.get() as instance:
        for _ in range(OPEN_RUN_DATABASES + 3):
            JOB.execute_in_process(instance=instance)
        open_shards = list(instance.event_log_storage._engines)
        assert "index" in open_shards
        assert len(open_shards) == OPEN_RUN_DATABASES + 1
        assert len(instance.get_runs()) == OPEN_RUN_DATABASES + 3


def test_commits_do_not_wait_for_a_full_disk_sync(instance_home):
    with dg.DagsterInstance.get() as instance:
        storage = instance.event_log_storage
        with storage.index_connection() as conn:
            assert conn.execute(text("pragma journal_mode")).scalar() == "wal"
            assert conn.execute(text("pragma synchronous")).scalar() == 1  # NORMAL


def _open_databases_in_child(storage, queue) -> None:
    queue.put(len(storage._engines))


def test_a_forked_child_does_not_inherit_open_databases(instance_home):
    with dg.DagsterInstance.get() as instance:
        JOB.execute_in_process(instance=instance)
        storage = instance.event_log_storage
        assert storage._engines
        context = multiprocessing.get_context("fork")
        queue = context.Queue()
        child = context.Process(target=_open_databases_in_child, args=(storage, queue))
        child.start()
        child.join(timeout=30)
        assert child.exitcode == 0
        assert queue.get(timeout=5) == 0
        assert storage._engines  # the parent's stay open


def test_a_new_run_database_is_made_as_dagster_makes_it(tmp_path):
    """Run databases are created with the migration scripts read once: the same tables,
    indexes, migration stamp and journal mode as Dagster's own storage gives them."""
    def made_by(storage_class, folder: Path) -> tuple:
        storage = storage_class(str(folder))
        with storage.run_connection("a-run"):
            pass
        storage.dispose()
        with sqlite3.connect(folder / "a-run.db") as con:
            return (sorted(con.execute("select type, name, sql from sqlite_master").fetchall()),
                    con.execute("select version_num from alembic_version").fetchall(),
                    con.execute("pragma journal_mode").fetchall())

    ours = made_by(PooledSqliteEventLogStorage, tmp_path / "pooled")
    assert ours == made_by(SqliteEventLogStorage, tmp_path / "dagster")
    assert ours[1] and ours[2] == [("wal",)]
