"""dbt's unit tests (`unit_tests:` in the models' YAML) without a pipeline run, for
`make test-quick`; `make test` runs them through tests/test_dbt_unit_tests.py on the session's
build (a production build leaves them out: orchestration.dbt_project.dbt_build_args).

dbt reads the column types of a unit test's inputs from the database, so the inputs must
exist: the tests run against an empty copy (every relation, no rows) of the working database
the last `make run` built ($TWRESAS_HOME/warehouse/work.duckdb, by default the checkout's),
in a folder of its own under the system temp dir, which keeps the same path from one call to
the next so that dbt parses partially. Nothing a run built is touched. When a model's inputs
changed since that run, dbt says which column it misses: `make run` again.
"""

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

from orchestration.dbt_project import DBT_PROJECT_DIR, dbt_executable
from orchestration.progress import dbt_phase_lines
from orchestration.publish import sql_literal
from orchestration.resources import Warehouse
from sources.settings import read_settings

SCHEMAS = ("raw", "reference", "staging", "intermediate", "marts")


def empty_copy(built: Path, home: Path) -> Path:
    """Every table and view of `built`'s dbt schemas as an empty table under `home`."""
    work = home / "warehouse" / "work.duckdb"
    work.parent.mkdir(parents=True, exist_ok=True)
    work.unlink(missing_ok=True)
    with duckdb.connect(str(work)) as con:
        con.execute(f"attach {sql_literal(str(built))} as built (read_only)")
        relations = con.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_catalog = 'built' and list_contains(?, table_schema)", [list(SCHEMAS)]
        ).fetchall()
        for schema in {schema for schema, _ in relations}:
            con.execute(f'create schema "{schema}"')
        for schema, name in relations:
            con.execute(f'create table "{schema}"."{name}" as'
                        f' select * from built."{schema}"."{name}" limit 0')
    return work


def main() -> int:
    built = Warehouse.from_settings(read_settings()).work_db
    if not built.exists():
        print(f"dbt unit tests not run: no built warehouse at {built} to take the inputs' "
              "columns from (make run builds it)")
        return 0
    checkout = hashlib.sha256(str(DBT_PROJECT_DIR).encode()).hexdigest()[:12]
    home = Path(tempfile.gettempdir()) / f"tw_resas-dbt-unit-tests-{checkout}"
    empty_copy(built, home)
    run_results = home / "target" / "run_results.json"
    run_results.unlink(missing_ok=True)  # a stale one would report an earlier call
    done = subprocess.run(
        [dbt_executable(), "--quiet", "test", "--select", "test_type:unit",
         "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
         "--target-path", str(home / "target"), "--log-path", str(home / "logs")],
        env={**os.environ, "TWRESAS_HOME": str(home)},
    )
    # dbt --quiet prints only errors: the run's phase line from its run results instead
    log = home / "logs" / "dbt.log"
    if not run_results.exists():
        print(f"dbt unit tests: dbt stopped before running them (its log: {log})")
        return done.returncode or 1
    _, tests = dbt_phase_lines(json.loads(run_results.read_text()))
    print(tests.strip() + ("" if done.returncode == 0 else f" (dbt's log: {log})"))
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
