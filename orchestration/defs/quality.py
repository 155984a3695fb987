"""The audit step of write-audit-publish: every gated mart is validated by its GX suite in a
blocking asset check, so a failure stops the publish asset downstream.

The checks are one step (a multi-asset check that can run any subset of them): the marts are
validated by two processes side by side (GX's pandas engine keeps one core busy), largest mart
first, and the run's Data Docs are rendered once at the end, not once per mart."""

import multiprocessing
import traceback
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from pathlib import Path

import dagster as dg
import pyarrow as pa

from expectations.gate import GateResult, GateRun, gate_frame
from expectations.suites import all_gates
from orchestration.audit import write_gate_report
from orchestration.progress import GATES_STEP, gates_line
from orchestration.resources import Warehouse

GATES = all_gates()
GATE_PROCESSES = 2


class GateProcessError(Exception):
    """A gate process failed to validate a mart (not a failed gate: an error)."""


# what a gate process validates with: its GX context and the marts, inherited from the step
_process_gate_run: GateRun | None = None
_process_tables: dict[str, pa.Table] = {}


def _start_gate_process(gx_dir: Path, run_name: str, run_time: datetime,
                        tables: dict[str, pa.Table]) -> None:
    global _process_gate_run, _process_tables
    _process_gate_run = GateRun(gx_dir, run_name=run_name, run_time=run_time)
    _process_tables = tables


def _validate_mart(mart: str) -> tuple[GateResult, list]:
    """In a gate process: the mart validated by its suite. An error comes back as a
    GateProcessError with the process's traceback (GX's own errors cannot be unpickled)."""
    try:
        gate = GATES[mart]
        frame = gate_frame(_process_tables[mart])
        result = _process_gate_run.validate(mart, frame, gate.suite(frame.dtypes), key=gate.key)
        return result, _process_gate_run.pages(mart)
    except Exception:
        raise GateProcessError(f"{mart}: {traceback.format_exc()}") from None


def _check_key(mart: str) -> dg.AssetCheckKey:
    return dg.AssetCheckKey(dg.AssetKey(["marts", mart]), f"gx_{mart}")


@dg.multi_asset_check(
    name=GATES_STEP,
    specs=[
        dg.AssetCheckSpec(
            name=_check_key(mart).name,
            asset=_check_key(mart).asset_key,
            blocking=True,
            description=f"Great Expectations suite {mart}_suite; blocks publication on failure.",
        )
        for mart in GATES
    ],
    can_subset=True,
)
def gx_gates(context: dg.AssetCheckExecutionContext, warehouse: Warehouse):
    selected = [mart for mart in GATES if _check_key(mart) in context.selected_asset_check_keys]
    gate_run = GateRun(warehouse.gx_dir, run_name=context.run.run_id)
    for mart in selected:
        gate_run.prepare(mart)
    # read here, before the processes are forked: they inherit the tables (nothing is copied)
    # and never use DuckDB, whose state a forked process must not reuse
    with warehouse.connect_work_db(read_only=True) as con:
        tables = {mart: con.sql(f"select * from marts.{mart}").to_arrow_table()
                  for mart in selected}
    largest_first = sorted(selected, key=lambda mart: -tables[mart].num_rows)
    results = []
    try:
        # forked, not spawned: GX is imported already (a spawned process takes seconds to
        # import it)
        with ProcessPoolExecutor(
            max_workers=max(1, min(GATE_PROCESSES, len(selected))),
            mp_context=multiprocessing.get_context("fork"),
            initializer=_start_gate_process,
            initargs=(warehouse.gx_dir, context.run.run_id, gate_run.run_id.run_time, tables),
        ) as pool:
            for result, pages in pool.map(_validate_mart, largest_first):
                gate_run.add_pages(result.mart, pages)
                results.append(result)
    finally:
        # the pages of every mart validated, also when a later one raised
        gate_run.build_data_docs()
    results.sort(key=lambda result: selected.index(result.mart))
    print(gates_line({result.mart: result.success for result in results}), flush=True)
    for result in results:
        report = write_gate_report(warehouse, context.run.run_id, result)
        if not result.success:
            context.log.error(f"{result.mart} failed its gate: {result.describe_failures()}")
        yield dg.AssetCheckResult(
            asset_key=_check_key(result.mart).asset_key,
            check_name=_check_key(result.mart).name,
            passed=result.success,
            severity=dg.AssetCheckSeverity.ERROR,
            description=result.describe_failures() or "all expectations met",
            metadata={
                "rows": result.rows,
                "expectations": len(result.outcomes),
                "failed": len(result.failures),
                # this run's validation page (a file:// link: the site is static files)
                "data_docs": dg.MetadataValue.url(Path(result.data_docs).as_uri()),
                "report": dg.MetadataValue.path(str(report)),
            },
        )
