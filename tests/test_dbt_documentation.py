"""Every column of every intermediate model is described in its YAML. dbt-score checks only the
columns a YAML declares, so a column added to a model without a YAML entry would pass it unseen;
the built warehouse says which columns each model really has."""

import json

import duckdb
import pytest

from orchestration.dbt_manifest import prepared_manifest

pytestmark = pytest.mark.pipeline


def test_every_intermediate_column_is_described(pipeline_home):
    manifest = json.loads(prepared_manifest().read_text())
    intermediate = [node for node in manifest["nodes"].values()
                    if node["resource_type"] == "model" and node["schema"] == "intermediate"]
    described = {
        node["name"]: {name for name, column in node["columns"].items()
                       if column["description"].strip()}
        for node in intermediate
    }
    work_db = pipeline_home / "warehouse" / "work.duckdb"
    with duckdb.connect(str(work_db), read_only=True) as con:
        columns = con.execute(
            "select table_name, column_name from information_schema.columns"
            " where table_schema = 'intermediate' order by table_name, ordinal_position"
        ).fetchall()
    undescribed = [f"{model}.{column}" for model, column in columns
                   if column not in described.get(model, set())]
    assert {model for model, _ in columns} == set(described)  # every one was built
    assert undescribed == []
