"""The dbt project as Dagster assets: staging, intermediate and marts, tests as asset checks."""

import json

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.dbt_manifest import prepared_manifest
from orchestration.dbt_project import (
    DBT_PROJECT,
    dbt_build_args,
    dbt_cli,
    dbt_environment,
    expose_spark_marts,
    mart_descriptions,
    prune_command_targets,
)
from orchestration.policies import OWNERS
from orchestration.progress import dbt_log_path, dbt_output_to, dbt_phase_lines
from orchestration.raw import RAW_SCHEMA
from orchestration.resources import Warehouse


class TwResasTranslator(DagsterDbtTranslator):
    """dbt sources are the raw tables Dagster lands (`raw.<source id>`); models are grouped by
    the domain named in their folder's `meta.dagster.group` (dbt_project.yml) and owned by the
    team that owns every asset."""

    def get_asset_key(self, dbt_resource_props) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([RAW_SCHEMA, dbt_resource_props["identifier"]])
        return super().get_asset_key(dbt_resource_props)

    def get_owners(self, dbt_resource_props) -> list[str]:
        return OWNERS


@dbt_assets(
    manifest=prepared_manifest(),
    project=DBT_PROJECT,
    dagster_dbt_translator=TwResasTranslator(),
)
def tw_resas_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse
):
    warehouse.warehouse_dir.mkdir(parents=True, exist_ok=True)
    # a line per node would bury the run's progress: they go to a log, the console gets a
    # line per phase with counts
    log = dbt_log_path(warehouse.logs_dir, context.run.run_id)
    print(f"  dbt build: its line per model and test goes to {log}", flush=True)
    # the warehouse's home and this run's id reach dbt as env_var()s (the args stay the ones
    # tests may wrap)
    spark = warehouse.dbt_target == "spark"
    warehouse.release_work_db()  # dbt's process opens the file for writing
    with dbt_environment(warehouse.root, context.run.run_id,
                         warehouse.spark_driver_memory if spark else None):
        invocation = dbt.cli(dbt_build_args(warehouse.dbt_target), context=context)
    try:
        with dbt_output_to(log):
            yield from invocation.stream()
    finally:
        results = invocation.target_path / "run_results.json"
        if results.exists():  # dbt writes none when it stops before building (a parse error)
            print("\n".join(dbt_phase_lines(json.loads(results.read_text()))), flush=True)
        prune_command_targets(invocation.target_path, context.op_execution_context.op.name)
    if spark:
        exposed = expose_spark_marts(warehouse, mart_descriptions(DBT_PROJECT.manifest_path))
        context.log.info(f"marts built on Spark, exposed to the gates: {', '.join(exposed)}")


defs = dg.Definitions(
    assets=[tw_resas_dbt_models],
    resources={"dbt": dbt_cli()},
)
