"""The processes that validate a run's marts side by side (GX's pandas engine keeps one core
busy), then render the run's Data Docs in one of them.

They are forked from a server process (multiprocessing's forkserver) that imported GX when it
started. `start_gate_server()` starts it at the beginning of a run, so it imports GX (3-6 s) on the
other core while the run loads its releases and raw tables; the process that runs Dagster never
imports GX. This module imports no GX itself: that process imports it. A gate process inherits
nothing of the Dagster process, so what it needs comes as arguments, and it reads its marts from
the working database itself, read-only. GX objects never cross between processes: results come
back as plain data (expectations.results), a validation's Data Docs pages as pickled bytes that
only a gate process unpickles.
"""

import multiprocessing
import pickle
import traceback
from datetime import datetime
from multiprocessing import forkserver
from pathlib import Path

import duckdb

from expectations.results import GateResult
from expectations.suites import all_gates

# what the server imports once, before it forks any gate process
PRELOADED = ["expectations.gate", "expectations.suites", "duckdb"]


class GateProcessError(Exception):
    """A gate process failed to validate a mart (not a failed gate: an error)."""


def process_context() -> multiprocessing.context.ForkServerContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOADED)
    return context


def start_gate_server() -> None:
    """Start the gate processes' server now (it imports GX in the background); a gate step
    that finds none starts it then."""
    process_context()
    forkserver.ensure_running()


# this gate process's GX project (a GateRun), the gates, and the working database it reads
# the marts from
_gate_run = None
_gates: dict = {}
_work_db: str | None = None


def start(gx_root: str, run_name: str, run_time: datetime, work_db: str) -> None:
    """Initialise a gate process: every process of the run validates under one run name and
    time, so the Data Docs list one run."""
    from expectations.gate import GateRun

    global _gate_run, _gates, _work_db
    _gate_run = GateRun(Path(gx_root), run_name=run_name, run_time=run_time)
    _gates = all_gates()
    _work_db = work_db


def prepare(marts: list[str]) -> None:
    """Add the marts' data assets to the GX project file, in one process before any other
    starts: processes validating side by side then only read that shared file."""
    for mart in marts:
        _gate_run.prepare(mart)


def validate(mart: str) -> tuple[GateResult, bytes]:
    """The mart validated by its suite, and its Data Docs pages (for `build_data_docs`). An
    error comes back as a GateProcessError with the process's traceback (GX's own errors cannot
    be unpickled)."""
    from expectations.gate import gate_frame

    try:
        gate = _gates[mart]
        with duckdb.connect(_work_db, read_only=True) as con:
            frame = gate_frame(con.table(f"marts.{mart}").to_arrow_table())
        result = _gate_run.validate(mart, frame, gate.suite(frame.dtypes), key=gate.key)
        return result, pickle.dumps(_gate_run.pages(mart))
    except Exception:
        raise GateProcessError(f"{mart}: {traceback.format_exc()}") from None


def build_data_docs(pages: dict[str, bytes]) -> None:
    """Render the Data Docs pages of the marts validated (by any gate process) and the index."""
    for mart, mart_pages in pages.items():
        _gate_run.add_pages(mart, pickle.loads(mart_pages))
    _gate_run.build_data_docs()
