"""Faults through a pipeline run, in process (orchestration.cli.run_all) in a copy of a good
home: bad rows are quarantined and the build publishes (the session's damaged run, shared with
test_faults_township, test_faults_population_counts and test_faults_repeats); a failing source
or dbt model stops the run and the last good publication stays as it was."""

import hashlib
import json

import dagster as dg
import duckdb
import invariants as inv
import pytest
from warehouse_runs import PUBLISHED, narrowed

from orchestration.cli import failure_reasons, run_all
from sources import population

pytestmark = [pytest.mark.faults, pytest.mark.pipeline]

TOWNSHIPS = population.TOWNSHIP_DENSITY
COUNTY = population.COUNTY_POPULATION_BY_SEX
API = population.HOUSEHOLD_REGISTRATION_API


def township_period_rows(con, sha: str, year: int) -> tuple[int, int]:
    """(township pop_total values published for `year`, rows of file `sha` quarantined)."""
    (published,) = con.execute(
        "select count(*) from marts.fct_indicator_value v join marts.dim_region r"
        " using (region_code) where r.region_level = 'township' and v.grain = 'year'"
        " and v.indicator_code = 'pop_total' and v.period = make_date(?, 1, 1)"
        " and v.source_id = ?", [year, TOWNSHIPS.id],
    ).fetchone()
    return published, quarantined_count(con, sha)


def quarantined_count(con, sha: str) -> int:
    return con.execute(
        "select count(*) from marts.fct_quarantined_row where raw_sha256 = ?", [sha]
    ).fetchone()[0]


def test_rejected_rows_are_quarantined_with_a_reason_not_lost(damaged_run, case):
    home, result = damaged_run.home, damaged_run.result
    rows, township_body = damaged_run.bodies.township_rows, damaged_run.bodies.township_body
    lines, county_body = damaged_run.bodies.county_lines, damaged_run.bodies.county_body

    assert result.success, "quarantined rows must not stop the build"
    after = inv.published_by_gated_run(case, home, result)
    assert after.marts["fct_quarantined_row"][0] >= 12
    inv.raw_bytes_kept(case, home, TOWNSHIPS.id, township_body, accepted=True, http_status=200)
    expected = {
        "site_id=新北市中和區; statistic_yyy=108; people_total=四十一萬":
            "people_total '四十一萬': not a number",
        "site_id=新北市永和區; statistic_yyy=一○八": "date does not parse (statistic_yyy)",
        f"site_id=新北市板橋區; statistic_yyy=108; people_total={rows[0]['people_total']}":
            "duplicate row (same township and year)",
        f"site_id=新北市三重區; statistic_yyy=108; people_total={rows[1]['people_total']}":
            "conflicting duplicate rows (same township and year, different values)",
        f"site_id=新北市三重區; statistic_yyy=108; people_total={rows[1]['people_total'] + 1}":
            "conflicting duplicate rows (same township and year, different values)",
        "site_id=新北市不存在區; statistic_yyy=108": "region not in code table",
        "site_id=南沙群島; statistic_yyy=108": "no population (people_total is '…')",
        "區域別=連江縣; yyymm=10703; 合計=13,2x5": "number does not parse (合計, 男性 or 女性)",
        "區域別=臺北市; yyymm=10703; 合計=2,681,375": "duplicate row (same region and month)",
        "區域別=火星市; yyymm=10703": "region not in code table",
        "區域別=福建省; yyymm=10703": "provincial subtotal, not a region of the warehouse",
    }
    with duckdb.connect(str(home / "warehouse" / "tw_resas.duckdb"), read_only=True) as con:
        quarantined = con.execute(
            "select source_id, raw_sha256, record, reason from marts.fct_quarantined_row"
        ).fetchall()
        for prefix, reason in expected.items():
            hits = [q for q in quarantined if q[2].startswith(prefix)]
            assert hits, f"{prefix} is not in the quarantine"
            assert all(q[3] == reason for q in hits), hits

        # every row of every landed file is published or quarantined
        for body, year in [(township_body, 2019),
                           (TOWNSHIPS.snapshot_path(TOWNSHIPS.snapshots[0]).read_bytes(), 2014)]:
            published, held = township_period_rows(con, hashlib.sha256(body).hexdigest(), year)
            inv.rows_accounted(case, rows_in=len(json.loads(body)), published=published,
                               quarantined=held)
        (county_published,) = con.execute(
            "select count(*) from marts.fct_indicator_value where indicator_code = 'pop_total'"
            " and period = date '2018-03-01' and grain = 'month' and source_id = ?", [COUNTY.id]
        ).fetchone()
        county_sha = hashlib.sha256(county_body).hexdigest()
        inv.rows_accounted(case, rows_in=len(lines) - 1, published=county_published,
                           quarantined=quarantined_count(con, county_sha))


def test_a_source_failing_in_a_release_job_blocks_publication(pipeline_copy, snapshots, case):
    home = pipeline_copy
    before = inv.publication(home)
    page = snapshots / API.id / API.snapshots[1].file
    maintenance = "<!DOCTYPE html><html><body>系統維護中</body></html>".encode()
    page.write_bytes(maintenance)

    result = run_all()

    assert not result.success
    (reason,) = set(failure_reasons(result))  # what the CLI prints and the run report keeps
    inv.error_is_one_line(case, reason, source_id=API.id, location=API.url(yyymm="11509", page=2),
                          problem="got an HTML page where JSON was expected")
    assert reason in _refusal(home, result)
    inv.raw_bytes_kept(case, home, API.id, maintenance, accepted=False, http_status=200)
    inv.published_unchanged(case, home, before)


def test_a_dbt_model_error_blocks_publication(pipeline_copy, case):
    """A model that fails in the database (here: fct_population_structure's input is missing
    from the working database) fails the dbt step; nothing downstream of it is published. The
    run builds that model and what is downstream of it, in a copy of a built home. (A broken
    model file or --vars would make dbt parse the whole project again: 5 s more.)"""
    home = pipeline_copy
    before = inv.publication(home)
    with duckdb.connect(str(home / "warehouse" / "work.duckdb")) as con:
        con.execute("drop table intermediate.int_population__indicator_values")
    structure = dg.AssetKey(["marts", "fct_population_structure"])

    with narrowed(dg.AssetSelection.assets(structure).downstream()
                  | dg.AssetSelection.assets(PUBLISHED)):
        result = run_all()

    assert not result.success
    (reason,) = failure_reasons(result)
    inv.error_is_one_line(case, reason, source_id="model fct_population_structure",
                          location="models/marts/population/fct_population_structure.sql",
                          problem="int_population__indicator_values does not exist")
    assert reason in _refusal(home, result)
    inv.published_unchanged(case, home, before)


def _refusal(home, result) -> str:
    """Why the run report says nothing was published."""
    report = json.loads((home / "warehouse" / "quality" / result.run_id / "report.json")
                        .read_text())
    assert report["published"] is False
    return report["refusal"]
