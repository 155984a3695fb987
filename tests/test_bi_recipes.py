"""docs/bi.md is tested as written: its Python recipes run, its SQL runs through SQLAlchemy and
duckdb-engine (as Superset runs it) and returns rows."""

import re
import shutil

import pytest
import sqlalchemy

from sources.settings import PROJECT_ROOT

pytestmark = pytest.mark.pipeline

BI_DOC = (PROJECT_ROOT / "docs" / "bi.md").read_text(encoding="utf-8")
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", BI_DOC, flags=re.S)
SQL_BLOCKS = re.findall(r"```sql\n(.*?)```", BI_DOC, flags=re.S)


@pytest.fixture(scope="module")
def warehouse_copy(pipeline_home, tmp_path_factory):
    """A byte copy of the published folder: this module's readers open it with their own
    settings, which DuckDB refuses on a file the session's `published` fixture holds open."""
    copy = tmp_path_factory.mktemp("bi") / "warehouse"
    shutil.copytree(pipeline_home / "warehouse", copy, symlinks=True,
                    ignore=shutil.ignore_patterns("quality", "*.wal", ".*"))
    return copy


def test_the_doc_has_recipes_to_run():
    assert len(PYTHON_BLOCKS) >= 3 and len(SQL_BLOCKS) >= 3


@pytest.mark.parametrize("block", range(len(PYTHON_BLOCKS)))
def test_python_recipe_runs(warehouse_copy, block):
    exec(compile(PYTHON_BLOCKS[block], f"docs/bi.md python block {block}", "exec"),
         {"WAREHOUSE": warehouse_copy})


@pytest.mark.parametrize("block", range(len(SQL_BLOCKS)))
def test_example_query_returns_rows_through_duckdb_engine(warehouse_copy, block):
    engine = sqlalchemy.create_engine(
        f"duckdb:///{warehouse_copy / 'tw_resas.duckdb'}?access_mode=read_only"
    )
    try:
        with engine.connect() as connection:
            rows = connection.execute(sqlalchemy.text(SQL_BLOCKS[block])).fetchall()
    finally:
        engine.dispose()
    assert rows, f"example query {block} returned no rows"
