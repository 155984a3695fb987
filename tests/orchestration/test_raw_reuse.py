"""A raw load is reused when nothing it depends on changed (orchestration.raw.reused_load):
the same landed files, the same parsing code, the same day. Anything else parses again."""

import hashlib
import shutil
from datetime import date, timedelta

import dagster as dg
import duckdb
import pytest

from orchestration import raw
from orchestration.defs.mof import tax_revenue
from sources import catalog, mof
from tests.conftest import environment_resources


def materialise() -> dict:
    result = dg.materialize([tax_revenue], resources=environment_resources())
    (event,) = result.get_asset_materialization_events()
    return event.materialization.metadata


def raw_rows(warehouse) -> list[tuple]:
    with duckdb.connect(str(warehouse.work_db), read_only=True) as con:
        return con.execute(f'select * from raw."{mof.TAX_REVENUE.id}" order by all').fetchall()


def test_the_same_files_and_code_reuse_the_table(warehouse):
    first = materialise()
    rows = raw_rows(warehouse)
    second = materialise()

    assert first["reused_unchanged_load"].value is False
    assert second["reused_unchanged_load"].value is True
    assert second["dagster/row_count"] == first["dagster/row_count"]
    assert second["raw_sha256"] == first["raw_sha256"]
    assert raw_rows(warehouse) == rows


@pytest.mark.parametrize("change", ["parsing code", "day", "table dropped", "parquet removed"])
def test_anything_else_loads_again(warehouse, monkeypatch, change):
    materialise()
    if change == "parsing code":
        monkeypatch.setattr(raw, "parsing_code_version", lambda: "another version")
    elif change == "day":
        monkeypatch.setattr(raw, "date", type("NextDay", (), {
            "today": staticmethod(lambda: date.today() + timedelta(days=1))}))
    elif change == "table dropped":
        with duckdb.connect(str(warehouse.work_db)) as con:
            con.execute(f'drop table raw."{mof.TAX_REVENUE.id}"')
    else:
        shutil.rmtree(warehouse.raw_parquet_dir / mof.TAX_REVENUE.id)

    assert materialise()["reused_unchanged_load"].value is False
    assert raw_rows(warehouse)


def test_a_changed_file_loads_again(warehouse, monkeypatch, tmp_path):
    materialise()
    snapshots = tmp_path / "snapshots"
    shutil.copytree(catalog.SNAPSHOT_DIR / mof.TAX_REVENUE.id, snapshots / mof.TAX_REVENUE.id)
    (path,) = [snapshots / mof.TAX_REVENUE.id / s.file for s in mof.TAX_REVENUE.snapshots]
    text = path.read_text(encoding="utf-8")
    assert '"23,815,402"' in text
    path.write_text(text.replace('"23,815,402"', '"23,815,403"'), encoding="utf-8")
    monkeypatch.setattr(catalog, "SNAPSHOT_DIR", snapshots)

    metadata = materialise()

    assert metadata["reused_unchanged_load"].value is False
    new_sha = hashlib.sha256(path.read_bytes()).hexdigest()
    assert metadata["raw_sha256"].value == [new_sha]
    assert any(23_815_403 in row for row in raw_rows(warehouse))
