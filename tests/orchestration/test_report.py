"""The auditors' report is strict JSON and follows orchestration/report.schema.json, also when
a gate fails on rows holding NaN, numpy numbers and timestamps."""

import json

import numpy as np
import pandas as pd
import pytest

from expectations.results import ExpectationOutcome, GateResult, describe_rule
from orchestration.audit import write_gate_report, write_run_report
from sources.jsonsafe import json_safe
from tests.conftest import load_strict_json as load_strict
from tests.conftest import validate_quality_report as validate_report


def test_json_safe_makes_strict_json_of_what_pandas_and_numpy_hand_out():
    value = {"a": np.float64("nan"), "b": np.int64(3), "c": pd.Timestamp("2024-01-01"),
             "d": [float("inf"), pd.NaT, pd.NA, np.bool_(True)], 4: None}
    assert json.loads(json.dumps(json_safe(value), allow_nan=False)) == {
        "a": None, "b": 3, "c": "2024-01-01T00:00:00", "d": [None, None, None, True], "4": None,
    }


def test_the_strict_reader_refuses_nan(tmp_path):
    path = tmp_path / "report.json"
    path.write_text('{"value": NaN}')
    with pytest.raises(ValueError, match="NaN"):
        load_strict(path)


def test_describe_rule_names_bounds_and_condition():
    rule = describe_rule("expect_column_values_to_be_between", {
        "column": "value", "min_value": 0, "max_value": 100, "batch_id": "x",
        "row_condition": 'indicator_code=="pop_65plus_share"', "condition_parser": "pandas"})
    assert rule == ('expect_column_values_to_be_between(column=value, min_value=0, '
                    'max_value=100, row_condition=indicator_code=="pop_65plus_share")')


def test_a_failed_gate_writes_a_valid_report(warehouse):
    with warehouse.connect_work_db() as con:
        con.execute("create schema raw")
    failed = ExpectationOutcome(
        expectation="expect_column_values_to_be_between", column="value", success=False,
        unexpected_count=2,
        unexpected_sample=[{"region_code": "63000", "period": pd.Timestamp("2024-01-01"),
                            "value": np.float64("nan")}, {"value": float("inf")}],
        rule="expect_column_values_to_be_between(column=value, min_value=0)",
    )
    result = GateResult(mart="fct_x", success=False, rows=np.int64(5), outcomes=[failed],
                        data_docs="/tmp/index.html")
    write_gate_report(warehouse, "run-1", result)
    report = validate_report(write_run_report(warehouse, "run-1", published=None,
                                              refusal="gate failed"))
    sample = report["gates"]["fct_x"]["failed"][0]["unexpected_sample"]
    assert sample == [{"region_code": "63000", "period": "2024-01-01T00:00:00", "value": None},
                      {"value": None}]
    assert "min_value=0" in result.describe_failures()
