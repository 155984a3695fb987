"""Where things live and how sources are reached, from environment variables with defaults."""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT_DIR = Path(__file__).resolve().parent / "snapshots"


def home() -> Path:
    """Root of everything a run writes (landing zone, warehouse). Default: the checkout."""
    return Path(os.environ.get("TWRESAS_HOME", PROJECT_ROOT)).resolve()


def landing_dir() -> Path:
    return home() / "landing"


def warehouse_dir() -> Path:
    return home() / "warehouse"


def source_mode() -> str:
    """`snapshot` (default: bundled files, no network) or `live` (the publishers' sites)."""
    mode = os.environ.get("TWRESAS_SOURCE_MODE", "snapshot").strip().lower()
    if mode not in {"snapshot", "live"}:
        raise ValueError(f"TWRESAS_SOURCE_MODE must be 'snapshot' or 'live', not {mode!r}")
    return mode


def env_float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))
