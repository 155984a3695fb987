"""Where things live and how sources are reached, from environment variables with defaults."""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT_DIR = Path(__file__).resolve().parent / "snapshots"


def home() -> Path:
    """Root of everything a run writes (landing zone, warehouse). Default: the checkout.

    A relative TWRESAS_HOME is resolved once, against the directory the process started in,
    and written back as an absolute path: dbt, which runs in dbt_project/ and reads the
    variable itself, then writes where Python does, not inside dbt_project/."""
    value = os.environ.get("TWRESAS_HOME")
    if value is None:
        return PROJECT_ROOT
    path = Path(value)
    if not path.is_absolute():
        path = path.resolve()
        os.environ["TWRESAS_HOME"] = str(path)
    return path


def landing_dir() -> Path:
    return home() / "landing"


def warehouse_dir() -> Path:
    return home() / "warehouse"


def logs_dir() -> Path:
    """Full tracebacks of failed runs; the console gets one line naming the file."""
    return warehouse_dir() / "logs"


def source_mode() -> str:
    """`snapshot` (default: bundled files, no network) or `live` (the publishers' sites)."""
    mode = os.environ.get("TWRESAS_SOURCE_MODE", "snapshot").strip().lower()
    if mode not in {"snapshot", "live"}:
        raise ValueError(f"TWRESAS_SOURCE_MODE must be 'snapshot' or 'live', not {mode!r}")
    return mode


def dbt_target() -> str:
    """The engine the dbt step builds on: `duckdb` (default) or `spark` (dbt_project/profiles.yml;
    README "On Apache Spark")."""
    target = os.environ.get("TWRESAS_DBT_TARGET", "duckdb").strip().lower()
    if target not in {"duckdb", "spark"}:
        raise ValueError(f"TWRESAS_DBT_TARGET must be 'duckdb' or 'spark', not {target!r}")
    return target


def env_float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))
