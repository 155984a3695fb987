"""The dbt project: where it is, the CLI arguments of each command
(small pure functions, unit-tested), the environment dbt is started in, and the mart
documentation it carries to the published file."""

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dagster_dbt import DbtProject

DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"
DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def dbt_executable() -> str:
    """The dbt of the running interpreter's environment, whether or not the venv is activated
    (PATH may hold another dbt, or none)."""
    return str(Path(sys.executable).parent / "dbt")


def dbt_docs_args() -> list[str]:
    return ["docs", "generate"]


def dbt_build_args(full_refresh: bool = False) -> list[str]:
    args = ["build"]
    if full_refresh:
        args.append("--full-refresh")
    return args


def dbt_variables(home: Path, run_id: str | None) -> dict[str, str]:
    """What dbt reads with env_var(): the home of the working database (profiles.yml) and the
    run that publishes the build (fct_indicator_value_history records it)."""
    return {"TWRESAS_HOME": str(home), **({"TWRESAS_RUN_ID": run_id} if run_id else {})}


@contextmanager
def dbt_environment(home: Path, run_id: str | None = None) -> Iterator[None]:
    """Set `dbt_variables` while dbt is started: the dbt CLI resource hands the process
    environment to dbt, and takes no environment of its own. Restored afterwards, so the
    resource's values never outlive the call."""
    variables = dbt_variables(home, run_id)
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
    the published file and the Parquet manifest carry the dbt documentation."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    return {
        node["name"]: {
            "description": node.get("description") or "",
            "columns": {name: column.get("description") or ""
                        for name, column in node.get("columns", {}).items()},
        }
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == "marts"
    }

