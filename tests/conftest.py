"""Shared fixtures. Every test writes under its own TWRESAS_HOME, never into the checkout."""

import json
import os
from pathlib import Path

import duckdb
import jsonschema
import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
REPORT_SCHEMA = json.loads((PROJECT_ROOT / "orchestration" / "report.schema.json").read_text())


def _refuse_constant(name: str):
    raise ValueError(f"not strict JSON: {name}")


def load_strict_json(path: Path) -> dict:
    """json.loads refusing NaN, Infinity and -Infinity (RFC 8259 has none of them)."""
    return json.loads(path.read_text(encoding="utf-8"), parse_constant=_refuse_constant)


def validate_quality_report(path: Path) -> dict:
    """A run's report.json as an auditor's tool reads it: strict JSON, valid against the schema."""
    report = load_strict_json(path)
    jsonschema.Draft202012Validator(
        REPORT_SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(report)
    return report


@pytest.fixture(scope="session", autouse=True)
def every_quality_report_is_valid(tmp_path_factory):
    """After the session: every report.json any test produced is strict and schema-valid."""
    yield
    for path in sorted(tmp_path_factory.getbasetemp().rglob("quality/*/report.json")):
        try:
            validate_quality_report(path)
        except (ValueError, jsonschema.ValidationError) as exc:
            pytest.fail(f"invalid quality report {path}: {str(exc).splitlines()[0]}")


@pytest.fixture
def twresas_home(tmp_path, monkeypatch) -> Path:
    """A temporary home in the environment, for what a user runs (the CLI, the code location,
    plain-Python fetches), which reads its settings there."""
    monkeypatch.setenv("TWRESAS_HOME", str(tmp_path))
    monkeypatch.setenv("TWRESAS_GX_ROOT", str(tmp_path / "expectations"))
    monkeypatch.setenv("TWRESAS_SOURCE_MODE", "snapshot")
    return tmp_path


@pytest.fixture
def warehouse(twresas_home):
    """The `warehouse` resource of the temporary home, for code that is given one."""
    from orchestration.resources import Warehouse

    return Warehouse(home=str(twresas_home), gx_root=str(twresas_home / "expectations"))


def environment_resources() -> dict:
    """The resources bound from the environment's settings, as the code location binds them
    (for a sensor context, which gets none from the repository)."""
    from orchestration.resources import bound_resources
    from sources.settings import read_settings

    return bound_resources(read_settings())


@pytest.fixture
def live_mode(twresas_home, monkeypatch) -> Path:
    """Live mode with no back-off, for tests against a local HTTP server."""
    monkeypatch.setenv("TWRESAS_SOURCE_MODE", "live")
    monkeypatch.setenv("TWRESAS_HTTP_BACKOFF", "0")
    monkeypatch.setenv("TWRESAS_HTTP_READ_TIMEOUT", "2")
    return twresas_home


@pytest.fixture(scope="session")
def pipeline_home(tmp_path_factory) -> Path:
    """The whole pipeline run once, offline, as `make run` runs it; tests read what it published."""
    from orchestration.cli import run_all
    from orchestration.resources import Http, Warehouse

    home = tmp_path_factory.mktemp("pipeline")
    (home / "dagster_home").mkdir()
    saved = os.environ.get("DAGSTER_HOME")
    os.environ["DAGSTER_HOME"] = str(home / "dagster_home")  # as `make run`: the UI's instance
    try:
        result = run_all({
            "warehouse": Warehouse(home=str(home), gx_root=str(home / "expectations")),
            "http": Http(mode="snapshot"),
        })
    finally:
        if saved is None:
            os.environ.pop("DAGSTER_HOME", None)
        else:
            os.environ["DAGSTER_HOME"] = saved
    assert result.success, "the offline pipeline run failed"
    return home


@pytest.fixture(scope="session")
def published(pipeline_home):
    """A read-only connection to the published database, as a BI tool opens it."""
    con = duckdb.connect(str(pipeline_home / "warehouse" / "tw_resas.duckdb"), read_only=True)
    yield con
    con.close()
