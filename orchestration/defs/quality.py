"""The audit step of write-audit-publish: every gated mart is validated by its GX suite in a
blocking asset check, so a failure stops the publish asset downstream."""

from pathlib import Path

import dagster as dg

from expectations.gate import GateResult, validate_mart
from expectations.suites import MartGate, all_gates
from orchestration.audit import write_gate_report
from orchestration.resources import Warehouse


def _gate_check(gate: MartGate) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(["marts", gate.mart]),
        name=f"gx_{gate.mart}",
        blocking=True,
        description=f"Great Expectations suite {gate.mart}_suite; blocks publication on failure.",
    )
    def _check(
        context: dg.AssetCheckExecutionContext, warehouse: Warehouse
    ) -> dg.AssetCheckResult:
        with warehouse.connect_work_db(read_only=True) as con:
            frame = con.execute(f"select * from marts.{gate.mart}").df()
        result: GateResult = validate_mart(gate.mart, frame, gate.suite(),
                                           gx_root=warehouse.gx_dir, key=gate.key,
                                           run_name=context.run.run_id)
        report = write_gate_report(warehouse, context.run.run_id, result)
        if not result.success:
            context.log.error(f"{gate.mart} failed its gate: {result.describe_failures()}")
        return dg.AssetCheckResult(
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

    return _check


gate_checks = [_gate_check(gate) for gate in all_gates().values()]
