"""The audit step of write-audit-publish: every gated mart is validated by its GX suite in a
blocking asset check, so a failure stops the publish asset downstream.

The checks are one step (a multi-asset check that can run any subset of them): the marts are
validated by two gate processes side by side (GX's pandas engine keeps one core busy), largest
mart first, and the run's Data Docs are rendered once at the end, not once per mart. The gate
processes are forked from a server that imported GX (expectations.processes): this process,
which runs Dagster, imports no GX."""

from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from expectations import processes
from expectations.suites import all_gates
from orchestration.audit import write_gate_report
from orchestration.progress import GATES_STEP, gates_line
from orchestration.resources import Warehouse

GATES = all_gates()
GATE_PROCESSES = 2


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
    # read-only, which also ends this process's hold on the working database: the gate
    # processes read the marts from it themselves, read-only too
    with warehouse.connect_work_db(read_only=True) as con:
        rows = dict(con.execute(
            "select table_name, estimated_size from duckdb_tables() where schema_name = 'marts'"
        ).fetchall())
    largest_first = sorted(selected, key=lambda mart: -rows.get(mart, 0))
    results, pages = [], {}
    with ProcessPoolExecutor(
        max_workers=max(1, min(GATE_PROCESSES, len(selected))),
        mp_context=processes.process_context(),
        initializer=processes.start,
        initargs=(str(warehouse.gx_dir), context.run.run_id, datetime.now(UTC),
                  str(warehouse.work_db)),
    ) as pool:
        pool.submit(processes.prepare, selected).result()
        try:
            for result, mart_pages in pool.map(processes.validate, largest_first):
                results.append(result)
                pages[result.mart] = mart_pages
        finally:
            # the pages of every mart validated, also when a later one raised
            if pages:
                pool.submit(processes.build_data_docs, pages).result()
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
