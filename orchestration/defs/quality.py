"""The audit step of write-audit-publish: every gated mart is validated by its GX suite in a
blocking asset check, so a failure stops the publish asset downstream.

The checks are one step (a multi-asset check that can run any subset of them): the marts are
validated in one GX project context and the run's Data Docs are rendered once at the end, not
once per mart."""

from pathlib import Path

import dagster as dg

from expectations.gate import GateRun, gate_frame
from expectations.suites import all_gates
from orchestration.audit import write_gate_report
from orchestration.progress import GATES_STEP, gates_line
from orchestration.resources import Warehouse

GATES = all_gates()


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
    results = []
    try:
        for mart in selected:
            gate = GATES[mart]
            with warehouse.connect_work_db(read_only=True) as con:
                frame = gate_frame(con.sql(f"select * from marts.{mart}").to_arrow_table())
            results.append(gate_run.validate(mart, frame, gate.suite(frame.dtypes), key=gate.key))
            del frame
    finally:
        # the pages of every mart validated, also when a later one raised
        gate_run.build_data_docs()
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
