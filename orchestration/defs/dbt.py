"""The dbt project as Dagster assets: staging, intermediate and marts, tests as asset checks."""

import json
import os

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.dbt_manifest import prepared_manifest
from orchestration.lib import (
    DBT_PROJECT,
    OWNERS,
    RAW_SCHEMA,
    dbt_build_args,
    dbt_executable,
    settings,
)
from orchestration.progress import dbt_log_path, dbt_output_to, dbt_phase_lines


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
def tw_resas_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    settings.warehouse_dir().mkdir(parents=True, exist_ok=True)
    # the run that publishes the build; fct_indicator_value_history records it (env_var: dbt
    # inherits the environment, and the args stay the ones tests may wrap)
    os.environ["TWRESAS_RUN_ID"] = context.run.run_id
    # a line per node would bury the run's progress: they go to a log, the console gets a
    # line per phase with counts
    log = dbt_log_path(context.run.run_id)
    print(f"  dbt build: its line per model and test goes to {log}", flush=True)
    invocation = dbt.cli(dbt_build_args(), context=context)
    try:
        with dbt_output_to(log):
            yield from invocation.stream()
    finally:
        results = invocation.target_path / "run_results.json"
        if results.exists():  # dbt writes none when it stops before building (a parse error)
            print("\n".join(dbt_phase_lines(json.loads(results.read_text()))), flush=True)


defs = dg.Definitions(
    assets=[tw_resas_dbt_models],
    resources={"dbt": DbtCliResource(project_dir=DBT_PROJECT, dbt_executable=dbt_executable())},
)
