"""The run's settings as Dagster resources, bound once in orchestration/definitions.py from
`sources.settings.read_settings()`: an asset asks for `warehouse` (where things are written)
and `http` (how sources are reached); a test passes its own, e.g. a temporary home."""

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import Field, field_validator

from expectations.data_docs import data_docs_index
from sources.http import Fetcher
from sources.landing import LandingZone, landing_root
from sources.settings import DBT_TARGETS, HttpSettings, Settings

# Working databases (paths) to hold open in this process once connected, and those held
_HOLD: set[str] = set()
_HELD: dict[str, duckdb.DuckDBPyConnection] = {}


class Warehouse(dg.ConfigurableResource):
    """Where a run writes: the landing zone and the working and published DuckDB files under
    `home`, the quality reports, logs and atlas beside them, and the GX project."""

    home: str = Field(description="Absolute root of landing/ and warehouse/ (TWRESAS_HOME).")
    gx_root: str | None = Field(
        default=None, description="GX project (TWRESAS_GX_ROOT); default: <home>/expectations.")
    parquet_keep_seconds: float = Field(
        default=Settings.parquet_keep_seconds,
        description="A replaced Parquet version is kept this long for readers still in it.")
    publish_pause_seconds: float = Field(
        default=Settings.publish_pause_seconds,
        description="Tests only: hold the finished file before the rename, to kill it there.")
    dbt_target: str = Field(
        default=Settings.dbt_target,
        description="The engine dbt builds on: duckdb or spark (TWRESAS_DBT_TARGET).")
    spark_driver_memory: str = Field(
        default=Settings.spark_driver_memory,
        description="Heap of the spark target's local JVM (TWRESAS_SPARK_DRIVER_MEMORY).")

    @field_validator("home", "gx_root")
    @classmethod
    def _absolute(cls, value: str | None) -> str | None:
        # dbt runs in dbt_project/: a relative path would name another folder there
        if value is not None and not Path(value).is_absolute():
            raise ValueError(f"must be an absolute path, not {value!r}")
        return value

    @field_validator("dbt_target")
    @classmethod
    def _known_target(cls, value: str) -> str:
        if value not in DBT_TARGETS:
            raise ValueError(f"must be one of {', '.join(DBT_TARGETS)}, not {value!r}")
        return value

    @classmethod
    def from_settings(cls, settings: Settings) -> "Warehouse":
        return cls(
            home=str(settings.home),
            gx_root=str(settings.gx_root) if settings.gx_root else None,
            parquet_keep_seconds=settings.parquet_keep_seconds,
            publish_pause_seconds=settings.publish_pause_seconds,
            dbt_target=settings.dbt_target,
            spark_driver_memory=settings.spark_driver_memory,
        )

    @property
    def root(self) -> Path:
        return Path(self.home)

    @property
    def warehouse_dir(self) -> Path:
        return self.root / "warehouse"

    @property
    def work_db(self) -> Path:
        """The working database dbt builds into; readers never see it."""
        return self.warehouse_dir / "work.duckdb"

    @property
    def published_db(self) -> Path:
        """The published contract for BI tools: `warehouse/tw_resas.duckdb`."""
        return self.warehouse_dir / "tw_resas.duckdb"

    @property
    def parquet_current(self) -> Path:
        return self.warehouse_dir / "parquet" / "current"

    @property
    def raw_parquet_dir(self) -> Path:
        """The raw tables again as Parquet, one folder per table: what the spark target reads
        as its sources (dbt var raw_parquet_root), as a cluster reads files in object storage."""
        return self.warehouse_dir / "raw_parquet"

    @property
    def spark_dir(self) -> Path:
        """The spark target's warehouse (dbt_project/profiles.yml, session method): its tables,
        one Parquet folder each under tables/<schema>.db/, and its Derby metastore."""
        return self.warehouse_dir / "spark"

    @property
    def logs_dir(self) -> Path:
        """Full tracebacks of failed runs; the console gets one line naming the file."""
        return self.warehouse_dir / "logs"

    @property
    def atlas_dir(self) -> Path:
        return self.warehouse_dir / "atlas"

    @property
    def gx_dir(self) -> Path:
        return Path(self.gx_root) if self.gx_root else self.root / "expectations"

    @property
    def data_docs(self) -> Path:
        return data_docs_index(self.gx_dir)

    @property
    def quality_root(self) -> Path:
        """A folder per run: its gate results and run report."""
        return self.warehouse_dir / "quality"

    def quality_dir(self, run_id: str) -> Path:
        return self.quality_root / run_id

    def landing_zone(self) -> LandingZone:
        return LandingZone(landing_root(self.root))

    def connect_work_db(self, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        self.warehouse_dir.mkdir(parents=True, exist_ok=True)
        path = str(self.work_db)
        if read_only:  # DuckDB opens a file one way in a process: not read-only while held
            self.release_work_db()
        elif path in _HOLD and path not in _HELD:
            _HELD[path] = duckdb.connect(path)
        return duckdb.connect(path, read_only=read_only)

    @contextmanager
    def work_db_kept_open(self) -> Iterator[None]:
        """Hold the working database open in this process, from its first connection on, while
        many short steps connect to it (the release runs and raw loads before dbt): DuckDB
        shares an open database among a process's connections, so a connection no longer reads
        the file's catalogue again (~30 ms; a `make run` connects 90 times). No other process
        can open the file meanwhile: `release_work_db` before starting one (dbt)."""
        _HOLD.add(str(self.work_db))
        try:
            yield
        finally:
            self.release_work_db()

    def release_work_db(self) -> None:
        """Stop holding the working database (work_db_kept_open) and close it: written out,
        free for another process."""
        _HOLD.discard(str(self.work_db))
        held = _HELD.pop(str(self.work_db), None)
        if held is not None:
            held.close()


class Http(dg.ConfigurableResource):
    """How sources are reached: snapshot (the bundled files, no network) or live, the limits of
    every request, and base URLs that point a source at a mirror or a test server."""

    mode: str = Field(default=HttpSettings.mode, description="snapshot or live "
                                                              "(TWRESAS_SOURCE_MODE).")
    connect_timeout: float = HttpSettings.connect_timeout
    read_timeout: float = HttpSettings.read_timeout
    retries: int = Field(default=HttpSettings.retries,
                         description="urllib3 Retry on 429/5xx, honouring Retry-After.")
    backoff_factor: float = HttpSettings.backoff_factor
    max_bytes: int = Field(default=HttpSettings.max_bytes,
                           description="Larger responses are refused.")
    max_retry_after: float = Field(default=HttpSettings.max_retry_after,
                                   description="Cap on one Retry-After wait.")
    max_retry_seconds: float = Field(default=HttpSettings.max_retry_seconds,
                                     description="Cap on all retrying of one URL.")
    max_pages: int = Field(default=HttpSettings.max_pages,
                           description="A paged API announcing more pages is refused.")
    base_urls: dict[str, str] = Field(
        default={}, description="Source id -> base URL (TWRESAS_BASE_URL_<SOURCE_ID>).")

    @classmethod
    def from_settings(cls, http: HttpSettings) -> "Http":
        return cls(**dataclasses.asdict(http))

    def settings(self) -> HttpSettings:
        return HttpSettings(**{f.name: getattr(self, f.name)
                               for f in dataclasses.fields(HttpSettings)})

    def fetcher(self, landing: LandingZone) -> Fetcher:
        """One session for the fetches of one step, landing what it receives in `landing`."""
        return Fetcher.create(self.settings(), landing)

    @contextmanager
    def failures_final_offline(self) -> Iterator[None]:
        """Around a fetching asset's work: Dagster retries a failed fetch step (FETCH_RETRY,
        for a publisher's passing trouble), but in snapshot mode a retry reads the same bundled
        bytes again and fails again, after 15 s and more of back-off. There a failure is final
        (the error it wraps stays its cause, which the run's summary reports)."""
        try:
            yield
        except Exception as exc:
            if self.mode != "snapshot":
                raise
            raise dg.Failure(description=" ".join(str(exc).split()),
                             allow_retries=False) from exc


def bound_resources(settings: Settings) -> dict[str, dg.ConfigurableResource]:
    """The `warehouse` and `http` resources of `settings` (dbt's is bound in defs/dbt.py)."""
    return {"warehouse": Warehouse.from_settings(settings),
            "http": Http.from_settings(settings.http)}
