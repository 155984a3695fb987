"""The code location as the UI loads it: groups, owners, jobs, schedules, checks, freshness."""

import json
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from orchestration.definitions import defs
from orchestration.releases import release_runs
from sources.settings import PROJECT_ROOT

DOMAIN_GROUPS = {"population", "economy", "industry", "enterprise", "tourism", "town", "welfare",
                 "finance"}


@pytest.fixture(scope="module")
def definitions() -> dg.Definitions:
    return defs()


# marts/<folder> -> the group its marts are drawn in: a domain's folder is its domain's group;
# the marts across domains are `core`
MART_FOLDER_GROUPS = {"population": "population", "tourism": "tourism", "town": "town",
                      "analysis": "analysis", "core": "core", "history": "core", "dgbas": "core"}


def test_assets_are_grouped_by_domain_plus_reference_core_analysis_and_publish(definitions):
    graph = definitions.resolve_asset_graph()
    groups = {graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert {"population", "reference", "core", "analysis", "publish"} <= groups
    assert groups <= DOMAIN_GROUPS | {"reference", "core", "analysis", "publish"}


def test_every_asset_has_an_owning_team(definitions):
    graph = definitions.resolve_asset_graph()
    unowned = [key.to_user_string() for key in graph.get_all_asset_keys()
               if not any(owner.startswith("team:") for owner in graph.get(key).owners)]
    assert not unowned


def test_marts_are_drawn_in_their_domains_group(definitions):
    from orchestration.dbt_project import DBT_PROJECT

    manifest = json.loads(DBT_PROJECT.manifest_path.read_text())
    marts = {node["name"]: node["fqn"][2] for node in manifest["nodes"].values()
             if node["resource_type"] == "model" and node["fqn"][1] == "marts"}
    graph = definitions.resolve_asset_graph()
    drawn_in = {mart: graph.get(dg.AssetKey(["marts", mart])).group_name for mart in marts}
    assert drawn_in == {mart: MART_FOLDER_GROUPS[folder] for mart, folder in marts.items()}
    assert drawn_in["fct_population_structure"] == "population"
    assert drawn_in["fct_indicator_comparison"] == "analysis"


def test_publish_is_the_last_group_and_analysis_feeds_only_it(definitions):
    """The group graph reads in pipeline order: the analyses come after the marts they read,
    and nothing but the publication (the published file, the atlas read from it) follows."""
    graph = definitions.resolve_asset_graph()
    follows = {}
    for key in graph.get_all_asset_keys():
        group = graph.get(key).group_name
        for parent in graph.get(key).parent_keys:
            follows.setdefault(graph.get(parent).group_name, set()).add(group)
    assert follows["publish"] == {"publish"}
    assert follows["analysis"] <= {"analysis", "publish"}
    published = [key.to_user_string() for key in graph.get_all_asset_keys()
                 if graph.get(key).group_name == "publish"]
    assert sorted(published) == ["atlas", "published/tw_resas"]


def test_every_gated_mart_has_a_blocking_gx_check_upstream_of_publish(definitions):
    from expectations.suites import all_gates

    graph = definitions.resolve_asset_graph()
    publish = graph.get(dg.AssetKey(["published", "tw_resas"]))
    gx_checks = {key.name: key for key in graph.asset_check_keys if key.name.startswith("gx_")}
    for mart in all_gates():
        assert f"gx_{mart}" in gx_checks
        assert dg.AssetKey(["marts", mart]) in publish.parent_keys
        check = graph.get_check_spec(gx_checks[f"gx_{mart}"])
        assert check.blocking


def test_dbt_tests_are_loaded_as_checks(definitions):
    graph = definitions.resolve_asset_graph()
    names = {key.name for key in graph.asset_check_keys}
    assert any(name.startswith("unique_combination_of_columns") for name in names)


def test_monthly_registration_schedule_runs_in_taipei_time(definitions):
    schedule = definitions.resolve_schedule_def("household_registration_monthly_schedule")
    assert schedule.execution_timezone == "Asia/Taipei"
    job = definitions.resolve_job_def("household_registration_monthly")
    assert job.partitions_def is not None


def test_raw_assets_carry_freshness_and_retry(definitions):
    graph = definitions.resolve_asset_graph()
    raw = graph.get(dg.AssetKey(["raw", "moi_township_pop_density"]))
    assert raw.freshness_policy is not None
    assert "python" in raw.kinds


def test_warehouse_job_leaves_partitioned_sources_to_their_release_jobs(definitions):
    job = definitions.resolve_job_def("warehouse")
    ops = {node.name for node in job.graph.node_defs}
    assert "raw__moi_household_registration_api" not in ops
    assert "raw__moi_township_pop_density" in ops


def test_make_run_loads_a_stretch_of_tourism_years_in_one_run(definitions):
    """Tourism's asset loads a range of years in one run (single-run backfill policy): one run
    per stretch of consecutive years; a source without that policy gets a run per release."""
    tourism = definitions.resolve_job_def("tourism_visitors_yearly")
    assert release_runs(tourism, ["2013", "2012", "2014", "2016"]) == [
        ("2012...2014", {"tags": {"dagster/asset_partition_range_start": "2012",
                                  "dagster/asset_partition_range_end": "2014"}}),
        ("2016", {"partition_key": "2016"}),
    ]
    seasons = definitions.resolve_job_def("lvr_land_seasonal")
    assert release_runs(seasons, ["109S3", "109S4"]) == [
        ("109S3", {"partition_key": "109S3"}), ("109S4", {"partition_key": "109S4"})]


@pytest.mark.integration
def test_dagster_cli_validates_the_code_location():
    """What `make ui` loads: `dagster definitions validate -m orchestration.definitions`, here
    started as `.venv/bin/dagster` without the venv on PATH."""
    dagster = Path(sys.executable).parent / "dagster"
    env = {**os.environ, "PATH": "/usr/bin:/bin"}
    completed = subprocess.run(
        [str(dagster), "definitions", "validate", "-m", "orchestration.definitions"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert "Validation successful" in completed.stdout + completed.stderr


def test_every_cadence_has_a_schedule_in_taipei_time(definitions):
    schedules = {s.name: s for s in definitions.schedules}
    assert "county_indicators_yearly_schedule" in schedules
    assert "household_registration_monthly_schedule" in schedules
    assert all(s.execution_timezone == "Asia/Taipei" for s in schedules.values())


@pytest.mark.pipeline
def test_a_command_line_run_is_recorded_in_the_instance_the_ui_reads(pipeline_home,
                                                                      monkeypatch):
    """`make run` and `make ui` share DAGSTER_HOME: the UI lists the run, the materialisations
    and the check results of a command-line run."""
    monkeypatch.setenv("DAGSTER_HOME", str(pipeline_home / "dagster_home"))
    with dg.DagsterInstance.get() as instance:
        assert "warehouse" in {run.job_name for run in instance.get_runs()}
        published = instance.get_latest_materialization_event(
            dg.AssetKey(["published", "tw_resas"])
        )
        assert published is not None
        checks = instance.event_log_storage.get_latest_asset_check_execution_by_key(
            [dg.AssetCheckKey(dg.AssetKey(["marts", "dim_region"]), "gx_dim_region")]
        )
        assert checks, "the GX gate's result is not in the instance"


@pytest.mark.integration
def test_the_dagster_process_imports_no_gx():
    """What `make run` imports before its gates run, in a fresh interpreter: no GX (3-6 s);
    the gate processes import it (expectations.processes)."""
    completed = subprocess.run(
        [sys.executable, "-c", "import sys\n"
         "import orchestration.cli\n"
         "from orchestration.definitions import defs\n"
         "gates = defs().resolve_asset_graph().asset_check_keys\n"
         "print(sum(key.name.startswith('gx_') for key in gates),"
         " sorted(m for m in sys.modules if m.startswith('great_expectations'))[:3])"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    gates, imported = completed.stdout.strip().split(" ", 1)
    assert int(gates) >= 19 and imported == "[]"
