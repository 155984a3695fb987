"""Publish (the last step of write-audit-publish): copy the gated marts into a new DuckDB file
and rename it over `warehouse/tw_resas.duckdb`.

Readers opening the published file see the previous version or the new one, never a mix: the
new file is complete and fsynced before the atomic rename, and an open reader keeps the inode
it opened.

The Parquet export is one immutable folder per version, `parquet/<published at>/`, and the
symlink `parquet/current` is repointed atomically. A reader that opens `current/<mart>.parquet`
file by file can straddle a repoint and read two versions; a reader that resolves `current`
once and reads every file from that folder reads one version (each file also carries its
run_id in its key-value metadata). A replaced version is kept while it is among the last
PARQUET_VERSIONS_KEPT or was replaced less than `keep_seconds` ago (the warehouse resource's
parquet_keep_seconds, TWRESAS_PARQUET_KEEP_SECONDS), so a reader that resolved it just before
a repoint can finish.
"""

import fcntl
import hashlib
import json
import os
import shutil
import time
import uuid
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from sources.settings import Settings

PUBLISHED_SCHEMA = "marts"
PARQUET_VERSIONS_KEPT = 5
PARQUET_VERSION_FORMAT = "%Y%m%dT%H%M%S%fZ"  # a version folder's name: its publication time


KEEP_SECONDS = Settings.parquet_keep_seconds  # the default of the setting


@dataclass(frozen=True)
class PublishedMart:
    name: str
    rows: int
    content_hash: str


class LockHeld(RuntimeError):
    """Another process holds the lock (a second run at once is refused, never interleaved)."""


@contextmanager
def exclusive_lock(lock_path: Path, *, wait: bool = True):
    """An OS file lock (released by the kernel if the process dies, so SIGKILL leaves none)."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as handle:
        flags = fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB)
        try:
            fcntl.flock(handle, flags)
        except BlockingIOError as exc:
            raise LockHeld(
                f"another TW-RESAS run holds {lock_path}; wait for it to finish"
            ) from exc
        yield


def content_hash_sql(table: str) -> str:
    """Order-independent fingerprint of a table's rows: md5 of the row count and the sum of
    DuckDB's 64-bit hash of each row (same rows in any order -> same hash; one changed value
    changes it). A checksum for readers and reruns, not a signature, and comparable within one
    DuckDB version; 0.04 s for fct_indicator_value_history's 1.2 million rows against 5 s for
    md5 over every row's text, which made it most of a publication's time."""
    return f"select md5(count(*) || ',' || coalesce(sum(hash(t)), 0)) from {table} as t"


def sql_literal(text: str) -> str:
    """A SQL string literal (COMMENT ON takes no bound parameters): quotes doubled."""
    return "'" + text.replace("'", "''") + "'"


def publish_marts(
    work_db: Path, published_db: Path, marts: list[str], run_id: str,
    descriptions: dict[str, dict] | None = None, *, keep_seconds: float = KEEP_SECONDS,
    pause_seconds: float = 0.0,
) -> list[PublishedMart]:
    """Copy `marts` from the working database into a fresh file, then rename it into place.
    `descriptions` (mart -> description and column descriptions, from dbt) become table and
    column comments, which BI tools show. `pause_seconds` holds the finished file before the
    rename: a test-only hook (tests/faults) to SIGKILL the process inside the publication
    window."""
    descriptions = descriptions or {}
    published_db.parent.mkdir(parents=True, exist_ok=True)
    staging_file = published_db.parent / f".{published_db.stem}.{uuid.uuid4().hex}.duckdb"
    published: list[PublishedMart] = []
    # One publisher at a time, for the whole build of the new file: so the leftovers of a
    # publisher killed mid-way (SIGKILL leaves its staging file) can be removed safely.
    with exclusive_lock(published_db.parent / ".publish.lock"):
        for leftover in published_db.parent.glob(f".{published_db.stem}.*.duckdb*"):
            leftover.unlink(missing_ok=True)
        try:
            with duckdb.connect(str(staging_file)) as con:
                con.execute(f"attach {sql_literal(str(work_db))} as work (read_only)")
                con.execute(f"create schema {PUBLISHED_SCHEMA}")
                for mart in marts:
                    table = f"{PUBLISHED_SCHEMA}.{mart}"
                    con.execute(
                        f"create table {table} as select * from work.{PUBLISHED_SCHEMA}.{mart}"
                    )
                    rows = con.execute(f"select count(*) from {table}").fetchone()[0]
                    digest = con.execute(content_hash_sql(table)).fetchone()[0]
                    published.append(PublishedMart(mart, rows, digest))
                con.execute("detach work")
                schema = _published_schema(con)
                for mart in marts:
                    _comment(con, mart, descriptions.get(mart, {}), schema[mart])
                con.execute("create schema meta")
                con.execute(
                    "create table meta.publication (run_id varchar, published_at timestamptz,"
                    " mart varchar, row_count bigint, content_hash varchar)"
                )
                published_at = datetime.now(UTC)
                con.executemany(
                    "insert into meta.publication values (?, ?, ?, ?, ?)",
                    [(run_id, published_at, m.name, m.rows, m.content_hash) for m in published],
                )
                con.execute("checkpoint")
                parquet_version = _export_parquet(con, published_db.parent / "parquet", published,
                                                  run_id, published_at, descriptions, schema)
            _fsync(staging_file)
            time.sleep(pause_seconds)
            os.replace(staging_file, published_db)
            _fsync(published_db.parent)
            _point_current(parquet_version, keep_seconds)
        finally:
            staging_file.unlink(missing_ok=True)
            Path(f"{staging_file}.wal").unlink(missing_ok=True)
    return published


def repair_parquet_current(published_db: Path, keep_seconds: float = KEEP_SECONDS) -> Path | None:
    """Point `parquet/current` at the published DuckDB file's version when it lags behind.

    A publisher killed between the rename of the DuckDB file and the repoint leaves `current`
    one version behind (the version folder itself is written before the rename). Runs call
    this first, so the two stay one version. Returns the folder repointed to, else None.
    """
    root = published_db.parent / "parquet"
    if not published_db.exists() or not root.is_dir():
        return None
    with exclusive_lock(published_db.parent / ".publish.lock"):
        with duckdb.connect(str(published_db), read_only=True) as con:
            (run_id,) = con.execute("select any_value(run_id) from meta.publication").fetchone()
        for manifest in root.glob("*/manifest.json"):
            if _manifest_run_id(manifest) != run_id:
                continue
            current = root / "current"
            if current.exists() and current.resolve() == manifest.parent.resolve():
                return None
            _point_current(manifest.parent, keep_seconds)
            return manifest.parent
    return None


def _manifest_run_id(manifest: Path) -> str | None:
    """The run_id a version's manifest.json records; None, with a warning, when it is damaged
    (a version written in place by an older publisher and cut off): one damaged folder must
    not stop every later run."""
    try:
        return json.loads(manifest.read_text(encoding="utf-8"))["run_id"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        warnings.warn(f"{manifest}: damaged Parquet manifest skipped ({exc!r})", stacklevel=2)
        return None


def _write_atomically(path: Path, text: str) -> None:
    """Write `path` whole or not at all: a temporary file fsynced, then renamed over it."""
    temporary = path.parent / f".{path.name}.{uuid.uuid4().hex}"
    try:
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    _fsync(path.parent)


def _published_schema(con) -> dict[str, list[tuple[str, str]]]:
    """mart -> its (column, type) pairs in order, for every mart in one query (a query per mart
    for the comments and another for the Parquet manifest were a fifth of a small
    publication's time)."""
    schema: dict[str, list[tuple[str, str]]] = {}
    for mart, column, kind in con.execute(
        "select table_name, column_name, data_type from information_schema.columns"
        " where table_catalog = current_database() and table_schema = ?"
        " order by table_name, ordinal_position", [PUBLISHED_SCHEMA],
    ).fetchall():
        schema.setdefault(mart, []).append((column, kind))
    return schema


def _comment(con, mart: str, description: dict, columns: list[tuple[str, str]]) -> None:
    table = f"{PUBLISHED_SCHEMA}.{mart}"
    if description.get("description"):
        con.execute(f"comment on table {table} is {sql_literal(description['description'])}")
    names = {name for name, _ in columns}
    for column, text in description.get("columns", {}).items():
        if text and column in names:
            con.execute(f'comment on column {table}."{column}" is {sql_literal(text)}')


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _export_parquet(con, parquet_root: Path, marts: list[PublishedMart], run_id: str,
                    published_at: datetime, descriptions: dict[str, dict],
                    schema: dict[str, list[tuple[str, str]]]) -> Path:
    """Every mart as Parquet, with a manifest, for tools that cannot read DuckDB. Written to a
    new version folder; `current` is repointed only after the DuckDB file is swapped in."""
    version = parquet_root / published_at.strftime(PARQUET_VERSION_FORMAT)
    version.mkdir(parents=True)
    try:
        _write_version(con, version, marts, run_id, published_at, descriptions, schema)
    except BaseException:
        shutil.rmtree(version, ignore_errors=True)  # a full disk: no half version is left
        raise
    return version


def _write_version(con, version: Path, marts: list[PublishedMart], run_id: str,
                   published_at: datetime, descriptions: dict[str, dict],
                   schema: dict[str, list[tuple[str, str]]]) -> None:
    manifest = {"run_id": run_id, "published_at": published_at.isoformat(), "marts": {}}
    for mart in marts:
        path = version / f"{mart.name}.parquet"
        con.execute(
            f"copy {PUBLISHED_SCHEMA}.{mart.name} to {sql_literal(str(path))}"
            f" (format parquet, kv_metadata {{run_id: {sql_literal(run_id)}}})"
        )
        columns = descriptions.get(mart.name, {}).get("columns", {})
        manifest["marts"][mart.name] = {
            "file": path.name,
            "sha256": _sha256(path),
            "rows": mart.rows,
            "content_hash": mart.content_hash,
            "description": descriptions.get(mart.name, {}).get("description", ""),
            "schema": [{"name": name, "type": kind, "description": columns.get(name, "")}
                       for name, kind in schema[mart.name]],
        }
    if any(mart.name == GEOMETRY_MART for mart in marts):
        manifest["geojson"] = _export_geojson(con, version)
    _write_atomically(version / "manifest.json",
                      json.dumps(manifest, ensure_ascii=False, indent=1))


GEOMETRY_MART = "dim_region_geometry"


def _export_geojson(con, version: Path) -> dict:
    """The region boundaries as one GeoJSON FeatureCollection per level
    (`regions_<level>.geojson`, properties keyed by region_code), for GIS and BI tools that
    draw maps from GeoJSON rather than from a geometry column."""
    files = {}
    levels = con.execute(
        f"select distinct region_level from {PUBLISHED_SCHEMA}.{GEOMETRY_MART} order by 1"
    ).fetchall()
    for (level,) in levels:
        rows = con.execute(
            "select region_code, name_zh, name_en, geometry_geojson"
            f" from {PUBLISHED_SCHEMA}.{GEOMETRY_MART} where region_level = ? order by 1",
            [level],
        ).fetchall()
        features = ",\n".join(
            json.dumps({"type": "Feature", "id": code,
                        "properties": {"region_code": code, "region_level": level,
                                       "name_zh": name_zh, "name_en": name_en},
                        "geometry": None}, ensure_ascii=False)
            .replace('"geometry": null', f'"geometry": {geometry}')
            for code, name_zh, name_en, geometry in rows
        )
        path = version / f"regions_{level}.geojson"
        path.write_text('{"type": "FeatureCollection", "features": [\n' + features + "\n]}\n")
        files[level] = {"file": path.name, "features": len(rows)}
    return files


def _point_current(version: Path, keep_seconds: float = KEEP_SECONDS) -> None:
    """Atomically repoint `parquet/current` at `version`; remove the versions replaced long
    enough ago that no reader can still be in them (see the module's docstring)."""
    link = version.parent / "current"
    temporary = version.parent / f".current-{uuid.uuid4().hex}"
    temporary.symlink_to(version.name)
    os.replace(temporary, link)
    versions = sorted(p for p in version.parent.iterdir() if p.is_dir() and not p.is_symlink()
                      and _published_at(p) is not None)
    now = datetime.now(UTC)
    for old, successor in zip(versions[:-PARQUET_VERSIONS_KEPT], versions[1:], strict=False):
        replaced_for = (now - _published_at(successor)).total_seconds()
        if replaced_for >= keep_seconds:
            shutil.rmtree(old, ignore_errors=True)


def _published_at(version: Path) -> datetime | None:
    try:
        return datetime.strptime(version.name, PARQUET_VERSION_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None  # not a version folder


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def served_version(published_db: Path) -> tuple[str, datetime] | None:
    """(run id, publication time) of the version `published_db` serves, from its
    meta.publication; None before the first publication."""
    if not published_db.exists():
        return None
    with duckdb.connect(str(published_db), read_only=True) as con:
        run_id, published_at = con.execute(
            "select any_value(run_id), max(published_at) from meta.publication"
        ).fetchone()
    return run_id, published_at.astimezone(UTC)
