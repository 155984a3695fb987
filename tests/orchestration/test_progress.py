"""The run's console: one line per phase for dbt's models and tests and the GX gates, and what
a failed run still serves."""

import re
from datetime import datetime

import duckdb
import pytest

from orchestration.cli import served_line
from orchestration.progress import GATES_STEP, dbt_phase_lines, gates_line, step_finished
from orchestration.publish import publish_marts


def node(unique_id: str, status: str) -> dict:
    return {"unique_id": unique_id, "status": status}


def test_dbt_phase_lines_count_models_and_tests_and_name_what_failed():
    run_results = {"results": [
        node("seed.tw_resas.county_codes", "success"),
        node("model.tw_resas.stg_a", "success"),
        node("model.tw_resas.fct_b", "error"),
        node("model.tw_resas.fct_c", "skipped"),
        node("test.tw_resas.not_null_stg_a_id.1a2b", "pass"),
        node("test.tw_resas.unique_stg_a_id.3c4d", "fail"),
        node("test.tw_resas.accepted_values_stg_a_kind.5e6f", "warn"),
        node("test.tw_resas.not_null_fct_b_id.7a8b", "skipped"),
        node("unit_test.tw_resas.fct_b.shares_sum_to_one", "pass"),
        node("exposure.tw_resas.bi_dashboards", "no-op"),
    ]}
    assert dbt_phase_lines(run_results) == [
        "  dbt models: 2 of 4 built (3 models, 1 seeds), 1 failed (fct_b), 1 skipped",
        "  dbt tests: 2 of 5 passed (4 data tests, 1 unit tests), 1 warned,"
        " 1 failed (unique_stg_a_id.3c4d), 1 skipped",
    ]


def test_a_clean_build_is_one_line_per_phase_without_failures():
    run_results = {"results": [node(f"model.tw_resas.m{i}", "success") for i in range(3)]
                   + [node(f"test.tw_resas.t{i}", "pass") for i in range(5)]}
    assert dbt_phase_lines(run_results) == ["  dbt models: 3 of 3 built (3 models)",
                                            "  dbt tests: 5 of 5 passed (5 data tests)"]


def test_the_gates_step_adds_no_line_of_its_own_unless_it_failed(capsys):
    """The gates' step prints its gates_line itself; a failure (a gate failed, or the step
    raised) is still named."""
    step_finished("run-gates", GATES_STEP, succeeded=True)
    assert capsys.readouterr().out == ""
    step_finished("run-gates", GATES_STEP, succeeded=False)
    assert capsys.readouterr().out == f"  [!!] FAILED: {GATES_STEP}\n"
    step_finished("run-gates", "raw__moi_boundaries", succeeded=True)
    assert capsys.readouterr().out == "  [ 1] done: raw__moi_boundaries\n"


def test_gates_line_lists_the_failed_marts_sorted():
    assert gates_line({"dim_region": True, "fct_b": False, "fct_a": False}) == (
        "  GX gates: 1 of 3 passed, 2 failed (fct_a, fct_b)")


@pytest.fixture
def published_once(tmp_path):
    work, published = tmp_path / "work.duckdb", tmp_path / "warehouse" / "tw_resas.duckdb"
    with duckdb.connect(str(work)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.fct_x as select 1 as value")
    publish_marts(work, published, ["fct_x"], "run-good")
    return published


def test_a_failed_run_says_which_version_is_still_served(published_once):
    with duckdb.connect(str(published_once), read_only=True) as con:
        (published_at,) = con.execute("select max(published_at) from meta.publication"
                                      ).fetchone()
    line = served_line(published_once, "nothing published by this run")
    shown = re.fullmatch(r"nothing published by this run; still serving run run-good,"
                         r" published (\S+) \((.+)\)", line)
    assert shown, line
    assert datetime.fromisoformat(shown[1]) == published_at.replace(microsecond=0)
    assert shown[2] == str(published_once)


def test_before_any_publication_the_line_says_so(tmp_path):
    missing = tmp_path / "warehouse" / "tw_resas.duckdb"
    assert served_line(missing, "nothing published by this run") == (
        f"nothing published by this run; no version has been published yet ({missing})")
