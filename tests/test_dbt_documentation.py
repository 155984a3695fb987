"""Every column of every intermediate model, and every macro of the project with its arguments,
is described in its YAML. dbt-score checks only the columns and arguments a YAML declares, so
a column or an argument without a YAML entry would pass it unseen: the built warehouse says
which columns each model really has, the macro's own signature which arguments it takes."""

import json

import duckdb
import jinja2.nodes
import pytest
from dbt_common.clients.jinja import get_environment

from orchestration.dbt_manifest import prepared_manifest


def project_manifest() -> dict:
    return json.loads(prepared_manifest().read_text())


def signature(macro_sql: str) -> list[str]:
    """The argument names of the one macro (or generic test) a macro node's SQL defines, as
    dbt's Jinja parses it."""
    (macro,) = get_environment().parse(macro_sql).find_all(jinja2.nodes.Macro)
    return [argument.name for argument in macro.args]


def test_every_macro_and_its_arguments_are_described():
    macros = [macro for macro in project_manifest()["macros"].values()
              if macro["package_name"] == "tw_resas"]
    undescribed = sorted(macro["name"] for macro in macros if not macro["description"].strip())
    arguments_unlike_signature = sorted(
        f"{macro['name']}: YAML {[a['name'] for a in macro['arguments']]}, "
        f"macro {signature(macro['macro_sql'])}"
        for macro in macros
        if [a["name"] for a in macro["arguments"]] != signature(macro["macro_sql"])
    )
    arguments_undescribed = sorted(
        f"{macro['name']}.{argument['name']}" for macro in macros
        for argument in macro["arguments"] if not argument.get("description", "").strip())
    assert len(macros) > 50  # the project's macros were found
    assert undescribed == []
    assert arguments_unlike_signature == []
    assert arguments_undescribed == []


@pytest.mark.pipeline
def test_every_intermediate_column_is_described(pipeline_home):
    manifest = project_manifest()
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
