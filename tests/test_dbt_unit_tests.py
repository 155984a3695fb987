"""dbt's unit tests (`unit_tests:` in the models' YAML) in `make test`. A production build
leaves them out (orchestration.dbt_project.dbt_build_args), so they run here, as
`make test-quick` runs them (tests/run_dbt_unit_tests.py), on the session's build."""

import json
import os
import re
import subprocess
import sys

import pytest

from orchestration.dbt_project import DBT_PROJECT
from sources.settings import PROJECT_ROOT


@pytest.mark.pipeline
def test_every_dbt_unit_test_passes(pipeline_home):
    manifest = json.loads(DBT_PROJECT.manifest_path.read_text(encoding="utf-8"))
    declared = len(manifest["unit_tests"])
    done = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "tests" / "run_dbt_unit_tests.py")],
        env={**os.environ, "TWRESAS_HOME": str(pipeline_home), "PYTHONPATH": str(PROJECT_ROOT)},
        capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    # every unit test the project declares ran and passed (none skipped or left unselected)
    assert declared > 0
    assert re.search(rf"dbt tests: {declared} of {declared} passed \({declared} unit tests\)",
                     done.stdout), done.stdout
