"""Every setting of a run, read from the environment in one place (`read_settings`).

The rest of the code takes what it needs as arguments: Dagster binds these values once, as
resources (orchestration/resources.py); plain-Python callers pass a `Settings` or let the
fetch functions read the environment through `read_settings`.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sources.catalog import Source

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT_DIR = Path(__file__).resolve().parent / "snapshots"
SOURCE_MODES = ("snapshot", "live")
BASE_URL_PREFIX = "TWRESAS_BASE_URL_"
DBT_TARGETS = ("duckdb", "spark")  # outputs of dbt_project/profiles.yml


@dataclass(frozen=True)
class HttpSettings:
    """How sources are reached: the mode, the limits of every request, and base URLs that
    point a source at a mirror or a test server."""

    mode: str = "snapshot"  # snapshot: the bundled files, no network; live: the publishers
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    retries: int = 5
    backoff_factor: float = 1.0
    max_bytes: int = 2 * 1024**3
    max_retry_after: float = 120.0  # a longer Retry-After is waited this long, and said so
    max_retry_seconds: float = 600.0  # all the waiting for one URL; then the last answer
    max_pages: int = 1000  # a paged API announcing more pages than this is refused
    base_urls: dict[str, str] = field(default_factory=dict)  # source id -> scheme://host

    def __post_init__(self):
        if self.mode not in SOURCE_MODES:
            raise ValueError(f"source mode (TWRESAS_SOURCE_MODE) must be 'snapshot' or 'live',"
                             f" not {self.mode!r}")

    def base_url(self, source: "Source") -> str:
        return self.base_urls.get(source.id, source.base_url).rstrip("/")

    def url(self, source: "Source", **params) -> str:
        """The URL of one release of `source`, at its publisher or at the base URL set for it."""
        return source.url(self.base_urls.get(source.id), **params)


@dataclass(frozen=True)
class Settings:
    home: Path  # absolute: root of landing/ and warehouse/
    gx_root: Path | None  # the GX project (Data Docs under gx/uncommitted/); None: home's
    http: HttpSettings
    parquet_keep_seconds: float = 3600.0  # a replaced Parquet version is kept this long
    publish_pause_seconds: float = 0.0  # tests only: hold the publication window open
    dbt_target: str = "duckdb"  # the engine dbt builds on (README "On Apache Spark")
    spark_driver_memory: str = "3g"  # heap of the spark target's local JVM

    def __post_init__(self):
        if self.dbt_target not in DBT_TARGETS:
            raise ValueError(f"dbt target (TWRESAS_DBT_TARGET) must be 'duckdb' or 'spark',"
                             f" not {self.dbt_target!r}")


# HttpSettings field -> the variable that sets it
HTTP_VARIABLES = {
    "connect_timeout": "TWRESAS_HTTP_CONNECT_TIMEOUT",
    "read_timeout": "TWRESAS_HTTP_READ_TIMEOUT",
    "retries": "TWRESAS_HTTP_RETRIES",
    "backoff_factor": "TWRESAS_HTTP_BACKOFF",
    "max_bytes": "TWRESAS_HTTP_MAX_BYTES",
    "max_retry_after": "TWRESAS_HTTP_MAX_RETRY_AFTER",
    "max_retry_seconds": "TWRESAS_HTTP_MAX_RETRY_SECONDS",
    "max_pages": "TWRESAS_HTTP_MAX_PAGES",
}


def read_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings in `environ` (default: the process environment); unset ones default.

    A relative TWRESAS_HOME is resolved here, once, against the directory the process started
    in; every consumer, dbt included, is then given the absolute path."""
    env = os.environ if environ is None else environ
    home = Path(env.get("TWRESAS_HOME", PROJECT_ROOT)).resolve()
    types = {f.name: f.type for f in fields(HttpSettings)}
    limits = {name: _number(env, variable, types[name])
              for name, variable in HTTP_VARIABLES.items() if variable in env}
    return Settings(
        home=home,
        gx_root=Path(env["TWRESAS_GX_ROOT"]).resolve() if "TWRESAS_GX_ROOT" in env else None,
        http=HttpSettings(
            mode=env.get("TWRESAS_SOURCE_MODE", "snapshot").strip().lower(),
            base_urls={name.removeprefix(BASE_URL_PREFIX).lower(): value
                       for name, value in env.items() if name.startswith(BASE_URL_PREFIX)},
            **limits,
        ),
        parquet_keep_seconds=_number(env, "TWRESAS_PARQUET_KEEP_SECONDS", float, 3600.0),
        publish_pause_seconds=_number(env, "TWRESAS_PUBLISH_PAUSE_SECONDS", float, 0.0),
        dbt_target=env.get("TWRESAS_DBT_TARGET", Settings.dbt_target).strip().lower(),
        spark_driver_memory=env.get("TWRESAS_SPARK_DRIVER_MEMORY", Settings.spark_driver_memory),
    )


def _number(env: Mapping[str, str], variable: str, kind: type, default=None):
    text = env.get(variable)
    if text is None:
        return default
    try:
        return kind(text)
    except ValueError:
        raise ValueError(f"{variable} must be {'an integer' if kind is int else 'a number'},"
                         f" not {text!r}") from None
