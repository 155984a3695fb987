"""fct_indicator_value_history across publications: a copy of the session's published
warehouse, one DGBAS snapshot value corrected in place, the DGBAS load and the models from it
to the value history rebuilt and published; then the history rebuilt and published again on
the same marts (the marts themselves are deterministic: test_faults_kill publishes the same
content hashes on a rerun)."""

import shutil
from datetime import datetime

import dagster as dg
import duckdb
import pytest

import sources.catalog
from orchestration.defs.dgbas import dgbas_county_indicators_2020
from orchestration.defs.history import HISTORY_MART, published_indicator_value_history
from orchestration.publish import sql_literal
from sources.dgbas import COUNTY_INDICATORS_2020

pytestmark = pytest.mark.pipeline

HISTORY = "marts.fct_indicator_value_history"
# 26-1.px: the first DATA row is 稅捐實徵淨額 1998, its first cell 總計 (千元)
PUBLISHED_TEXT, CORRECTED_TEXT = b"1225263122.000000", b"1225263123.000000"
CELL = ("稅捐實徵淨額", "TW", "1998-01-01")


def publish_to_history(*roots: dg.AssetKey) -> dg.ExecuteInProcessResult:
    """`roots`, the history read back, the models between them and the history mart, then the
    publication (the other marts are published as the copy holds them)."""
    from orchestration.definitions import defs

    definitions = defs()
    roots = [*roots, *published_indicator_value_history.keys]
    to_history = (dg.AssetSelection.assets(*roots).downstream()
                  & dg.AssetSelection.assets(dg.AssetKey(["marts", HISTORY_MART])).upstream())
    keys = (to_history | dg.AssetSelection.assets(dg.AssetKey(["published", "tw_resas"]))
            ).resolve(definitions.resolve_asset_graph())
    job = definitions.resolve_implicit_global_asset_job_def()
    return job.execute_in_process(asset_selection=list(keys), raise_on_error=False)


def history(home, where: str, params=()) -> list[tuple]:
    with duckdb.connect(str(home / "warehouse" / "tw_resas.duckdb"), read_only=True) as con:
        return con.execute(f"select * from {HISTORY} where {where} order by all",
                           list(params)).fetchall()


def keep_history(scratch: duckdb.DuckDBPyConnection, home, name: str) -> None:
    """The published history as it is now, copied into the scratch database as table `name`:
    its 1.1 million rows are compared there (read into Python, each copy took seconds)."""
    published = sql_literal(str(home / "warehouse" / "tw_resas.duckdb"))
    scratch.execute(f"attach {published} as published (read_only)")
    scratch.execute(f"create table {name} as select * from published.{HISTORY}")
    scratch.execute("detach published")


def only_in(scratch: duckdb.DuckDBPyConnection, table: str, other: str) -> set[tuple]:
    return set(scratch.execute(f"select * from {table} except select * from {other}").fetchall())


def test_corrected_value_is_a_new_version_and_a_rerun_adds_nothing(
    pipeline_home, twresas_home, monkeypatch
):
    shutil.copytree(pipeline_home / "warehouse", twresas_home / "warehouse",
                    ignore=shutil.ignore_patterns("parquet", "quality", ".*"))
    snapshots = twresas_home / "snapshots"
    shutil.copytree(sources.catalog.SNAPSHOT_DIR / COUNTY_INDICATORS_2020.id,
                    snapshots / COUNTY_INDICATORS_2020.id)
    px = snapshots / COUNTY_INDICATORS_2020.id / "26-1.px"
    body = px.read_bytes()
    data_at = body.index(b"DATA=")
    assert body[data_at:].index(PUBLISHED_TEXT) < 40  # the first cell of the data
    px.write_bytes(body[:data_at] + body[data_at:].replace(PUBLISHED_TEXT, CORRECTED_TEXT, 1))
    monkeypatch.setattr(sources.catalog, "SNAPSHOT_DIR", snapshots)

    scratch = duckdb.connect()
    keep_history(scratch, twresas_home, "before")
    started = datetime.utcnow()
    result = publish_to_history(*dgbas_county_indicators_2020.keys)
    assert result.success
    keep_history(scratch, twresas_home, "after")

    # every earlier row is still there; only the corrected cell's current row was closed
    cell = "mart = 'fct_dgbas_indicator' and indicator_code = ? and region_code = ? and period = ?"
    versions = history(twresas_home, cell, CELL)
    assert [(v[6], v[7]) for v in versions] == [(1225263122, None), (1225263123, 1225263122)]
    old, new = versions
    assert old[9] == new[8] > started  # closed when the correction became valid
    assert (new[10], new[11], new[14]) == (True, "warehouse_publication", result.run_id)
    # the cell and the catalogue indicator published from it (NT$, not 千元) were revised;
    # every other row is unchanged
    revised = {("fct_dgbas_indicator", "稅捐實徵淨額"), ("fct_indicator_value", "net_tax_revenue")}
    closed = only_in(scratch, "before", "after")
    assert {row[:2] for row in closed} == revised
    assert {row[2:4] for row in closed} == {("TW", old[3])}
    added = only_in(scratch, "after", "before")
    assert len(added) == 2 * len(closed)  # the closed rows, and their successors
    assert {row[:2] for row in added} == revised
    assert {row[14] for row in added if row[10]} == {result.run_id}

    # what the warehouse said before and after the correction
    as_of = "indicator_code = ? and region_code = ? and period = ? and mart = 'fct_dgbas_indicator'"
    as_of += " and valid_from <= ? and (valid_to is null or valid_to > ?)"
    assert [r[6] for r in history(twresas_home, as_of, (*CELL, started, started))] == [1225263122]
    assert [r[6] for r in history(twresas_home, as_of, (*CELL, new[8], new[8]))] == [1225263123]

    rerun = publish_to_history()
    assert rerun.success
    keep_history(scratch, twresas_home, "rerun")
    assert only_in(scratch, "rerun", "after") == only_in(scratch, "after", "rerun") == set()
    assert scratch.execute("select (select count(*) from rerun) - (select count(*) from after)"
                           ).fetchone() == (0,)
    scratch.close()
