"""Repeated village rows and hostile counts in the township density file (issue 13): each is
quarantined with its reason and the text as published, and the build still publishes (a
repeated village used to fail the whole build through a dbt test). The session's build on
damaged copies of the bundled snapshots (damaged_snapshots.damage_repeats). A village repeated
in the ODRP019 pages is the unit test of int_population__villages_checked (its source is
partitioned, which the damaged build does not reload); a tourism spot-year with every month
blank is in the real release (test_tourism_warehouse, 觸口遊客中心 2016)."""

import hashlib
import json

import duckdb
import invariants as inv
import pytest
from damaged_snapshots import CONFLICTING_VILLAGE, REPEATED_VILLAGE, TOWNSHIPS, VILLAGES

from sources import population

pytestmark = [pytest.mark.faults, pytest.mark.pipeline]


@pytest.fixture(scope="module")
def warehouse(damaged_run):
    assert damaged_run.result.success, (
        "repeated and hostile rows must be quarantined, not stop the build")
    con = duckdb.connect(str(damaged_run.home / "warehouse" / "tw_resas.duckdb"), read_only=True)
    yield con
    con.close()


def quarantined(con, body: bytes) -> list[tuple[str, str]]:
    return con.execute(
        "select record, reason from marts.fct_quarantined_row where raw_sha256 = ?",
        [hashlib.sha256(body).hexdigest()],
    ).fetchall()


def test_repeated_and_conflicting_village_rows_are_quarantined(damaged_run, warehouse, case):
    body = damaged_run.bodies.village_body
    rows = quarantined(warehouse, body)  # also test_faults_population_counts' garbled villages
    repeats = sorted((record.split(";")[0], reason) for record, reason in rows
                     if reason.startswith(("duplicate", "conflicting")))
    conflict = "conflicting duplicate rows (same village and month, different values)"
    assert repeats == [(f"code={REPEATED_VILLAGE}", "duplicate row (same village and month)"),
                       (f"code={CONFLICTING_VILLAGE}", conflict),
                       (f"code={CONFLICTING_VILLAGE}", conflict)]
    published = {code for (code,) in warehouse.execute(
        "select distinct region_code from marts.fct_indicator_value where source_id = ?",
        [VILLAGES.id]).fetchall()}
    assert REPEATED_VILLAGE in published  # the copies agree: published once
    assert CONFLICTING_VILLAGE not in published  # which copy is right cannot be told
    inv.rows_accounted(case, rows_in=len(population.parse_village_households(body)),
                       published=len(published), quarantined=len(rows))


def test_hostile_township_counts_are_quarantined_with_their_text(damaged_run, warehouse, case):
    body = damaged_run.bodies.township_body  # also test_faults_pipeline's rows
    rows = quarantined(warehouse, body)
    reasons = dict(rows)
    site = "site_id=新北市{}; statistic_yyy=108; people_total={}; area={}"
    assert reasons[site.format("新店區", "303445.7", "120.2255")] \
        == "people_total '303445.7': count is not a whole number"
    assert reasons[site.format("樹林區", "183926", "1e999")] == "area '1e999': not a number"
    (published,) = warehouse.execute(
        "select count(*) from marts.fct_indicator_value v join marts.dim_region r"
        " using (region_code) where r.region_level = 'township' and v.source_id = ?"
        " and v.indicator_code = 'pop_total' and v.period = date '2019-01-01'", [TOWNSHIPS.id],
    ).fetchone()
    inv.rows_accounted(case, rows_in=len(json.loads(body)), published=published,
                       quarantined=len(rows))
