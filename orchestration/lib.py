"""Helpers every domain's assets share: where the databases are, how raw frames are loaded,
how the dbt project and its CLI arguments are built."""

import dataclasses
import json
import os
import re
import sys
from collections.abc import Callable, Iterable
from datetime import timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
from dagster_dbt import DbtCliResource, DbtProject

from orchestration.publish import sql_literal
from sources import settings
from sources.catalog import Source
from sources.errors import SourceError
from sources.jsonsafe import json_safe
from sources.landing import Landed

DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"
RAW_SCHEMA = "raw"


def work_db_path() -> Path:
    """The working database dbt builds into; readers never see it."""
    return settings.warehouse_dir() / "work.duckdb"


def published_db_path() -> Path:
    """The published contract for BI tools: `warehouse/tw_resas.duckdb`."""
    return settings.warehouse_dir() / "tw_resas.duckdb"


def connect_work_db(read_only: bool = False) -> duckdb.DuckDBPyConnection:
    path = work_db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(path), read_only=read_only)


def raw_parquet_dir() -> Path:
    """The raw tables again as Parquet, one folder per table: what the Spark target reads as
    its sources (dbt var raw_parquet_root), as a cluster would read files in object storage."""
    return settings.warehouse_dir() / "raw_parquet"


def write_raw_parquet(
    con: duckdb.DuckDBPyConnection, table: str, column: str | None = None,
    release: str | None = None,
) -> None:
    """Mirror `raw.<table>` into `raw_parquet/<table>/`: the whole table as `table.parquet`,
    or, for a table loaded release by release (`column`), one `release-<value>.parquet` per
    release, rewriting only `release` (the one just loaded) and those without a file yet, and
    removing the files of releases the table no longer holds. An empty table is one
    `table.parquet` without rows, so Spark still learns its columns. Each file appears whole:
    it is written under a dot name, which Spark skips, and renamed."""
    folder = raw_parquet_dir() / table
    folder.mkdir(parents=True, exist_ok=True)
    source = f'{RAW_SCHEMA}."{table}"'
    wanted: dict[str, str] = {}  # file name -> the select that fills it
    if column is not None:
        for (value,) in con.execute(
            f"select distinct cast({column} as varchar) from {source} where {column} is not null"
        ).fetchall():
            if not re.fullmatch(r"[0-9A-Za-z_-]+", value):
                raise ValueError(f"raw.{table}: release {value!r} cannot name a Parquet file")
            wanted[f"release-{value}.parquet"] = (
                f"select * from {source} where cast({column} as varchar) = '{value}'"
            )
    if not wanted:
        wanted["table.parquet"] = f"select * from {source}"
    for name, select in wanted.items():
        if column is not None and name != f"release-{release}.parquet" \
                and (folder / name).exists():
            continue
        incoming = folder / f".incoming-{name}"
        con.execute(f"copy ({select}) to {sql_literal(str(incoming))} (format parquet)")
        os.replace(incoming, folder / name)
    for stale in folder.glob("*.parquet"):
        if stale.name not in wanted:
            stale.unlink()


def spark_dir() -> Path:
    """The spark target's warehouse (dbt_project/profiles.yml, session method): its tables, one
    Parquet folder each under tables/<schema>.db/, and its Derby metastore."""
    return settings.warehouse_dir() / "spark"


def expose_spark_marts(marts: Iterable[str]) -> list[str]:
    """After a build on the spark target: `marts.<mart>` in the working database becomes a view
    of Spark's Parquet table, so the gates check, and the publication copies, what Spark built
    (on a cluster they would read through its catalogue: README "On Apache Spark"). Returns the
    marts exposed; one Spark did not write is left out."""
    exposed = []
    with connect_work_db() as con:
        con.execute("create schema if not exists marts")
        for mart in marts:
            folder = spark_dir() / "tables" / "marts.db" / mart
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


def quality_dir(run_id: str) -> Path:
    return settings.warehouse_dir() / "quality" / run_id


def write_gate_report(run_id: str, result) -> Path:
    """Keep one machine-readable gate result per mart and run, for auditors."""
    folder = quality_dir(run_id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{result.mart}.json"
    path.write_text(json.dumps(json_safe(dataclasses.asdict(result)), ensure_ascii=False,
                               indent=1, allow_nan=False))
    return path


def write_raw_table(
    source: Source, frame: pd.DataFrame, landed: Iterable[Landed], table: str | None = None
) -> dict:
    """Replace `raw.<source id>` (or `raw.<table>`, for a source that lands a second frame)
    with `frame` plus lineage columns; returns asset metadata.

    The table name comes from the source id or a name in code, never from the data.
    """
    landed = list(landed)
    if frame.empty:
        raise ValueError(f"source {source.id}: parsed no rows from {[x.url for x in landed]}")
    with connect_work_db() as con:
        con.execute(f"create schema if not exists {RAW_SCHEMA}")
        con.register("incoming_frame", frame)
        con.execute(
            f'create or replace table {RAW_SCHEMA}."{table or source.id}" as '
            "select * from incoming_frame"
        )
        con.unregister("incoming_frame")
        write_raw_parquet(con, table or source.id)
    return raw_metadata(source, len(frame), landed, frame)


def write_raw_partition(
    source: Source, frame: pd.DataFrame, landed: list[Landed], column: str, value: str
) -> dict:
    """Replace one release (the rows where `column` = `value`) of `raw.<source id>`, keeping
    the others: a partitioned asset run re-loads only its own month or season."""
    if frame.empty:
        raise ValueError(f"source {source.id}: parsed no rows from {[x.url for x in landed]}")
    if not (frame[column].astype(str) == value).all():
        raise ValueError(f"source {source.id}: rows of another release than {column}={value}")
    table = f'{RAW_SCHEMA}."{source.id}"'
    with connect_work_db() as con:
        con.execute(f"create schema if not exists {RAW_SCHEMA}")
        con.register("incoming_frame", frame)
        con.execute(f"create table if not exists {table} as select * from incoming_frame limit 0")
        con.execute("begin")
        try:
            con.execute(f"delete from {table} where cast({column} as varchar) = ?", [value])
            con.execute(f"insert into {table} by name select * from incoming_frame")
            con.execute("commit")
        except duckdb.Error as exc:
            rollback(con)
            raise SourceError(source.id, str(work_db_path()),
                              f"cannot write {column}={value} into raw.{source.id} "
                              f"({' '.join(str(exc).split())})") from exc
        except BaseException:
            rollback(con)
            raise
        con.unregister("incoming_frame")
        write_raw_parquet(con, source.id, column, value)
    return raw_metadata(source, len(frame), landed, frame)


def rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back what a failure interrupted. A COMMIT that failed (a full disk) has ended the
    transaction already: DuckDB's 'no transaction is active' would then hide the real cause,
    which the caller raises."""
    try:
        con.execute("rollback")
    except duckdb.Error:
        pass


def with_lineage(frame: pd.DataFrame, landed: Landed, **params) -> pd.DataFrame:
    """Tag parsed rows with the raw file they came from and the URL params (as `_<name>`)."""
    frame = frame.copy()
    frame["_source_id"] = landed.source_id
    frame["_raw_sha256"] = landed.sha256
    frame["_is_synthetic"] = landed.synthetic
    for name, value in params.items():
        frame[f"_{name}"] = str(value)
    return frame


def raw_metadata(source: Source, rows: int, landed: list[Landed], frame: pd.DataFrame) -> dict:
    return {
        "dagster/row_count": dg.MetadataValue.int(rows),
        "source_id": source.id,
        "publisher": source.publisher,
        "attribution": source.attribution or source.publisher,
        "licence": source.licence,
        "urls": dg.MetadataValue.json([x.url for x in landed]),
        "raw_sha256": dg.MetadataValue.json([x.sha256 for x in landed]),
        "mode": landed[0].mode if landed else settings.source_mode(),
        "synthetic": any(x.synthetic for x in landed),
        "preview": dg.MetadataValue.md(frame.head(5).to_markdown(index=False)),
    }


def raw_asset_key(source: Source) -> dg.AssetKey:
    return dg.AssetKey([RAW_SCHEMA, source.id])


def dbt_executable() -> str:
    """The venv's dbt when running from a venv that is not activated, else the one on PATH."""
    beside_python = Path(sys.executable).parent / "dbt"
    return str(beside_python) if beside_python.exists() else "dbt"


def dbt_parse_args() -> list[str]:
    return ["parse", "--quiet", "--target", settings.dbt_target()]


def dbt_docs_args() -> list[str]:
    return ["docs", "generate"]


DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def dbt_build_args(full_refresh: bool = False) -> list[str]:
    args = ["build", "--target", settings.dbt_target()]
    if full_refresh:
        args.append("--full-refresh")
    return args


FETCH_RETRY = dg.RetryPolicy(
    max_retries=2, delay=5, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)
TIMEZONE = "Asia/Taipei"
PARTITIONED_TAG = "tw_resas/partitioned"

# How late a source may be before the UI shows it stale: its cadence plus the publisher's lag.
_FRESHNESS_DAYS = {"monthly": (35, 45), "quarterly": (100, 120), "yearly": (380, 430),
                   "biennial": (740, 800)}


def freshness_policy(source: Source) -> dg.FreshnessPolicy | None:
    if source.cadence not in _FRESHNESS_DAYS:
        return None
    warn, fail = _FRESHNESS_DAYS[source.cadence]
    return dg.FreshnessPolicy.time_window(
        fail_window=timedelta(days=fail), warn_window=timedelta(days=warn)
    )


# job name -> the partition keys `make run` materialises (snapshot: the bundled releases;
# live: the latest). Filled by release_job() as the domain modules are loaded.
RELEASE_KEYS: dict[str, Callable[[], list[str]]] = {}


def release_job(
    name: str,
    selection: dg.AssetSelection,
    partitions_def: dg.PartitionsDefinition,
    keys_to_run: Callable[[], list[str]],
    description: str,
):
    """A partitioned job fetching one release (month, season) per run, for schedules, sensors
    and backfills; `make run` runs it for `keys_to_run()` before building the warehouse."""
    RELEASE_KEYS[name] = keys_to_run
    return dg.define_asset_job(
        name, selection=selection, partitions_def=partitions_def, description=description
    )


def known_releases(source: Source) -> list[dict[str, str]]:
    """The URL params of the releases we hold snapshots of (the same ones are fetched live)."""
    return [dict(snapshot.params) for snapshot in source.snapshots]


def fetch_and_parse(source: Source, parse, param_sets) -> tuple[pd.DataFrame, list[Landed]]:
    """Fetch every URL of `source` in `param_sets`; stack the parsed frames with lineage."""
    from sources.http import fetch, make_session, parse_landed

    session = make_session()
    frames, landed = [], []
    for params in param_sets:
        result = fetch(source, session=session, **params)
        frames.append(with_lineage(parse_landed(result, parse), result, **params))
        landed.append(result)
    return pd.concat(frames, ignore_index=True), landed


def raw_asset(source: Source, parse, *, group: str, description: str) -> dg.AssetsDefinition:
    """The usual raw asset: fetch the known releases of `source`, parse, load `raw.<id>`."""

    @dg.asset(
        key=raw_asset_key(source),
        name=None,
        group_name=group,
        kinds={"python", "duckdb"},
        retry_policy=FETCH_RETRY,
        description=description,
        metadata={"source_id": source.id, "publisher": source.publisher, "cadence": source.cadence},
        freshness_policy=freshness_policy(source),
    )
    def _raw_asset() -> dg.MaterializeResult:
        frame, landed = fetch_and_parse(source, parse, known_releases(source))
        return dg.MaterializeResult(metadata=write_raw_table(source, frame, landed))

    return _raw_asset


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


def dbt_manifest_is_stale() -> bool:
    """True when the manifest is missing or older than any file of the dbt project."""
    manifest = DBT_PROJECT.manifest_path
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    folders = ("models", "macros", "seeds", "tests")
    return any(
        path.stat().st_mtime > built
        for folder in folders
        for path in (DBT_PROJECT_DIR / folder).rglob("*")
        if path.is_file()
    ) or (DBT_PROJECT_DIR / "dbt_project.yml").stat().st_mtime > built


def ensure_dbt_manifest() -> Path:
    """The manifest is built, not committed: parse when it is missing or stale (`dagster dev`
    also re-parses through prepare_if_dev on every start)."""
    DBT_PROJECT.prepare_if_dev()
    if dbt_manifest_is_stale():
        DbtCliResource(project_dir=DBT_PROJECT, dbt_executable=dbt_executable()).cli(
            dbt_parse_args(), target_path=DBT_PROJECT.target_path
        ).wait()
    return DBT_PROJECT.manifest_path


def release_fingerprint(source: Source, params: dict[str, str]) -> str | None:
    """What tells us a published file changed without downloading it: ETag or Last-Modified
    from a HEAD request, else the sha256 of a GET. None when the release is not there (yet)."""
    import hashlib

    from sources.http import HttpSettings, make_session

    http = HttpSettings.from_env()
    session = make_session("live")
    url = source.url(**params)
    timeout = (http.connect_timeout, http.read_timeout)
    head = session.head(url, timeout=timeout, allow_redirects=True)
    if head.status_code == 404:
        return None
    validator = head.headers.get("ETag") or head.headers.get("Last-Modified")
    if head.ok and validator:
        return validator
    body = session.get(url, timeout=timeout)
    return hashlib.sha256(body.content).hexdigest() if body.ok else None


def release_sensor(
    name: str,
    source: Source,
    job,
    candidates: Callable[[], list[tuple[str | None, dict[str, str]]]],
    minimum_interval_seconds: int = 6 * 3600,
) -> dg.SensorDefinition:
    """Live mode: poll the publisher for each candidate release (partition key or None, URL
    params); request a run of only the releases whose fingerprint is new or changed."""

    @dg.sensor(name=name, job=job, minimum_interval_seconds=minimum_interval_seconds,
               description=f"Notices new or changed releases of {source.id} (live mode only).")
    def _sensor(context: dg.SensorEvaluationContext):
        if settings.source_mode() != "live":
            return dg.SkipReason("snapshot mode: there is no upstream to watch")
        seen = json.loads(context.cursor) if context.cursor else {}
        requests, now_seen = [], dict(seen)
        for partition_key, params in candidates():
            fingerprint = release_fingerprint(source, params)
            marker = partition_key or json.dumps(params, sort_keys=True)
            if fingerprint is None or seen.get(marker) == fingerprint:
                continue
            now_seen[marker] = fingerprint
            requests.append(
                dg.RunRequest(run_key=f"{marker}:{fingerprint}", partition_key=partition_key)
            )
        context.update_cursor(json.dumps(now_seen, sort_keys=True))
        return requests or dg.SkipReason("no new or changed release")

    return _sensor
