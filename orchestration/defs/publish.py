"""Publish the gated marts for BI tools (only reached when every blocking gate passed)."""

import dagster as dg

from expectations.suites import all_gates
from orchestration.audit import write_run_report
from orchestration.dbt_project import DBT_PROJECT, mart_descriptions
from orchestration.policies import OWNERS, PARTITIONED_TAG
from orchestration.progress import report_failure, report_progress
from orchestration.publish import publish_marts
from orchestration.resources import Warehouse

GATED_MARTS = list(all_gates())


@dg.asset(
    key=dg.AssetKey(["published", "tw_resas"]),
    group_name="publish",
    owners=OWNERS,
    kinds={"duckdb"},
    deps=[dg.AssetKey(["marts", mart]) for mart in GATED_MARTS],
    description="warehouse/tw_resas.duckdb: the gated marts, swapped in atomically for BI tools.",
)
def published_warehouse(
    context: dg.AssetExecutionContext, warehouse: Warehouse
) -> dg.MaterializeResult:
    marts = publish_marts(warehouse.work_db, warehouse.published_db, GATED_MARTS,
                          context.run.run_id,
                          descriptions=mart_descriptions(DBT_PROJECT.manifest_path),
                          keep_seconds=warehouse.parquet_keep_seconds,
                          pause_seconds=warehouse.publish_pause_seconds)
    report = write_run_report(warehouse, context.run.run_id, published=marts, refusal=None)
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(warehouse.published_db)),
            "parquet": dg.MetadataValue.path(str(warehouse.parquet_current)),
            "quality_report": dg.MetadataValue.path(str(report)),
            "marts": dg.MetadataValue.json({m.name: m.rows for m in marts}),
            "content_hashes": dg.MetadataValue.json({m.name: m.content_hash for m in marts}),
        }
    )


warehouse_job = dg.define_asset_job(
    "warehouse",
    selection=dg.AssetSelection.all() - dg.AssetSelection.tag(PARTITIONED_TAG, "true"),
    hooks={report_progress, report_failure},
    description="Build every unpartitioned asset: raw loads, dbt models, GX gates, publish.",
)
