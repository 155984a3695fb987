"""Settings are read in one place and reach the assets as resources: a temporary home passed
through the `warehouse` resource is where an asset writes, whatever the environment says."""

import os
import subprocess
import sys

import dagster as dg
import duckdb
import pytest

from orchestration.dbt_project import dbt_environment
from orchestration.definitions import defs
from orchestration.defs.population import registration_months_to_run, township_pop_density
from orchestration.releases import release_job, release_jobs
from orchestration.resources import Http, Warehouse, bound_resources
from sources import population
from sources.settings import HttpSettings, read_settings


def test_an_asset_writes_under_the_home_of_its_warehouse_resource(tmp_path, monkeypatch):
    decoy = tmp_path / "decoy"
    monkeypatch.setenv("TWRESAS_HOME", str(decoy))  # what the asset must not read
    home = tmp_path / "home"
    result = dg.materialize([township_pop_density],
                            resources={"warehouse": Warehouse(home=str(home)), "http": Http()})
    assert result.success
    with duckdb.connect(str(home / "warehouse" / "work.duckdb"), read_only=True) as con:
        (rows,) = con.execute(f"select count(*) from raw.{population.TOWNSHIP_DENSITY.id}"
                              ).fetchone()
    assert rows > 300  # every township, at each bundled year end
    assert (home / "landing" / "manifest.jsonl").exists()
    assert not decoy.exists()


def test_read_settings_reads_every_variable_once_with_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = read_settings({
        "TWRESAS_HOME": "relative", "TWRESAS_SOURCE_MODE": " Live ",
        "TWRESAS_HTTP_RETRIES": "2", "TWRESAS_HTTP_READ_TIMEOUT": "0.5",
        "TWRESAS_BASE_URL_LVR_LAND": "http://127.0.0.1:9/", "TWRESAS_PARQUET_KEEP_SECONDS": "7",
        "TWRESAS_DBT_TARGET": "Spark ", "TWRESAS_SPARK_DRIVER_MEMORY": "2g",
    })
    assert settings.home == tmp_path / "relative"
    assert settings.gx_root is None  # the warehouse resource puts it under the home
    assert (settings.http.mode, settings.http.retries, settings.http.read_timeout) == (
        "live", 2, 0.5)
    assert settings.http.connect_timeout == HttpSettings().connect_timeout
    assert settings.http.base_urls == {"lvr_land": "http://127.0.0.1:9/"}
    assert settings.parquet_keep_seconds == 7.0
    warehouse = Warehouse.from_settings(settings)
    assert warehouse.gx_dir == tmp_path / "relative" / "expectations"
    assert warehouse.parquet_keep_seconds == 7.0
    assert (warehouse.dbt_target, warehouse.spark_driver_memory) == ("spark", "2g")
    assert read_settings({}).dbt_target == "duckdb"


@pytest.mark.parametrize("environ, message", [
    ({"TWRESAS_HTTP_RETRIES": "five"}, "TWRESAS_HTTP_RETRIES must be an integer, not 'five'"),
    ({"TWRESAS_HTTP_BACKOFF": "1s"}, "TWRESAS_HTTP_BACKOFF must be a number, not '1s'"),
    ({"TWRESAS_SOURCE_MODE": "offline"}, "must be 'snapshot' or 'live', not 'offline'"),
    ({"TWRESAS_DBT_TARGET": "postgres"}, "TWRESAS_DBT_TARGET) must be 'duckdb' or 'spark', not"
                                         " 'postgres'"),
])
def test_a_setting_that_does_not_parse_is_named_in_one_line(environ, message):
    with pytest.raises(ValueError) as error:
        read_settings(environ)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_the_http_resource_gives_back_the_settings_it_was_bound_with():
    http = HttpSettings(mode="live", retries=0, max_pages=3, base_urls={"x": "http://h"})
    assert Http.from_settings(http).settings() == http


def test_the_fetcher_goes_to_the_base_url_the_http_resource_holds(tmp_path):
    source = population.TOWNSHIP_DENSITY
    fetcher = Http(base_urls={source.id: "http://mirror.test/"}).fetcher(
        Warehouse(home=str(tmp_path)).landing_zone())
    assert fetcher.http.url(source, yyy="108") == (
        "http://mirror.test" + source.path.format(yyy="108"))
    assert fetcher.landing.root == tmp_path / "landing"


def test_release_jobs_are_found_in_the_definitions_with_the_keys_to_run():
    found = dict(release_jobs(defs()))
    assert found["household_registration_monthly"] is registration_months_to_run
    assert "warehouse" not in found and "county_indicators_yearly" not in found
    fetcher = Http().fetcher(Warehouse(home="/nonexistent").landing_zone())
    assert found["household_registration_monthly"](fetcher) == ["2026-09-01"]


def test_a_release_job_outside_the_definitions_is_not_run():
    job = release_job("lone_release", selection=dg.AssetSelection.assets(township_pop_density),
                      partitions_def=dg.StaticPartitionsDefinition(["a"]),
                      keys_to_run=registration_months_to_run, description="not bound")
    assert release_jobs(dg.Definitions(assets=[township_pop_density])) == []
    assert [name for name, _ in release_jobs(dg.Definitions(jobs=[job]))] == ["lone_release"]


def test_dbt_is_given_the_resource_home_and_the_environment_is_restored(tmp_path, monkeypatch):
    monkeypatch.setenv("TWRESAS_HOME", "/elsewhere")
    monkeypatch.delenv("TWRESAS_RUN_ID", raising=False)
    with dbt_environment(tmp_path, "run-7"):
        assert (os.environ["TWRESAS_HOME"], os.environ["TWRESAS_RUN_ID"]) == (
            str(tmp_path), "run-7")
    assert os.environ["TWRESAS_HOME"] == "/elsewhere"
    assert "TWRESAS_RUN_ID" not in os.environ


def test_the_code_location_binds_the_environment_settings(twresas_home):
    resources = defs().resources
    assert resources["warehouse"] == bound_resources(read_settings())["warehouse"]
    assert resources["warehouse"].work_db == twresas_home / "warehouse" / "work.duckdb"
    assert resources["http"].mode == "snapshot"


def test_the_command_line_refuses_a_setting_that_does_not_parse(monkeypatch, capsys):
    from orchestration.cli import main

    monkeypatch.setenv("TWRESAS_HTTP_MAX_PAGES", "many")
    assert main(["run"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "refused: TWRESAS_HTTP_MAX_PAGES must be an integer, not 'many'\n"


def _writes_from_another_process(database) -> bool:
    """Whether a separate process (as dbt is) can open `database` for writing."""
    probe = ("import duckdb, sys\n"
             "try:\n    duckdb.connect(sys.argv[1]).close()\n"
             "except duckdb.IOException:\n    sys.exit(3)\n")
    return subprocess.run([sys.executable, "-c", probe, str(database)]).returncode == 0


def test_the_working_database_is_held_open_from_its_first_connection_until_released(tmp_path):
    warehouse = Warehouse(home=str(tmp_path))
    with warehouse.work_db_kept_open():
        assert not warehouse.work_db.exists()  # holding creates nothing: a connection does
        with warehouse.connect_work_db() as con:
            con.execute("create table kept (n integer)")
        # another connection finds the database open: what the first one wrote is there
        with warehouse.connect_work_db() as con:
            assert con.execute("select count(*) from kept").fetchone() == (0,)
        assert not _writes_from_another_process(warehouse.work_db)
        warehouse.release_work_db()  # what the dbt step does before starting dbt
        assert _writes_from_another_process(warehouse.work_db)
        with warehouse.connect_work_db() as con:  # released for the rest of the run
            con.execute("select 1")
        assert _writes_from_another_process(warehouse.work_db)


def test_a_read_only_connection_ends_the_hold_and_the_block_end_releases(tmp_path):
    warehouse = Warehouse(home=str(tmp_path))
    with warehouse.work_db_kept_open():
        warehouse.connect_work_db().close()
        with warehouse.connect_work_db(read_only=True) as con:
            assert con.execute("select 1").fetchone() == (1,)
    with warehouse.work_db_kept_open():
        warehouse.connect_work_db().close()
        assert not _writes_from_another_process(warehouse.work_db)
    assert _writes_from_another_process(warehouse.work_db)


def test_a_failed_fetch_is_retried_live_but_final_offline():
    """Dagster retries a failed fetch step (FETCH_RETRY); in snapshot mode a retry would read the
    same bundled bytes, so the failure is final and keeps the error as its cause."""
    error = ValueError("source x: not an ODRP019 page")
    with pytest.raises(dg.Failure) as raised, Http(mode="snapshot").failures_final_offline():
        raise error
    assert raised.value.allow_retries is False
    assert raised.value.__cause__ is error
    assert raised.value.description == "source x: not an ODRP019 page"
    with pytest.raises(ValueError), Http(mode="live").failures_final_offline():
        raise error


def test_a_failing_snapshot_source_fails_its_step_once(tmp_path, monkeypatch):
    """Through Dagster: the step of a source whose bundled file is damaged fails on its first
    attempt (no retry after back-off), and the run reports the source's own error."""
    snapshots = tmp_path / "snapshots"
    source = population.TOWNSHIP_DENSITY
    (snapshots / source.id).mkdir(parents=True)
    for snapshot in source.snapshots:
        (snapshots / source.id / snapshot.file).write_text("<html>maintenance</html>")
    import sources.catalog

    monkeypatch.setattr(sources.catalog, "SNAPSHOT_DIR", snapshots)
    warehouse = Warehouse(home=str(tmp_path), gx_root=str(tmp_path / "expectations"))
    result = dg.materialize([township_pop_density], raise_on_error=False,
                            resources={"warehouse": warehouse, "http": Http(mode="snapshot")})
    assert not result.success
    events = {event.event_type_value for event in result.all_events}
    assert "STEP_UP_FOR_RETRY" not in events and "STEP_FAILURE" in events
    (failure,) = result.get_step_failure_events()
    assert failure.step_failure_data.error.cause.cls_name == "SourceError"
