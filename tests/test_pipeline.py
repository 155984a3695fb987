"""The walking skeleton end to end: offline run, gate, publish, and the published figures
against the official ones (issue 2 acceptance)."""

import csv
import hashlib

import dagster as dg
import pytest
from warehouse_runs import PUBLISHED, narrowed

from sources.settings import PROJECT_ROOT

pytestmark = pytest.mark.pipeline

TABLE1 = (
    PROJECT_ROOT
    / "sources/snapshots/moi_county_population_by_sex/county_population_by_sex_201803_table1.csv"
)


def test_table1_of_the_seed_article_is_reproduced(published):
    """pop_total, pop_male, pop_female and the 2-decimal share of all 22 counties, 2018-03."""
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
            assert values[(name, code)] == expected, (name, code)


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


def test_a_failing_expectation_blocks_publication(pipeline_copy, monkeypatch):
    """Issue 2, acceptance 4: the published file stays byte-identical and the failure names
    the expectation and the rows. The gate of dim_region and the publish step, run on a copy of
    the session's built warehouse."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    from expectations.suites import MartGate
    from orchestration.cli import run_all
    from orchestration.defs.quality import gate_checks

    published_file = pipeline_copy / "warehouse" / "tw_resas.duckdb"
    before = hashlib.sha256(published_file.read_bytes()).hexdigest()

    def impossible_suite(self):
        return gx.ExpectationSuite(
            name=f"{self.mart}_suite",
            expectations=[gxe.ExpectColumnValuesToBeNull(column=self.key[0])],
        )

    monkeypatch.setattr(MartGate, "suite", impossible_suite)
    (region_gate,) = [c for c in gate_checks if c.check_key.name == "gx_dim_region"]
    with narrowed(dg.AssetSelection.checks(region_gate) | dg.AssetSelection.assets(PUBLISHED)):
        result = run_all()

    assert not result.success
    failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert failed
    description = failed[0].description
    assert "expect_column_values_to_be_null" in description and "failed on" in description
    publish_steps = [
        e for e in result.all_events
        if e.is_step_success and e.step_key and e.step_key.startswith("published")
    ]
    assert publish_steps == []
    assert hashlib.sha256(published_file.read_bytes()).hexdigest() == before
