"""The rules every mart gets from its columns (expectations.suites.generated): a NaN, an
infinity, an implausible magnitude, a negative count, a share above 100 or a period after today
fails the gate; projections may look ahead. Validated through the gate's own path (GX
checkpoint on the frame as the gate reads it from DuckDB)."""

from datetime import date

import duckdb
import pytest

from expectations.suites import MartGate

# expectations.gate (GX) is imported where it is used: see WORK_UNITS in tests/conftest.py

TODAY = date.today().isoformat()


def gate(sql: str, twresas_home):
    """The generated-rules gate of a mart made by `sql` (one row of each case)."""
    from expectations.gate import GateRun, gate_frame

    with duckdb.connect() as con:
        frame = gate_frame(con.sql(sql).to_arrow_table())
    mart = MartGate(mart="probe", key=("k",), expectations=list)
    return GateRun(twresas_home / "expectations").validate(
        "probe", frame, mart.suite(frame.dtypes), key=mart.key)


def failed(result) -> dict[str, list[int]]:
    """column:expectation -> the keys of its failing rows."""
    return {f"{o.column}:{o.rule.split('(')[0]}": [row["k"] for row in o.unexpected_sample]
            for o in result.failures}


def test_a_clean_mart_passes(twresas_home):
    result = gate("""select 1 as k, date '2020-01-01' as period, 12.5::double as value,
                   3::bigint as transactions, 45.0::double as pop_65plus_share,
                   null::double as change_pct""", twresas_home)
    assert result.success, result.describe_failures()
    assert len(result.outcomes) >= 5  # one rule per numeric column and the period


@pytest.mark.parametrize("bad", ["'nan'::double", "'inf'::double", "'-inf'::double", "1e16"])
def test_a_number_that_is_not_finite_or_plausible_fails(twresas_home, bad):
    result = gate(f"""select * from (values (1, {bad}), (2, 1.0::double), (3, null::double))
                   t(k, value)""", twresas_home)
    assert not result.success
    assert failed(result) == {"value:expect_column_values_to_be_between": [1]}


def test_a_negative_count_and_a_share_above_100_fail(twresas_home):
    result = gate("""select * from (values (1, -2::bigint, 50.0::double),
                                          (2, 4::bigint, 100.5::double)) t(k, births, share_pct)""",
                  twresas_home)
    assert failed(result) == {"births:expect_column_values_to_be_between": [1],
                              "share_pct:expect_column_values_to_be_between": [2]}


def test_an_observed_period_after_today_fails_a_projection_may_look_ahead(twresas_home):
    result = gate(f"""select * from (values
        (1, date '2070-01-01', 'medium'),        -- NDC projection: fine
        (2, date '{TODAY}', null),               -- today: fine
        (3, date '{TODAY}' + 1, null),           -- tomorrow, observed: impossible
        (4, date '1899-12-01', null))            -- before any source
        t(k, period, scenario)""", twresas_home)
    assert failed(result) == {"period:expect_column_values_to_be_between": [3, 4]}


def test_a_year_column_after_this_year_fails(twresas_home):
    result = gate(f"select * from (values (1, {date.today().year + 1}), (2, 2018)) t(k, year)",
                  twresas_home)
    assert failed(result) == {"year:expect_column_values_to_be_between": [1]}


def test_a_period_beyond_what_pandas_holds_in_nanoseconds_still_fails(twresas_home):
    """The gate reads periods in nanoseconds for speed; one it cannot (after 2262) is judged
    on its own type, and fails."""
    result = gate("""select * from (values (1, date '9999-01-01'), (2, date '2020-01-01'))
                   t(k, period)""", twresas_home)
    assert failed(result) == {"period:expect_column_values_to_be_between": [1]}


def test_a_nan_is_caught_in_its_column_only(twresas_home):
    """A column with a NaN is read with Arrow types, the others as numpy floats: the NaN fails
    its rule, the infinity in the other column fails too."""
    result = gate("""select * from (values (1, 'nan'::double, 1.0::double),
                                          (2, 2.0::double, 'inf'::double)) t(k, a, b)""",
                  twresas_home)
    assert failed(result) == {"a:expect_column_values_to_be_between": [1],
                              "b:expect_column_values_to_be_between": [2]}
