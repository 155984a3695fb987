"""The publishers' printing conventions, each read in one place: the 民國 calendar
(sources/roc_calendar.py) and full-width numerals (sources/numerals.py)."""

import pytest

from sources.numerals import plain_number_text
from sources.roc_calendar import ad_year, roc_year


def test_roc_years_are_ad_years_less_1911():
    assert ad_year(113) == 2024  # 113年度 綜合所得稅, income year 2024
    assert ad_year(1) == 1912
    assert roc_year(2026) == 115  # season 115S1 starts 2026-01-01


@pytest.mark.parametrize(("printed", "plain"), [
    ("１２,７４４", "12744"),
    (" １２７．５ ", "127.5"),
    ("－３", "-3"),
    ("23,571,408", "23571408"),
    ("386336.7", "386336.7"),  # a fraction stays one: a count parser refuses it
    ("1e999", "1e999"),  # not a plain number, left for the caller to refuse
    ("…", "…"),
])
def test_full_width_numerals_and_separators_become_plain_ascii(printed, plain):
    assert plain_number_text(printed) == plain
