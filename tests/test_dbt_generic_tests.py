"""The project's own generic dbt tests (dbt_project/tests/generic), their SQL run on DuckDB:
rendered from the file as dbt renders it (the body of `{% test %}`), without a dbt process."""

import re
from pathlib import Path

import duckdb
import jinja2

GENERIC = Path(__file__).resolve().parent.parent / "dbt_project" / "tests" / "generic"


def generic_test_sql(name: str, **arguments) -> str:
    text = (GENERIC / f"{name}.sql").read_text(encoding="utf-8")
    body = re.search(r"{%\s*test\s+" + name + r"\(.*?\)\s*%}(.*){%\s*endtest\s*%}", text,
                     re.DOTALL).group(1)
    return jinja2.Template(body).render(**arguments)


def failures(sql_of_model: str, name: str, **arguments) -> list[tuple]:
    with duckdb.connect() as con:
        con.execute(f"create table probe as {sql_of_model}")
        return sorted(con.sql(generic_test_sql(name, model="probe", **arguments)).fetchall())


def test_not_null_columns_names_each_column_with_nulls_and_its_count():
    model = """select * from (values (1, null, 'x'), (2, null, null), (3, 5, 'y'))
               t(a, b, c)"""
    assert failures(model, "not_null_columns", columns=["a", "b", "c"]) == [("b", 2), ("c", 1)]


def test_not_null_columns_passes_a_full_and_an_empty_model():
    assert failures("select 1 as a, 'x' as b", "not_null_columns", columns=["a", "b"]) == []
    assert failures("select 1 as a, 'x' as b where false", "not_null_columns",
                    columns=["a", "b"]) == []
