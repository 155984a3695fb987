"""The code location loads from the manifest `make manifest` prepared, and does no dbt work."""

import json
import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from orchestration.dbt_manifest import ManifestNotPrepared, prepared_manifest, relative_seed_root
from orchestration.dbt_project import DBT_PROJECT, dbt_cli, dbt_executable
from sources.settings import PROJECT_ROOT

# Loads the code location in a fresh interpreter where starting dbt fails, as `dagster dev`
# does (DAGSTER_IS_DEV_CLI: dagster-dbt's prepare_if_dev would parse) with a PATH that holds no
# dbt (`.venv/bin/dagster dev` without an activated venv).
LOAD_WITHOUT_DBT = textwrap.dedent("""
    import os
    import subprocess

    class NoDbt(subprocess.Popen):
        def __init__(self, args, *rest, **kwargs):
            if os.path.basename(str(args[0] if isinstance(args, list) else args)) == "dbt":
                raise AssertionError(f"loading the code location ran {args}")
            super().__init__(args, *rest, **kwargs)

    subprocess.Popen = NoDbt
    from orchestration.definitions import defs

    graph = defs().resolve_asset_graph()
    print(sum(1 for key in graph.get_all_asset_keys() if key.path[0] == "marts"))
""")


@pytest.mark.integration
def test_loading_the_definitions_runs_no_dbt():
    manifest = DBT_PROJECT.manifest_path
    prepared_at = manifest.stat().st_mtime_ns
    target_files = dbt_target_files(manifest.parent)
    completed = subprocess.run(
        [sys.executable, "-c", LOAD_WITHOUT_DBT],
        cwd=PROJECT_ROOT, env={**os.environ, "PATH": "/usr/bin:/bin", "DAGSTER_IS_DEV_CLI": "1"},
        capture_output=True, text=True, timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert int(completed.stdout.split()[-1]) >= 19  # every mart is an asset
    assert manifest.stat().st_mtime_ns == prepared_at
    assert dbt_target_files(manifest.parent) == target_files


def dbt_target_files(target: Path) -> list[Path]:
    """The target folder's files but make lint's folder, which `make test` creates beside
    pytest on a fresh checkout (it parsed the project into target/lint while this test ran)."""
    return sorted(path for path in target.iterdir() if path.name != "lint")


@pytest.mark.integration
def test_the_dbt_of_the_interpreters_environment_runs_without_it_on_path():
    """...and is the version the dbt resource gives dagster-dbt without asking it (DbtCli)."""
    completed = subprocess.run([dbt_executable(), "--version"], env={"PATH": "/usr/bin:/bin"},
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert "duckdb" in completed.stdout
    core = re.search(r"installed: (\d+\.\d+\.\d+)", completed.stdout)
    assert core and str(dbt_cli()._cli_version) == core[1]


def test_a_missing_manifest_names_the_command_to_run(tmp_path):
    with pytest.raises(ManifestNotPrepared) as refused:
        prepared_manifest(tmp_path / "target" / "manifest.json")
    message = str(refused.value)
    assert "\n" not in message
    assert message.endswith("is missing: run `make manifest`")


def test_a_manifest_older_than_a_model_is_refused(tmp_path):
    project = tmp_path / "dbt_project"
    (project / "models").mkdir(parents=True)
    (project / "dbt_project.yml").write_text("name: t\n")
    manifest = project / "target" / "manifest.json"
    manifest.parent.mkdir()
    manifest.write_text('{"nodes": {}}')
    assert prepared_manifest(manifest, project) == manifest
    model = project / "models" / "fct_new.sql"
    model.write_text("select 1")
    later = time.time() + 5
    os.utime(model, (later, later))
    with pytest.raises(ManifestNotPrepared, match=r"older than dbt_project/models/fct_new\.sql: "
                                                  r"run `make manifest`"):
        prepared_manifest(manifest, project)


def seed_manifest(path: Path, root_path: str) -> Path:
    """A manifest (at a path of its own: dagster-dbt caches what it read by path) with one
    seed, read from `root_path`."""
    seed = {"resource_type": "seed", "root_path": root_path,
            "original_file_path": "seeds/indicator_catalogue.csv"}
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"nodes": {"seed.tw_resas.indicator_catalogue": seed}}))
    return path


def test_a_manifest_whose_seeds_are_read_from_a_relative_folder_is_refused(tmp_path):
    """What `dbt build --project-dir dbt_project`, run by hand from the checkout into the
    default target folder, leaves: every later build resumes from it and cannot find a seed."""
    project = tmp_path / "dbt_project"
    (project / "models").mkdir(parents=True)
    made_by_hand = seed_manifest(project / "by_hand" / "manifest.json", "dbt_project")
    with pytest.raises(ManifestNotPrepared) as refused:
        prepared_manifest(made_by_hand, project)
    message = str(refused.value)
    assert "\n" not in message
    assert "reads its seeds from the relative path 'dbt_project'" in message
    assert message.endswith("remove it and partial_parse.msgpack beside it, then run "
                            "`make manifest`")
    prepared = seed_manifest(project / "prepared" / "manifest.json", str(project))
    assert prepared_manifest(prepared, project) == prepared


def test_the_prepared_manifest_reads_its_seeds_from_the_project_folder():
    assert relative_seed_root(DBT_PROJECT.manifest_path) is None
