"""The walking skeleton end to end: offline run, gate, publish, and the published figures
against the official ones (issue 2 acceptance)."""

import csv
import hashlib
import json
import re
from datetime import datetime
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from warehouse_runs import PUBLISHED, narrowed

from orchestration.dbt_project import DBT_PROJECT
from sources.settings import PROJECT_ROOT

pytestmark = pytest.mark.pipeline

TABLE1 = (
    PROJECT_ROOT
    / "sources/snapshots/moi_county_population_by_sex/county_population_by_sex_201803_table1.csv"
)


def test_table1_of_the_seed_article_is_reproduced(published):
    """pop_total, pop_male, pop_female and the share of all 22 counties, 2018-03 (the share
    rounded to Table 1's 2 decimals only for the comparison)."""
    with open(TABLE1, encoding="utf-8") as handle:
        table1 = {row["區域別"]: row for row in csv.DictReader(handle)}
    rows = published.execute(
        """
        select r.name_zh, v.indicator_code, v.value
        from marts.fct_indicator_value v join marts.dim_region r using (region_code)
        where v.period = date '2018-03-01' and v.grain = 'month' and r.region_level = 'county'
          and v.indicator_code in ('pop_total', 'pop_male', 'pop_female', 'pop_share_of_nation')
        """
    ).fetchall()
    values = {(name, code): value for name, code, value in rows}
    assert len({name for name, _ in values}) == 22
    columns = {"pop_total": "合計", "pop_male": "男性", "pop_female": "女性",
               "pop_share_of_nation": "百分比"}
    for name in {name for name, _ in values}:
        for code, column in columns.items():
            expected = float(table1[name][column].replace(",", ""))
            ours = values[(name, code)]
            if code == "pop_share_of_nation":
                ours = round(ours, 2)  # published at full precision; Table 1 prints 2 decimals
            assert ours == expected, (name, code)


def test_population_share_is_published_at_full_precision(published):
    """烏坵鄉 holds about 0.003 % of the nation: rounded to 2 decimals it read 0.00."""
    rows = published.execute(
        """
        select s.value, p.value, n.value from marts.fct_indicator_value s
        join marts.fct_indicator_value p using (region_code, period, grain)
        join marts.fct_indicator_value n on n.region_code = 'TW' and n.period = s.period
            and n.grain = s.grain and n.indicator_code = 'pop_total' and n.scenario is null
        where s.region_code = '09020060' and s.indicator_code = 'pop_share_of_nation'
          and p.indicator_code = 'pop_total' and s.grain = 'year'
        """
    ).fetchall()
    assert rows
    for share, population, nation in rows:
        assert 0 < share < 0.01
        assert share == pytest.approx(100 * population / nation, rel=1e-12)


@pytest.mark.parametrize("year, official_total", [(2019, 23_603_121), (2014, 23_433_753)])
def test_townships_sum_to_the_nation(published, year, official_total):
    (total,) = published.execute(
        """
        select sum(v.value) from marts.fct_indicator_value v
        join marts.dim_region r using (region_code)
        where v.indicator_code = 'pop_total' and r.region_level = 'township'
          and v.period = make_date(?, 1, 1) and v.grain = 'year'
        """,
        [year],
    ).fetchone()
    assert total == official_total


def test_ndc_2017_total_and_aging_index(published):
    values = dict(
        published.execute(
            """
            select indicator_code, value from marts.fct_indicator_value
            where region_code = 'TW' and period = date '2017-01-01' and grain = 'year'
              and scenario is null and indicator_code in ('pop_total', 'aging_index')
            """
        ).fetchall()
    )
    assert values["pop_total"] == 23_571_227
    assert round(values["aging_index"], 1) == 105.7  # the seed article's end-2017 figure


def test_aging_stage_follows_the_who_thresholds(published):
    rows = published.execute(
        "select pop_65plus_share, aging_stage from marts.fct_population_structure"
        " where pop_65plus_share is not null"
    ).fetchall()
    assert rows
    for share, stage in rows:
        expected = ("super_aged" if share >= 20 else "aged" if share >= 14
                    else "aging" if share >= 7 else "young")
        assert stage == expected


def test_synthetic_values_are_flagged(published):
    flagged = published.execute(
        "select count(*), count(*) filter (where quality_flag = 'synthetic')"
        " from marts.fct_indicator_value where source_id = 'moi_household_registration_api'"
    ).fetchone()
    assert flagged[0] > 0 and flagged[0] == flagged[1]
    (real_flagged,) = published.execute(
        "select count(*) from marts.fct_indicator_value"
        " where is_synthetic and source_id <> 'moi_household_registration_api'"
        " and source_id <> 'mof_tax_revenue'"
    ).fetchone()
    assert real_flagged == 0


def test_publication_records_each_mart_with_a_content_hash(published):
    marts = dict(published.execute("select mart, row_count from meta.publication").fetchall())
    assert {"fct_indicator_value", "dim_indicator", "dim_region"} <= set(marts)
    for mart, rows in marts.items():
        assert published.execute(f"select count(*) from marts.{mart}").fetchone()[0] == rows


def test_a_failing_expectation_blocks_publication(pipeline_copy):
    """Issue 2, acceptance 4: the published file stays byte-identical and the failure names
    the expectation and the rows; the gate of dim_region and the publish step, run on a copy of
    the session's built warehouse in which a county lost its English name (a GX rule: every
    region above the villages has one). Issue 14: the summary says which version is still
    served."""
    from orchestration.cli import run_all, summary_lines
    from orchestration.resources import Warehouse
    from sources.settings import read_settings

    published_file = pipeline_copy / "warehouse" / "tw_resas.duckdb"
    before = hashlib.sha256(published_file.read_bytes()).hexdigest()
    with duckdb.connect(str(published_file), read_only=True) as con:
        served_run, served_at = con.execute(
            "select any_value(run_id), max(published_at) from meta.publication").fetchone()
    with duckdb.connect(str(pipeline_copy / "warehouse" / "work.duckdb")) as con:
        con.execute("update marts.dim_region set name_en = null where region_code = '63000'")

    region_gate = dg.AssetCheckKey(dg.AssetKey(["marts", "dim_region"]), "gx_dim_region")
    with narrowed(dg.AssetSelection.checks(region_gate) | dg.AssetSelection.assets(PUBLISHED)):
        result = run_all()

    assert not result.success
    (failed,) = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert failed.check_name == "gx_dim_region"
    assert "expect_column_values_to_not_be_null(column=name_en" in failed.description
    assert "failed on 1 rows" in failed.description and "63000" in failed.description
    publish_steps = [
        e for e in result.all_events
        if e.is_step_success and e.step_key and e.step_key.startswith("published")
    ]
    assert publish_steps == []
    assert hashlib.sha256(published_file.read_bytes()).hexdigest() == before

    summary = summary_lines(Warehouse.from_settings(read_settings()), result)
    (served,) = [line for line in summary if "nothing published by this run" in line]
    assert f"still serving run {served_run}, published " in served
    shown = datetime.fromisoformat(served.split(", published ")[1].split(" (")[0])
    assert shown == served_at.replace(microsecond=0)


def test_console_has_one_line_per_phase(pipeline_home):
    """Issue 14: `make run` prints one line per phase (dbt models, dbt tests, GX gates) with
    counts instead of dbt's line per node, which go whole to the log file the console names."""
    from expectations.suites import all_gates

    console = (pipeline_home / "console.txt").read_text().splitlines()
    assert not [line for line in console if re.match(r"\d+ of \d+ ", line)], "dbt's node lines"
    (named,) = [re.search(r"dbt build: its line per model and test goes to (\S+)$", line)
                for line in console if "dbt build: " in line]
    dbt_log = Path(named[1]).read_text()
    (models,) = [line for line in console if line.startswith("  dbt models: ")]
    built = len(re.findall(r"^\d+ of \d+ OK (created|loaded) ", dbt_log, re.MULTILINE))
    assert models.startswith(f"  dbt models: {built} of {built} built (") and built > 100
    (tests,) = [line for line in console if line.startswith("  dbt tests: ")]
    passed = len(re.findall(r"^\d+ of \d+ PASS ", dbt_log, re.MULTILINE))
    assert tests.startswith(f"  dbt tests: {passed} of {passed} passed (")
    assert passed == sum(node["resource_type"] == "test" for node in json.loads(
        DBT_PROJECT.manifest_path.read_text(encoding="utf-8"))["nodes"].values())
    gates = len(all_gates())
    (gate_line,) = [line for line in console if "GX gates: " in line]
    assert gate_line == f"  GX gates: {gates} of {gates} passed"


def test_each_gate_links_its_own_runs_validation_page(pipeline_home, monkeypatch):
    """The run report and the asset check's `data_docs` link name the page of that run."""
    from expectations.suites import all_gates

    monkeypatch.setenv("DAGSTER_HOME", str(pipeline_home / "dagster_home"))
    with dg.DagsterInstance.get() as instance:
        (run,) = [run for run in instance.get_runs()
                  if run.job_name == "warehouse" and run.is_success]
        evaluations = {
            record.asset_check_evaluation.asset_key.path[-1]: record.asset_check_evaluation
            for record in instance.all_logs(
                run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
            if record.asset_check_evaluation.check_name.startswith("gx_")
        }
    report = json.loads((pipeline_home / "warehouse" / "quality" / run.run_id / "report.json"
                         ).read_text())
    site = pipeline_home / "expectations" / "gx" / "uncommitted" / "data_docs" / "local_site"
    assert set(evaluations) == set(report["gates"]) == set(all_gates())
    for mart, evaluation in evaluations.items():
        page = Path(report["gates"][mart]["data_docs"])
        assert page.is_file()
        assert page.relative_to(site).parts[:3] == ("validations", f"{mart}_suite", run.run_id)
        assert evaluation.metadata["data_docs"].url == page.as_uri()
