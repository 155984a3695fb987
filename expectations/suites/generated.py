"""Rules every published mart gets from its own columns (issue 13), on top of its suite:

- finiteness and magnitude: every floating-point column holds finite numbers (no NaN, no ±inf)
  within ±MAX_MAGNITUDE;
- range: integer columns are counts, ranks or years, never negative; a share or percentile is
  within 0-100;
- no future period: the period column (`period`, `quarter`, or the year of `year`) of an
  observed row is no later than today (projections, `scenario` set or `is_projected`, look
  ahead by design) and no earlier than FIRST_YEAR.

The columns come from the mart as read for the gate (expectations.gate.read_mart), so a new
mart or column is covered without a line here. NaN is told apart from a missing value because
the gate reads floating-point columns with Arrow types (pandas would make both NaN).
"""

import re
from datetime import date, datetime, time

import pandas as pd

from expectations.suites import gxe

# the largest published figure is a national annual total in NT$ (4.3e13, DGBAS 營利事業
# 銷售額): a thousand trillion is beyond any figure of Taiwan, a unit slip or an overflow
MAX_MAGNITUDE = 1e15
FIRST_YEAR = 1900
PERIOD_COLUMNS = ("period", "quarter")
# shares and percentiles (pop_65plus_share, share_pct, share_of_county_pct, percentile_in_level)
_SHARE = re.compile(r"(^|_)share(_|$)|^percentile_")


def generated_expectations(dtypes: pd.Series, today: date | None = None) -> list:
    """The generated rules for a mart whose columns have these (pandas) dtypes."""
    today = today or date.today()
    rules = []
    for column, dtype in dtypes.items():
        if _is_float(dtype):
            rules.append(gxe.ExpectColumnValuesToBeBetween(
                column=column, min_value=-MAX_MAGNITUDE, max_value=MAX_MAGNITUDE))
        if _is_integer(dtype):
            rules.append(gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0))
        if (_is_float(dtype) or _is_integer(dtype)) and _SHARE.search(column):
            rules.append(gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0,
                                                           max_value=100))
    observed = _observed_rows(dtypes.index)
    condition = {"row_condition": observed, "condition_parser": "pandas"} if observed else {}
    for column in PERIOD_COLUMNS:
        if column in dtypes.index:
            rules.append(gxe.ExpectColumnValuesToBeBetween(
                column=column, min_value=datetime(FIRST_YEAR, 1, 1),
                max_value=datetime.combine(today, time()), **condition))
    if "year" in dtypes.index and _is_integer(dtypes["year"]):
        rules.append(gxe.ExpectColumnValuesToBeBetween(
            column="year", min_value=FIRST_YEAR, max_value=today.year, **condition))
    return rules


def _observed_rows(columns) -> str | None:
    """The pandas condition selecting rows that are observations, not projections."""
    if "is_projected" in columns:
        return "is_projected == False"
    if "scenario" in columns:
        return "scenario.isna()"
    return None


def _is_float(dtype) -> bool:
    return pd.api.types.is_float_dtype(dtype)


def _is_integer(dtype) -> bool:
    return pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
