"""Publish the gated marts for BI tools (only reached when every blocking gate passed)."""

import dagster as dg

from expectations.suites import all_gates
from orchestration.audit import write_run_report
from orchestration.lib import (
    DBT_PROJECT,
    OWNERS,
    PARTITIONED_TAG,
    mart_descriptions,
    published_db_path,
    work_db_path,
)
from orchestration.progress import report_failure, report_progress
from orchestration.publish import publish_marts

GATED_MARTS = list(all_gates())


@dg.asset(
    key=dg.AssetKey(["published", "tw_resas"]),
    group_name="publish",
    owners=OWNERS,
    kinds={"duckdb"},
    deps=[dg.AssetKey(["marts", mart]) for mart in GATED_MARTS],
    description="warehouse/tw_resas.duckdb: the gated marts, swapped in atomically for BI tools.",
)
def published_warehouse(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    marts = publish_marts(work_db_path(), published_db_path(), GATED_MARTS, context.run.run_id,
                          descriptions=mart_descriptions(DBT_PROJECT.manifest_path))
    report = write_run_report(context.run.run_id, published=marts, refusal=None)
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(published_db_path())),
            "parquet": dg.MetadataValue.path(str(published_db_path().parent / "parquet/current")),
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
