"""The dbt project as Dagster assets: staging, intermediate and marts, tests as asset checks."""

import os

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.lib import (
    DBT_PROJECT,
    RAW_SCHEMA,
    dbt_build_args,
    dbt_executable,
    ensure_dbt_manifest,
    expose_spark_marts,
    mart_descriptions,
    settings,
)


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
def tw_resas_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    settings.warehouse_dir().mkdir(parents=True, exist_ok=True)
    # the run that publishes the build; fct_indicator_value_history records it (env_var: dbt
    # inherits the environment, and the args stay the ones tests may wrap)
    os.environ["TWRESAS_RUN_ID"] = context.run.run_id
    yield from dbt.cli(dbt_build_args(), context=context).stream()
    if settings.dbt_target() == "spark":
        exposed = expose_spark_marts(mart_descriptions(DBT_PROJECT.manifest_path))
        context.log.info(f"marts built on Spark, exposed to the gates: {', '.join(exposed)}")


defs = dg.Definitions(
    assets=[tw_resas_dbt_models],
    resources={"dbt": DbtCliResource(project_dir=DBT_PROJECT, dbt_executable=dbt_executable())},
)
