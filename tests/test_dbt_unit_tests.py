"""dbt's unit tests (`unit_tests:` in the models' YAML) in `make test`. A production build
leaves them out (orchestration.dbt_project.dbt_build_args), so they run here, on an empty copy
of the session's build as `make test-quick` runs them (tests/run_dbt_unit_tests.py), with the
test process's dbt (dbt_cli: no interpreter to start, no project to parse again)."""

import json

import pytest
from run_dbt_unit_tests import empty_copy

from orchestration.dbt_project import DBT_PROJECT


@pytest.mark.pipeline
def test_every_dbt_unit_test_passes(pipeline_home, tmp_path, dbt_cli):
    manifest = json.loads(DBT_PROJECT.manifest_path.read_text(encoding="utf-8"))
    declared = set(manifest["unit_tests"])
    empty_copy(pipeline_home / "warehouse" / "work.duckdb", tmp_path)
    results = dbt_cli(tmp_path, "test", "--select", "test_type:unit").results
    # every unit test the project declares ran and passed (none skipped or left unselected)
    assert declared
    assert {result.node.unique_id: str(result.status) for result in results
            if result.node.resource_type == "unit_test"} == dict.fromkeys(declared, "pass")
