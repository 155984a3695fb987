"""The auditors' record of a run: one JSON report per run with, for every gated mart, what
its gate evaluated and found, the raw files the warehouse was built from, and the version it
published or why publication was refused."""

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path

from orchestration.raw import RAW_SCHEMA
from orchestration.resources import Warehouse
from sources.jsonsafe import json_safe


def write_gate_report(warehouse: Warehouse, run_id: str, result) -> Path:
    """Keep one machine-readable gate result per mart and run, for auditors."""
    folder = warehouse.quality_dir(run_id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{result.mart}.json"
    path.write_text(json.dumps(json_safe(dataclasses.asdict(result)), ensure_ascii=False,
                               indent=1, allow_nan=False))
    return path


def raw_files_used(warehouse: Warehouse) -> dict[str, list[str]]:
    """source id -> sha256 of every landed file whose rows are in the raw tables.

    Raw tables carry the file's sha256 as `_raw_sha256` (with `_source_id`) or, for a loader
    that keeps a table of files (實價登錄's `lvr_land_files`), as `raw_sha256`; the landing
    manifest names the source of a sha256 that has no `_source_id` beside it."""
    used: dict[str, set[str]] = {}
    source_of = {row["sha256"]: row["source_id"] for row in warehouse.landing_zone().manifest()
                 if row.get("sha256")}
    if not warehouse.work_db.exists():  # a run refused before it loaded anything
        return {}
    with warehouse.connect_work_db(read_only=True) as con:
        columns = con.execute(
            "select table_name, column_name from information_schema.columns"
            " where table_schema = ? and column_name in ('_raw_sha256', 'raw_sha256')",
            [RAW_SCHEMA],
        ).fetchall()
        for table, column in columns:
            if column == "_raw_sha256":
                query = f'select distinct _source_id, _raw_sha256 from {RAW_SCHEMA}."{table}"'
            elif table.endswith("_files"):  # a loader's table of the files it loaded
                query = f'select distinct null, raw_sha256 from {RAW_SCHEMA}."{table}"'
            else:  # e.g. the published history read back: not a file of this build
                continue
            for source_id, sha in con.execute(query).fetchall():
                if sha is None:
                    continue
                source_id = source_id or source_of.get(sha, f"unknown (raw.{table})")
                used.setdefault(source_id, set()).add(sha)
    return {source: sorted(shas) for source, shas in sorted(used.items())}


def write_run_report(warehouse: Warehouse, run_id: str, *, published: list | None,
                     refusal: str | None) -> Path:
    folder = warehouse.quality_dir(run_id)
    folder.mkdir(parents=True, exist_ok=True)
    gates = {
        path.stem: json.loads(path.read_text())
        for path in sorted(folder.glob("*.json"))
        if path.name != "report.json"
    }
    report = {
        "run_id": run_id,
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "published": published is not None,
        "refusal": refusal,
        "published_marts": {m.name: {"rows": m.rows, "content_hash": m.content_hash}
                            for m in published or []},
        "gates": {
            mart: {
                "success": gate["success"],
                "rows": gate["rows"],
                "evaluated": len(gate["outcomes"]),
                "failed": [o for o in gate["outcomes"] if not o["success"]],
                "data_docs": gate["data_docs"],
            }
            for mart, gate in gates.items()
        },
        "raw_files": raw_files_used(warehouse),
    }
    path = folder / "report.json"
    path.write_text(json.dumps(json_safe(report), ensure_ascii=False, indent=1, allow_nan=False))
    return path
