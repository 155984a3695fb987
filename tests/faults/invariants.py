"""The three invariants of issue 5, checked by every fault case, and the record of each case
from which the suite's summary (faults injected, survived, rows lost) is computed.

1. The error is one line naming the source, the URL or file, and the problem.
2. Nothing is lost: the bytes received are in the landing zone with a manifest row; rejected
   rows are in the quarantine with a reason (rows in = rows published + rows quarantined).
3. The published database is exactly the last good one unless the new build passed the gate.
"""

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from sources.landing import LandingZone


@dataclass
class FaultCase:
    fault: str
    checked: list[str] = field(default_factory=list)
    rows_in: int = 0
    rows_accounted: int = 0
    survived: bool = False  # set from the test's outcome by tests/faults/conftest.py


@dataclass(frozen=True)
class Publication:
    """What a reader sees: the file's bytes, and each mart's row count and content hash."""

    sha256: str
    marts: dict[str, tuple[int, str]]
    run_id: str


def error_is_one_line(case: FaultCase, error, *, source_id: str, location: str, problem: str):
    """Invariant 1. `problem` is a regular expression the message must match."""
    message = str(error)
    assert "\n" not in message.strip(), f"error spans lines: {message!r}"
    assert source_id in message, f"error does not name the source {source_id}: {message}"
    assert location in message, f"error does not name {location}: {message}"
    assert re.search(problem, message), f"error does not say {problem!r}: {message}"
    case.checked.append("one-line error")
    return message


def raw_bytes_kept(
    case: FaultCase, home: Path, source_id: str, body: bytes, *, accepted: bool,
    http_status: int | None, problem: str | None = None,
) -> dict:
    """Invariant 2 (bytes): the last manifest row of `source_id` describes exactly `body`, and
    `body` is in the landing zone under its hash (nothing is stored for an empty body)."""
    rows = [r for r in LandingZone(home / "landing").manifest() if r["source_id"] == source_id]
    assert rows, f"no manifest row for {source_id}"
    row = rows[-1]
    assert row["accepted"] is accepted, row
    assert row["http_status"] == http_status, row
    assert row["bytes"] == len(body), row
    if problem is not None:
        assert re.search(problem, row["problem"] or ""), row
    if body:
        assert row["sha256"] == hashlib.sha256(body).hexdigest(), row
        path = Path(row["path"])
        assert path.parent == home / "landing" / source_id, path
        assert path.read_bytes() == body
    else:
        assert row["sha256"] is None and row["path"] is None, row
    case.checked.append("raw bytes kept")
    return row


def rows_accounted(case: FaultCase, *, rows_in: int, published: int, quarantined: int) -> None:
    """Invariant 2 (rows): every row a source file carried is published or quarantined."""
    case.rows_in += rows_in
    case.rows_accounted += published + quarantined
    assert published + quarantined == rows_in, (
        f"{rows_in} rows in, {published} published + {quarantined} quarantined"
    )
    case.checked.append("rows accounted")


def publication(home: Path) -> Publication | None:
    path = home / "warehouse" / "tw_resas.duckdb"
    if not path.exists():
        return None
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute("select mart, row_count, content_hash, run_id from meta.publication")
        rows = rows.fetchall()
    return Publication(digest, {m: (n, h) for m, n, h, _ in rows}, rows[0][3])


def published_unchanged(case: FaultCase, home: Path, before: Publication) -> None:
    """Invariant 3 when the fault stopped the build: byte-identical to the last good file."""
    assert before is not None, "the case needs a last good publication to protect"
    assert publication(home) == before, "the published database changed"
    case.checked.append("published unchanged")


def published_by_gated_run(case: FaultCase, home: Path, result) -> Publication:
    """Invariant 3 when the build went through: it passed every gate, and what is published is
    that run's build, whole (row counts as recorded, every mart present)."""
    evaluations = result.get_asset_check_evaluations()
    gates = [e for e in evaluations if e.check_name.startswith("gx_")]
    assert gates and all(e.passed for e in gates), [e.check_name for e in gates if not e.passed]
    after = publication(home)
    assert after is not None and after.run_id == result.run_id
    with duckdb.connect(str(home / "warehouse" / "tw_resas.duckdb"), read_only=True) as con:
        for mart, (rows, _) in after.marts.items():
            assert con.execute(f"select count(*) from marts.{mart}").fetchone()[0] == rows
    assert {g.asset_key.path[-1] for g in gates} == set(after.marts)
    case.checked.append("published only after the gate")
    return after


def landing_consistent(case: FaultCase, home: Path) -> list[dict]:
    """Invariant 2 when the fault hit the disk itself: every manifest line parses, no
    `.incoming-*` file is left, and every body in the landing zone has a manifest row."""
    zone = LandingZone(home / "landing")
    rows = zone.manifest()
    assert zone.damaged_lines == [], f"damaged manifest lines {zone.damaged_lines}"
    assert not list((home / "landing").glob("*/.incoming-*")), "an incomplete body was left"
    recorded = {Path(r["path"]) for r in rows if r["path"]}
    bodies = {p for p in (home / "landing").glob("*/*") if p.is_file()}
    assert bodies <= recorded, f"bodies without a manifest row: {sorted(bodies - recorded)}"
    case.checked.append("no body without a record")
    return rows
