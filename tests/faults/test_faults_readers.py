"""A BI reader querying the published database in a loop while it is republished 20 times
(orchestration.publish.publish_marts on two working databases in turn) never sees a missing
table, a query error, or a mix of two versions. The two versions hold every gated mart of the
session's build, a few rows of each (tests/faults/mart_samples.py): the same swap, 20 times in
seconds.

DuckDB opens the database path three times while connecting (seen with strace), so a connect
that straddles the rename can fail with a serialization error: DuckDB notices the two files
and refuses, it never returns mixed data. Such a connect is retried, as a BI tool's pool does,
and counted; every error after a connection is open fails the test."""

import json
import threading
import time
from pathlib import Path

import duckdb
import invariants as inv
import pytest
from mart_samples import mart_samples

from orchestration.defs.publish import GATED_MARTS
from orchestration.publish import content_hash_sql, publish_marts

pytestmark = [pytest.mark.faults, pytest.mark.pipeline]

PUBLICATIONS = 20
CHECKED_MART = "fct_population_structure"  # hashed on every read


def two_versions(pipeline_home: Path, warehouse: Path, drop_every: int) -> tuple[Path, Path]:
    """Two working databases under `warehouse`: mart_samples() of the session's build, and the
    same less every `drop_every`-th row (a version that differs in every mart)."""
    built = pipeline_home / "warehouse" / "work.duckdb"
    return (mart_samples(built, warehouse / "work.duckdb"),
            mart_samples(built, warehouse / "work_b.duckdb", drop_every))


CONNECT_RETRIES: list[str] = []


def connect_read_only(path, attempts: int = 3) -> duckdb.DuckDBPyConnection:
    for attempt in range(attempts):
        try:
            return duckdb.connect(str(path), read_only=True)
        except (duckdb.SerializationException, duckdb.IOException) as exc:
            if attempt == attempts - 1:
                raise
            CONNECT_RETRIES.append(f"{type(exc).__name__}: {exc}")


def read_once(path) -> tuple[str, dict[str, tuple[int, str]]]:
    """One reader session, as a BI tool opens it: the version's run id and, per mart, the
    rows actually there and the content hash the publication recorded."""
    with connect_read_only(path) as con:
        recorded = con.execute("select mart, row_count, content_hash, run_id from meta.publication")
        recorded = recorded.fetchall()
        run_ids = {run_id for *_, run_id in recorded}
        assert len(run_ids) == 1, f"meta.publication mixes runs {run_ids}"
        seen = {}
        for mart, rows, digest, _ in recorded:
            (actual,) = con.execute(f"select count(*) from marts.{mart}").fetchone()
            assert actual == rows, f"{mart}: {actual} rows, the publication says {rows}"
            seen[mart] = (rows, digest)
        (actual_hash,) = con.execute(content_hash_sql(f"marts.{CHECKED_MART}")).fetchone()
        assert actual_hash == seen[CHECKED_MART][1], f"{CHECKED_MART} content is not its hash"
    return run_ids.pop(), seen


def test_readers_see_one_whole_version_during_20_publications(pipeline_home, twresas_home,
                                                                case):
    home = twresas_home
    warehouse = home / "warehouse"
    published = warehouse / "tw_resas.duckdb"
    work_a, work_b = two_versions(pipeline_home, warehouse, drop_every=7)
    publish_marts(work_a, published, GATED_MARTS, "last-good")

    stop = threading.Event()
    reads: list[tuple[str, dict]] = []
    errors: list[str] = []

    def reader():
        while not stop.is_set():
            try:
                reads.append(read_once(published))
            except Exception as exc:  # a reader must never fail: every failure is recorded
                errors.append(f"{type(exc).__name__}: {exc}")

    thread = threading.Thread(target=reader, name="bi-reader")
    thread.start()
    versions = {}
    try:
        for i in range(PUBLICATIONS):
            work = work_a if i % 2 == 0 else work_b
            run_id = f"publication-{i:02d}"
            marts = publish_marts(work, published, GATED_MARTS, run_id)
            versions[run_id] = {m.name: (m.rows, m.content_hash) for m in marts}
    finally:
        stop.set()
        thread.join(timeout=60)

    assert errors == [], errors[:5]
    assert len(reads) >= PUBLICATIONS, f"only {len(reads)} reads: the reader hardly ran"
    print(f"\nreaders: {len(reads)} reads during {PUBLICATIONS} publications,"
          f" {len(CONNECT_RETRIES)} connect(s) retried")
    for read_run_id, seen in reads:
        if read_run_id in versions:  # else: the last good file, read before the first swap
            assert seen == versions[read_run_id], f"read of {read_run_id} mixes versions"
    seen_versions = {read_run_id for read_run_id, _ in reads} & set(versions)
    assert len(seen_versions) >= 2, "the reader should have seen successive versions"
    assert len({tuple(sorted(v.items())) for v in versions.values()}) == 2
    assert not list(warehouse.glob(".tw_resas.*.duckdb*"))
    last = inv.publication(home)
    assert (last.run_id, last.marts) == (run_id, versions[run_id])
    case.checked.append("readers saw whole versions")


PARQUET_PUBLICATIONS = 10


def read_parquet_version(parquet_root) -> tuple[str, set[str]]:
    """One Parquet reader session done right: resolve `current` once, then read the manifest
    and every file from that version folder. (run_id of the manifest, run_ids of the files.)"""
    version = (parquet_root / "current").resolve()
    manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
    seen = set()
    with duckdb.connect() as con:
        for mart, entry in manifest["marts"].items():
            path = str(version / entry["file"])
            (rows,) = con.execute("select count(*) from read_parquet(?)", [path]).fetchone()
            assert rows == entry["rows"], f"{mart}: {rows} rows, the manifest says {entry['rows']}"
            (run_id,) = con.execute(
                "select decode(value) from parquet_kv_metadata(?) where decode(key) = 'run_id'",
                [path]).fetchone()
            seen.add(run_id)
    return manifest["run_id"], seen


def test_parquet_readers_see_one_version_during_publications(pipeline_home, twresas_home,
                                                             case):
    """Readers resolving `current` once read one publication's files, every time, while it
    is repointed 10 times; the versions they resolved are not removed under them."""
    warehouse = twresas_home / "warehouse"
    work_a, work_b = two_versions(pipeline_home, warehouse, drop_every=5)
    publish_marts(work_a, warehouse / "tw_resas.duckdb", GATED_MARTS, "parquet-start")

    stop = threading.Event()
    reads: list[tuple[str, set[str]]] = []
    errors: list[str] = []

    def reader():
        deadline = time.monotonic() + 900
        while not stop.is_set() and time.monotonic() < deadline and len(reads) < 5000:
            try:
                reads.append(read_parquet_version(warehouse / "parquet"))
            except Exception as exc:
                errors.append(f"{type(exc).__name__}: {exc}")

    thread = threading.Thread(target=reader, name="parquet-reader")
    thread.start()
    try:
        for i in range(PARQUET_PUBLICATIONS):
            publish_marts(work_a if i % 2 else work_b, warehouse / "tw_resas.duckdb",
                          GATED_MARTS, f"parquet-{i:02d}")
    finally:
        stop.set()
        thread.join(timeout=120)

    assert errors == [], errors[:5]
    assert len(reads) >= PARQUET_PUBLICATIONS, f"only {len(reads)} reads: the reader hardly ran"
    mixed = [(run_id, files) for run_id, files in reads if files != {run_id}]
    assert mixed == [], f"{len(mixed)} of {len(reads)} reads mixed versions: {mixed[:3]}"
    assert len({run_id for run_id, _ in reads}) >= 2, "the reader should see several versions"
    print(f"\nparquet readers: {len(reads)} reads during {PARQUET_PUBLICATIONS} publications,"
          " each of one version")
    case.checked.append("readers saw one version")
