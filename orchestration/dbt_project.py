"""The dbt project: where it is, the CLI arguments of each command
(small pure functions, unit-tested), the environment dbt is started in, and the mart
documentation it carries to the published file."""

import os
import shutil
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

import dbt.version
from dagster_dbt import DbtCliResource, DbtProject
from dagster_dbt.dbt_manifest import read_manifest_path
from packaging import version

from orchestration.publish import sql_literal
from orchestration.resources import Warehouse
from sources.settings import Settings

DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"
# Parsed as a default run builds (the duckdb target; the Makefile sets the default home), so
# the run's `dbt build` reuses this parse (dbt parses partially only when the target and the
# profile's connection, i.e. the warehouse path, are those it was saved with).
DBT_PROJECT = DbtProject(
    project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR,
    prepare_project_cli_args=["parse", "--quiet", "--target", Settings.dbt_target],
)


def dbt_executable() -> str:
    """The dbt of the running interpreter's environment, whether or not the venv is activated
    (PATH may hold another dbt, or none)."""
    return str(Path(sys.executable).parent / "dbt")


class DbtCli(DbtCliResource):
    """dagster-dbt's dbt CLI resource without two things it does before every dbt command
    that this project never uses (3.6 s of each build here): asking the executable its version
    (`dbt --version`, a 2 s process: the executable is this environment's, whose dbt-core
    package knows its version) and opening a dbt adapter in Dagster's process (1.6 s), which
    only `fetch_row_counts` and `fetch_column_metadata` use."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(dbt.version.__version__)

    def _initialize_dbt_core_adapter(self, args):
        return None


def dbt_cli() -> DbtCli:
    """The dbt CLI resource on this project, with this environment's dbt."""
    return DbtCli(project_dir=DBT_PROJECT, dbt_executable=dbt_executable())


def dbt_docs_args() -> list[str]:
    return ["docs", "generate"]


def dbt_build_args(target: str, full_refresh: bool = False) -> list[str]:
    """`dbt build` on `target`, an output of dbt_project/profiles.yml (the warehouse resource's
    dbt_target): the models, seeds and data tests, not dbt's unit tests. Those test the SQL's
    logic on fixed inputs, so a production build learns nothing from them (dbt's docs advise
    running them in development and CI only): `make test-quick` and `make test` run them on
    DuckDB (tests/run_dbt_unit_tests.py), and leaving them out takes 2 s off each build. On
    Spark they could not run anyway: dbt-spark cannot describe the fixture a unit test makes
    for a source input (`__dbt__cte__lvr__lvr_land` not found).

    No dbt log file: the build's line per node and its errors are in our own log, written from
    the events dbt streams to dagster-dbt (orchestration.progress.dbt_output_to), and the SQL of
    each model and test in the command target folder's compiled/ and run/ files. Writing the
    same events to dbt's file again took 1.4 s a build (at debug level, which logs every
    statement sent, 2-3 s more)."""
    args = ["build", "--target", target, "--exclude-resource-type", "unit_test",
            "--log-level-file", "none"]
    if full_refresh:
        args.append("--full-refresh")
    return args


# dagster-dbt gives each dbt command a target folder of its own, `<op>-<run>-<random>` beside
# the project's target: the run's compiled SQL, artifacts and dbt's log, ~14 MB a build
KEPT_COMMAND_TARGETS = 10


def prune_command_targets(current: Path, op_name: str, keep: int = KEPT_COMMAND_TARGETS
                          ) -> list[Path]:
    """Remove all but the `keep` newest target folders of `op_name`'s dbt commands (`current`,
    this command's, always stays): each run adds one, and a scheduled run would fill the disk.
    Returns the folders removed."""
    others = sorted(
        (path for path in current.parent.glob(f"{op_name}-*")
         if path.is_dir() and path != current),
        key=lambda path: path.stat().st_mtime, reverse=True)
    removed = others[max(keep - 1, 0):]
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    return removed


def dbt_variables(home: Path, run_id: str | None,
                  spark_driver_memory: str | None = None) -> dict[str, str]:
    """What dbt reads with env_var(): the home of the working database (profiles.yml), the
    run that publishes the build (fct_indicator_value_history records it) and, on the spark
    target, the heap of its JVM."""
    return {"TWRESAS_HOME": str(home), **({"TWRESAS_RUN_ID": run_id} if run_id else {}),
            **({"TWRESAS_SPARK_DRIVER_MEMORY": spark_driver_memory}
               if spark_driver_memory else {})}


@contextmanager
def dbt_environment(home: Path, run_id: str | None = None,
                    spark_driver_memory: str | None = None) -> Iterator[None]:
    """Set `dbt_variables` while dbt is started: the dbt CLI resource hands the process
    environment to dbt, and takes no environment of its own. Restored afterwards, so the
    resource's values never outlive the call."""
    variables = dbt_variables(home, run_id, spark_driver_memory)
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def mart_descriptions(manifest_path: Path) -> dict[str, dict]:
    """mart -> {"description": ..., "columns": {column: description}} from the dbt manifest, so
    the published file and the Parquet manifest carry the dbt documentation. Read through
    dagster-dbt's cache of parsed manifests: the code location has parsed this one already."""
    manifest = read_manifest_path(manifest_path.resolve())
    return {
        node["name"]: {
            "description": node.get("description") or "",
            "columns": {name: column.get("description") or ""
                        for name, column in node.get("columns", {}).items()},
        }
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == "marts"
    }



def expose_spark_marts(warehouse: Warehouse, marts: Iterable[str]) -> list[str]:
    """After a build on the spark target: `marts.<mart>` in the working database becomes a view
    of Spark's Parquet table, so the gates check, and the publication copies, what Spark built
    (on a cluster they would read through its catalogue: README "On Apache Spark"). Returns the
    marts exposed; one Spark did not write is left out."""
    exposed = []
    with warehouse.connect_work_db() as con:
        con.execute("create schema if not exists marts")
        for mart in marts:
            folder = warehouse.spark_dir / "tables" / "marts.db" / mart
            if not any(folder.glob("*.parquet")):
                continue
            found = con.execute(
                "select table_type from information_schema.tables "
                "where table_schema = 'marts' and table_name = ?", [mart]
            ).fetchone()
            if found and found[0] == "BASE TABLE":  # DuckDB's build of it
                con.execute(f'drop table marts."{mart}"')
            con.execute(
                f'create or replace view marts."{mart}" as select * from '
                f"read_parquet({sql_literal(str(folder / '*.parquet'))})"
            )
            exposed.append(mart)
    return exposed
