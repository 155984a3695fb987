"""The dbt project as Dagster assets: staging, intermediate and marts, tests as asset checks."""

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.dbt_project import (
    DBT_PROJECT,
    dbt_build_args,
    dbt_environment,
    dbt_executable,
    ensure_dbt_manifest,
)
from orchestration.raw import RAW_SCHEMA
from orchestration.resources import Warehouse


class TwResasTranslator(DagsterDbtTranslator):
    """dbt sources are the raw tables Dagster lands (`raw.<source id>`); models are grouped by
    the domain named in their folder's `meta.dagster.group` (dbt_project.yml)."""

    def get_asset_key(self, dbt_resource_props) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([RAW_SCHEMA, dbt_resource_props["identifier"]])
        return super().get_asset_key(dbt_resource_props)


@dbt_assets(
    manifest=ensure_dbt_manifest(),
    project=DBT_PROJECT,
    dagster_dbt_translator=TwResasTranslator(),
)
def tw_resas_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse
):
    warehouse.warehouse_dir.mkdir(parents=True, exist_ok=True)
    # the warehouse's home and this run's id reach dbt as env_var()s (the args stay the ones
    # tests may wrap)
    with dbt_environment(warehouse.root, context.run.run_id):
        invocation = dbt.cli(dbt_build_args(), context=context)
    yield from invocation.stream()


defs = dg.Definitions(
    assets=[tw_resas_dbt_models],
    resources={"dbt": DbtCliResource(project_dir=DBT_PROJECT, dbt_executable=dbt_executable())},
)
