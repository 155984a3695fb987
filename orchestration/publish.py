"""Publish (the last step of write-audit-publish): copy the gated marts into a new DuckDB file
and rename it over `warehouse/tw_resas.duckdb`.

Readers opening the published file see the previous version or the new one, never a mix: the
new file is complete and fsynced before the atomic rename, and an open reader keeps the inode
it opened.
"""

import fcntl
import os
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

PUBLISHED_SCHEMA = "marts"


@dataclass(frozen=True)
class PublishedMart:
    name: str
    rows: int
    content_hash: str


@contextmanager
def exclusive_lock(lock_path: Path, *, wait: bool = True):
    """An OS file lock (released by the kernel if the process dies, so SIGKILL leaves none)."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as handle:
        flags = fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB)
        try:
            fcntl.flock(handle, flags)
        except BlockingIOError as exc:
            raise RuntimeError(
                f"another TW-RESAS run holds {lock_path}; wait for it to finish"
            ) from exc
        yield


def content_hash_sql(table: str) -> str:
    """Order-independent hash of a table's rows (same rows -> same hash, whatever the order)."""
    return (
        "select coalesce(md5(string_agg(row_hash, ',' order by row_hash)), md5('')) from "
        f"(select md5(cast(t as varchar)) as row_hash from {table} as t)"
    )


def publish_marts(
    work_db: Path, published_db: Path, marts: list[str], run_id: str
) -> list[PublishedMart]:
    """Copy `marts` from the working database into a fresh file, then rename it into place."""
    published_db.parent.mkdir(parents=True, exist_ok=True)
    staging_file = published_db.parent / f".{published_db.stem}.{uuid.uuid4().hex}.duckdb"
    published: list[PublishedMart] = []
    try:
        with duckdb.connect(str(staging_file)) as con:
            con.execute(f"attach '{work_db}' as work (read_only)")
            con.execute(f"create schema {PUBLISHED_SCHEMA}")
            for mart in marts:
                table = f"{PUBLISHED_SCHEMA}.{mart}"
                con.execute(f"create table {table} as select * from work.{PUBLISHED_SCHEMA}.{mart}")
                rows = con.execute(f"select count(*) from {table}").fetchone()[0]
                digest = con.execute(content_hash_sql(table)).fetchone()[0]
                published.append(PublishedMart(mart, rows, digest))
            con.execute("detach work")
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
        _fsync(staging_file)
        with exclusive_lock(published_db.parent / ".publish.lock"):
            os.replace(staging_file, published_db)
            _fsync(published_db.parent)
    finally:
        staging_file.unlink(missing_ok=True)
        Path(f"{staging_file}.wal").unlink(missing_ok=True)
    return published


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
