"""The gate reads text columns as pandas categoricals (expectations.gate.gate_frame), which GX
filters faster than Arrow strings. Every rule the suites apply to text, plain and under a row
condition, must judge the same rows either way: checked on a mart whose text breaks each rule."""

import copy

import duckdb
import pytest

from expectations.suites import MartGate, gxe

# expectations.gate (GX) is imported where it is used: see WORK_UNITS in tests/conftest.py

HOSTILE_TEXT = """select * from (values
    (1, 'county', '63000', 'Taipei', 'population', 'a'),
    (2, 'county', '6300', 'Taipei', 'population', 'a'),          -- code too short
    (3, 'township', '63000010', null, 'tourism', 'b'),            -- name missing
    (4, 'village', '63000010-001', null, 'unknown', 'b'),         -- domain not in the set
    (5, 'county', '09007', '', 'population', null),               -- empty name, null pair
    (6, 'county', '09007', 'Lienchiang', 'population', 'c'))      -- code repeated
    t(k, region_level, region_code, name_en, domain, pair)"""

def text_rules() -> list:
    return [
        gxe.ExpectColumnValuesToMatchRegex(column="region_code", regex=r"^\d{5}$",
                                           row_condition='region_level=="county"',
                                           condition_parser="pandas"),
        gxe.ExpectColumnValuesToNotBeNull(column="name_en", row_condition='region_level!="village"',
                                          condition_parser="pandas"),
        gxe.ExpectColumnValuesToBeNull(column="name_en", row_condition='region_level=="village"',
                                       condition_parser="pandas"),
        gxe.ExpectColumnValueLengthsToBeBetween(column="name_en", min_value=1),
        gxe.ExpectColumnValuesToBeInSet(column="domain", value_set=["population", "tourism"]),
        gxe.ExpectColumnValuesToNotBeInSet(column="domain", value_set=["unknown"],
                                           row_condition='region_code.str.startswith("63")',
                                           condition_parser="pandas"),
        gxe.ExpectColumnDistinctValuesToEqualSet(column="domain",
                                                 value_set=["population", "tourism"]),
        gxe.ExpectColumnUniqueValueCountToBeBetween(column="pair", min_value=1, max_value=2),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["region_code", "domain"],
                                            ignore_row_if="never"),
    ]


# rule -> (passed, rows judged unexpected)
EXPECTED = {
    "expect_column_values_to_match_regex": (False, 1),
    "expect_column_values_to_not_be_null": (False, 1),
    "expect_column_values_to_be_null": (True, 0),
    "expect_column_value_lengths_to_be_between": (False, 1),
    "expect_column_values_to_be_in_set": (False, 1),
    "expect_column_values_to_not_be_in_set": (False, 1),
    "expect_column_distinct_values_to_equal_set": (False, 1),
    "expect_column_unique_value_count_to_be_between": (False, None),
    "expect_compound_columns_to_be_unique": (False, 2),
    "expect_column_values_to_be_between": (True, 0),  # generated for the integer k
}


def outcomes(frame, twresas_home, rules=None) -> dict[str, tuple]:
    from expectations.gate import GateRun

    rules = text_rules() if rules is None else rules
    gate = MartGate(mart="probe", key=("k",), expectations=lambda: [copy.copy(r) for r in rules])
    result = GateRun(twresas_home / "expectations").validate(
        "probe", frame, gate.suite(frame.dtypes), key=gate.key)
    return {o.expectation: (o.success, o.unexpected_count, sorted(map(str, o.unexpected_sample)))
            for o in result.outcomes}


@pytest.fixture(scope="module")
def table():
    with duckdb.connect() as con:
        return con.sql(HOSTILE_TEXT).to_arrow_table()


@pytest.fixture
def frame(table):
    """The table as the gate reads it."""
    from expectations.gate import gate_frame

    return gate_frame(table)


def test_text_columns_are_categoricals(frame):
    assert all(str(frame[c].dtype) == "category" for c in frame.columns if c != "k")


def test_every_text_rule_judges_categoricals_as_it_judges_strings(table, frame, twresas_home):
    as_categories = outcomes(frame, twresas_home)
    as_strings = outcomes(table.to_pandas(), twresas_home)
    assert {rule: judged[:2] for rule, judged in as_categories.items()} == EXPECTED
    assert as_categories == as_strings


def test_a_rule_comparing_two_text_columns_fails_closed(frame, twresas_home):
    """Two categoricals with different categories cannot be compared: GX reports the rule as
    failed, never as passed (so the suites compare pairs of numbers and dates only)."""
    pair = gxe.ExpectColumnPairValuesToBeEqual(column_A="pair", column_B="domain")
    judged = outcomes(frame, twresas_home, rules=[pair])
    assert judged["expect_column_pair_values_to_be_equal"][0] is False
