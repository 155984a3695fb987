"""Raw tables: what a source's parsed frame becomes in `raw.<source id>` of the working
database, with the lineage of the landed files it came from, and the usual raw asset."""

import functools
import hashlib
import json
import os
import re
from collections.abc import Iterable
from datetime import date

import dagster as dg
import duckdb
import pandas as pd

from orchestration.policies import FETCH_RETRY, OWNERS, freshness_policy
from orchestration.publish import sql_literal
from orchestration.resources import Http, Warehouse
from sources.catalog import Source
from sources.errors import SourceError
from sources.http import Fetcher, fetch, parse_landed
from sources.landing import Landed
from sources.settings import PROJECT_ROOT

RAW_SCHEMA = "raw"
# raw._loads: the fingerprint of what each raw table was last loaded from (load_fingerprint),
# so that a run whose inputs and parsing code are those of the last load reuses the table
LOADS_TABLE = "_loads"


def raw_asset_key(source: Source) -> dg.AssetKey:
    return dg.AssetKey([RAW_SCHEMA, source.id])


def write_raw_table(
    warehouse: Warehouse, source: Source, frame: pd.DataFrame, landed: Iterable[Landed],
    table: str | None = None, fingerprint: str | None = None,
) -> dict:
    """Replace `raw.<source id>` (or `raw.<table>`, for a source that lands a second frame)
    with `frame` plus lineage columns; returns asset metadata. With `fingerprint` (what the
    frame was parsed from: load_fingerprint), the load is recorded in raw._loads once the
    table and its Parquet mirror are written; a load that stops before has no record.

    The table name comes from the source id or a name in code, never from the data.
    """
    landed = list(landed)
    table = table or source.id
    if frame.empty:
        raise ValueError(f"source {source.id}: parsed no rows from {[x.url for x in landed]}")
    with warehouse.connect_work_db() as con:
        con.execute(f"create schema if not exists {RAW_SCHEMA}")
        forget_load(con, table)
        con.register("incoming_frame", frame)
        con.execute(
            f'create or replace table {RAW_SCHEMA}."{table}" as select * from incoming_frame'
        )
        con.unregister("incoming_frame")
        write_raw_parquet(warehouse, con, table)
        if fingerprint is not None:
            record_load(con, table, fingerprint)
    return raw_metadata(source, len(frame), landed, frame)


def load_name(table: str, release: tuple[str, str] | None = None) -> str:
    """How raw._loads names the load of a table, or of one release (column, value) of it."""
    return table if release is None else f"{table}[{release[0]}={release[1]}]"


def forget_load(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Before a load replaces rows: no record of the earlier load survives a failed one."""
    con.execute(f"create table if not exists {RAW_SCHEMA}.{LOADS_TABLE} (table_name varchar "
                "primary key, fingerprint varchar not null, loaded_at timestamptz not null)")
    con.execute(f"delete from {RAW_SCHEMA}.{LOADS_TABLE} where table_name = ?", [name])


def record_load(con: duckdb.DuckDBPyConnection, name: str, fingerprint: str) -> None:
    """Once the rows and their Parquet mirror are written."""
    con.execute(f"insert into {RAW_SCHEMA}.{LOADS_TABLE} values (?, ?, now())",
                [name, fingerprint])


@functools.cache
def parsing_code_version() -> str:
    """sha256 of what turns landed bytes into a raw table: every Python file of sources/ and
    orchestration/, and the locked library versions (requirements.lock)."""
    digest = hashlib.sha256()
    files = sorted([*(PROJECT_ROOT / "sources").rglob("*.py"),
                    *(PROJECT_ROOT / "orchestration").rglob("*.py")])
    for path in [*files, PROJECT_ROOT / "requirements.lock"]:
        if path.is_file():
            digest.update(path.relative_to(PROJECT_ROOT).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def load_fingerprint(table: str, landed: Iterable[Landed], **extra) -> str:
    """What `raw.<table>` is parsed from: the landed files (URL and sha256), the parsing code,
    and today's date (parsers judge a year against the current one), with `extra` (what else
    the load depends on, as JSON)."""
    payload = {"table": table, "code": parsing_code_version(), "day": date.today().isoformat(),
               "landed": [[x.url, x.sha256] for x in landed], "extra": extra}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def reused_load(warehouse: Warehouse, source: Source, landed: list[Landed], fingerprint: str,
                table: str | None = None, release: tuple[str, str] | None = None
                ) -> dict | None:
    """The metadata of `raw.<table>` (default: the source's), or of its rows of one `release`
    (column, value), when their last load was parsed from `fingerprint` and their Parquet
    mirror is there, else None (parse and load again)."""
    table = table or source.id
    parquet = "table.parquet" if release is None else f"release-{release[1]}.parquet"
    if not warehouse.work_db.exists():
        return None
    if not (warehouse.raw_parquet_dir / table / parquet).is_file():
        return None
    rows_sql, params = f'select * from {RAW_SCHEMA}."{table}"', []
    if release is not None:
        column, value = release
        rows_sql, params = f"{rows_sql} where cast({column} as varchar) = ?", [value]
    with warehouse.connect_work_db() as con:
        try:
            recorded = con.execute(
                f"select fingerprint from {RAW_SCHEMA}.{LOADS_TABLE} where table_name = ?",
                [load_name(table, release)]).fetchone()
            if recorded is None or recorded[0] != fingerprint:
                return None
            rows = con.execute(f"select count(*) from ({rows_sql})", params).fetchone()[0]
            head = con.execute(f"{rows_sql} limit 5", params).df()
        except duckdb.CatalogException:  # no load recorded yet, or the table was dropped
            return None
    return raw_metadata(source, rows, landed, head, reused=True) if rows else None


def write_raw_partition(
    warehouse: Warehouse, source: Source, frame: pd.DataFrame, landed: list[Landed],
    column: str, value: str, fingerprint: str | None = None,
) -> dict:
    """Replace one release (the rows where `column` = `value`) of `raw.<source id>`, keeping
    the others: a partitioned asset run re-loads only its own month or season. With
    `fingerprint`, the load is recorded in raw._loads, as by write_raw_table."""
    if frame.empty:
        raise ValueError(f"source {source.id}: parsed no rows from {[x.url for x in landed]}")
    if not (frame[column].astype(str) == value).all():
        raise ValueError(f"source {source.id}: rows of another release than {column}={value}")
    table = f'{RAW_SCHEMA}."{source.id}"'
    with warehouse.connect_work_db() as con:
        con.execute(f"create schema if not exists {RAW_SCHEMA}")
        con.register("incoming_frame", frame)
        con.execute(f"create table if not exists {table} as select * from incoming_frame limit 0")
        con.execute("begin")
        try:
            forget_load(con, load_name(source.id, (column, value)))
            con.execute(f"delete from {table} where cast({column} as varchar) = ?", [value])
            con.execute(f"insert into {table} by name select * from incoming_frame")
            con.execute("commit")
        except duckdb.Error as exc:
            rollback(con)
            raise SourceError(source.id, str(warehouse.work_db),
                              f"cannot write {column}={value} into raw.{source.id} "
                              f"({' '.join(str(exc).split())})") from exc
        except BaseException:
            rollback(con)
            raise
        con.unregister("incoming_frame")
        write_raw_parquet(warehouse, con, source.id, column, value)
        if fingerprint is not None:
            record_load(con, load_name(source.id, (column, value)), fingerprint)
    return raw_metadata(source, len(frame), landed, frame)


def write_raw_parquet(
    warehouse: Warehouse, con: duckdb.DuckDBPyConnection, table: str,
    column: str | None = None, release: str | None = None,
) -> None:
    """Mirror `raw.<table>` into `raw_parquet/<table>/`, the spark target's sources: the whole
    table as `table.parquet`, or, for a table loaded release by release (`column`), one
    `release-<value>.parquet` per release, rewriting only `release` (the one just loaded) and
    those without a file yet, and removing the files of releases the table no longer holds. An
    empty table is one `table.parquet` without rows, so Spark still learns its columns. Each
    file appears whole: it is written under a dot name, which Spark skips, and renamed."""
    folder = warehouse.raw_parquet_dir / table
    folder.mkdir(parents=True, exist_ok=True)
    wanted: dict[str, str | None] = {}  # file name -> the release it holds (None: every row)
    if column is not None:
        for (value,) in con.execute(
            f'select distinct cast({column} as varchar) from {RAW_SCHEMA}."{table}" '
            f"where {column} is not null"
        ).fetchall():
            if not re.fullmatch(r"[0-9A-Za-z_-]+", value):
                raise ValueError(f"raw.{table}: release {value!r} cannot name a Parquet file")
            wanted[f"release-{value}.parquet"] = value
    if not wanted:
        wanted["table.parquet"] = None
    for name, value in wanted.items():
        if column is not None and value != release and (folder / name).exists():
            continue
        incoming = folder / f".incoming-{name}"
        if value is None:
            con.execute(f'copy (select * from {RAW_SCHEMA}."{table}") '
                        f"to {sql_literal(str(incoming))} (format parquet)")
        else:
            con.execute(f'copy (select * from {RAW_SCHEMA}."{table}" '
                        f"where cast({column} as varchar) = ?) "
                        f"to {sql_literal(str(incoming))} (format parquet)", [value])
        os.replace(incoming, folder / name)
    for stale in folder.glob("*.parquet"):
        if stale.name not in wanted:
            stale.unlink()


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


def raw_metadata(source: Source, rows: int, landed: list[Landed], frame: pd.DataFrame,
                 reused: bool = False) -> dict:
    """`reused`: the table of an earlier load of the same files by the same code, not parsed
    again (reused_load)."""
    return {
        "dagster/row_count": dg.MetadataValue.int(rows),
        "source_id": source.id,
        "publisher": source.publisher,
        "attribution": source.attribution or source.publisher,
        "licence": source.licence,
        "urls": dg.MetadataValue.json([x.url for x in landed]),
        "raw_sha256": dg.MetadataValue.json([x.sha256 for x in landed]),
        "mode": ", ".join(sorted({x.mode for x in landed})),
        "synthetic": any(x.synthetic for x in landed),
        "preview": dg.MetadataValue.md(frame.head(5).to_markdown(index=False)),
        "reused_unchanged_load": reused,
    }


def known_releases(source: Source) -> list[dict[str, str]]:
    """The URL params of the releases we hold snapshots of (the same ones are fetched live)."""
    return [dict(snapshot.params) for snapshot in source.snapshots]


def fetch_releases(fetcher: Fetcher, source: Source, param_sets) -> list[Landed]:
    """Fetch (and land) every URL of `source` in `param_sets`."""
    return [fetch(source, fetcher=fetcher, **params) for params in param_sets]


def parse_releases(landed: list[Landed], parse, param_sets) -> pd.DataFrame:
    """Parse each landed file, with its lineage and URL params, into one frame."""
    return pd.concat([with_lineage(parse_landed(result, parse), result, **params)
                      for result, params in zip(landed, param_sets, strict=True)],
                     ignore_index=True)


def raw_asset(source: Source, parse, *, group: str, description: str) -> dg.AssetsDefinition:
    """The usual raw asset: fetch the known releases of `source`, parse, load `raw.<id>`; or,
    when the files fetched and the parsing code are those of the table's last load, keep the
    table (a rerun on the same inputs, the usual case while models are developed)."""

    @dg.asset(
        key=raw_asset_key(source),
        name=None,
        group_name=group,
        owners=OWNERS,
        kinds={"python", "duckdb"},
        retry_policy=FETCH_RETRY,
        description=description,
        metadata={"source_id": source.id, "publisher": source.publisher, "cadence": source.cadence},
        freshness_policy=freshness_policy(source),
    )
    def _raw_asset(warehouse: Warehouse, http: Http) -> dg.MaterializeResult:
        with http.failures_final_offline():
            param_sets = known_releases(source)
            landed = fetch_releases(http.fetcher(warehouse.landing_zone()), source, param_sets)
            fingerprint = load_fingerprint(source.id, landed)
            metadata = reused_load(warehouse, source, landed, fingerprint)
            if metadata is None:
                frame = parse_releases(landed, parse, param_sets)
                metadata = write_raw_table(warehouse, source, frame, landed,
                                           fingerprint=fingerprint)
        return dg.MaterializeResult(metadata=metadata)

    return _raw_asset
