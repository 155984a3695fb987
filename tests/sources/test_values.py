"""The one parsing rule every source uses (sources.values): what is a number, a count, an
amount and a year, and what is refused with which problem."""

from datetime import date

import pytest

from sources.errors import SourceError
from sources.values import (
    Cell,
    Kind,
    number_or_refuse,
    parse_cells,
    parse_number,
    parse_year,
    years_through_now,
)


@pytest.mark.parametrize("value, kind, expected", [
    ("23,571,408", Kind.COUNT, 23_571_408.0),
    ("１２３", Kind.COUNT, 123.0),
    ("５５６，８９７", Kind.COUNT, 556_897.0),
    (" 146.6541 ", Kind.AMOUNT, 146.6541),
    ("－3.7", Kind.SIGNED, -3.7),
    ("-1,234.5", Kind.SIGNED, -1234.5),
    (556897, Kind.COUNT, 556_897.0),
    (12744.0, Kind.COUNT, 12_744.0),  # an R double holding a whole count
    (0, Kind.AMOUNT, 0.0),
])
def test_plain_numbers_parse(value, kind, expected):
    cell = parse_number(value, kind)
    assert cell.value == expected and cell.problem is None


@pytest.mark.parametrize("value, kind, problem", [
    ("386336.7", Kind.COUNT, "count is not a whole number"),
    (386336.7, Kind.COUNT, "count is not a whole number"),
    ("5.57E+05", Kind.COUNT, "not a number"),  # scientific notation in a count column
    ("1e999", Kind.SIGNED, "not a number"),
    ("inf", Kind.SIGNED, "not a number"),
    ("-Infinity", Kind.SIGNED, "not a number"),
    ("NaN", Kind.SIGNED, "not a number"),
    ("nan", Kind.SIGNED, "not a number"),
    (float("nan"), Kind.SIGNED, "not a number"),
    (float("inf"), Kind.SIGNED, "not a finite number"),
    (float("-inf"), Kind.SIGNED, "not a finite number"),
    (None, Kind.AMOUNT, "not a number"),
    (True, Kind.COUNT, "not a number"),
    ("0x10", Kind.COUNT, "not a number"),
    ("1_000", Kind.COUNT, "not a number"),
    ("1,2,3", Kind.COUNT, "not a number"),  # separators only between groups of three
    ("12a4", Kind.COUNT, "not a number"),
    ("", Kind.COUNT, "not a number"),
    ("-1200", Kind.AMOUNT, "negative amount"),
    (-5, Kind.COUNT, "negative count"),
])
def test_what_is_no_figure_says_why_and_keeps_its_text(value, kind, problem):
    cell = parse_number(value, kind)
    assert cell.value is None and cell.problem == problem
    if isinstance(value, str):
        assert cell.text == value  # as published, for the quarantine record


def test_placeholders_are_no_figure_and_no_problem():
    assert parse_number("…", Kind.COUNT, frozenset({"…", "-"})) == Cell(None, "…")
    assert parse_number("", Kind.AMOUNT, frozenset({""})) == Cell(None, "")
    # a placeholder of another publisher is not one here
    assert parse_number("..", Kind.COUNT, frozenset({"…"})).problem == "not a number"


def test_native_numbers_are_shown_as_published():
    assert parse_number(12744.0, Kind.COUNT).text == "12744"
    assert parse_number(1945.34, Kind.AMOUNT).text == "1945.34"
    assert parse_number(float("nan"), Kind.COUNT).text == "NaN"


def test_a_column_parses_as_its_cells_one_by_one():
    # equal values of different types stay apart (True == 1 == 1.0 in a dict), NaN and
    # unhashable values are parsed each time
    column = ["1", 1, 1.0, True, "1.0", "1", float("nan"), None, "…", [1], "-3", -3, 1.5, "1"]
    for kind in Kind:
        assert parse_cells(column, kind, frozenset({"…"})) == [
            parse_number(value, kind, frozenset({"…"})) for value in column]
    assert parse_cells(column, Kind.COUNT)[3].problem == "not a number"  # True is no count


def test_number_or_refuse_names_source_place_and_text():
    assert number_or_refuse("1,332", Kind.AMOUNT, source_id="s", location="line 4",
                            what="勞動力") == 1332.0
    with pytest.raises(SourceError) as caught:
        number_or_refuse("1e999", Kind.AMOUNT, source_id="s", location="line 4", what="勞動力")
    assert str(caught.value) == "source s: 勞動力 '1e999': not a number [line 4]"


@pytest.mark.parametrize("value, roc, expected", [
    ("108", True, 2019), (108, True, 2019), (108.0, True, 2019), ("１０８", True, 2019),
    ("2019", False, 2019),
    ("200", True, None),  # ROC 200 = 2111: no year a figure was published for
    ("2111", False, None), ("108.5", True, None), ("1e2", True, None), ("一○八", True, None),
    ("-1", True, None), (None, True, None),
])
def test_years_are_whole_and_in_range(value, roc, expected):
    assert parse_year(value, years_through_now(), roc=roc) == expected


def test_years_through_now_end_this_year():
    years = years_through_now()
    assert years.start == 1912 and years[-1] == date.today().year
