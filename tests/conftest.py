"""Shared fixtures. Every test writes under its own TWRESAS_HOME, never into the checkout."""

import os
from pathlib import Path

import duckdb
import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def twresas_home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("TWRESAS_HOME", str(tmp_path))
    monkeypatch.setenv("TWRESAS_GX_ROOT", str(tmp_path / "expectations"))
    monkeypatch.setenv("TWRESAS_SOURCE_MODE", "snapshot")
    return tmp_path


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

    home = tmp_path_factory.mktemp("pipeline")
    names = ("TWRESAS_HOME", "TWRESAS_GX_ROOT", "TWRESAS_SOURCE_MODE")
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update(
        TWRESAS_HOME=str(home),
        TWRESAS_GX_ROOT=str(home / "expectations"),
        TWRESAS_SOURCE_MODE="snapshot",
    )
    try:
        result = run_all()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    assert result.success, "the offline pipeline run failed"
    return home


@pytest.fixture(scope="session")
def published(pipeline_home):
    """A read-only connection to the published database, as a BI tool opens it."""
    con = duckdb.connect(str(pipeline_home / "warehouse" / "tw_resas.duckdb"), read_only=True)
    yield con
    con.close()
