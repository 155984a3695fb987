"""One parsing rule per kind of value, shared by every source's parser (issue 13).

Publishers write numbers as text (CSV, PC-Axis, print tables) or as native numbers (JSON, R
data files). Either way a cell becomes a `Cell`: the number, the cell as published, and the
problem when it is no usable figure, so that a caller can keep the text and dbt quarantine it
(or refuse the file where a total would be short). Never rounded, cast or passed through:

- text is a plain decimal: digits, an optional '-', decimals after '.', thousands separators
  only in groups of three ('12,744'), full-width digits and punctuation as ASCII. Scientific
  notation ('5.57E+05'), 'inf', '1e999', 'NaN' in any spelling, '0x10' and '1_000' are not
  numbers;
- a native number must be finite (NaN, ±inf are not figures);
- a COUNT is whole and not negative (386336.7 is no count of persons); an AMOUNT is not
  negative (a negative land tax); a SIGNED figure may be either (a rate of change).

Years: a year is a whole number inside the range of years the table can hold (`parse_year`);
ROC years are converted to AD after the check (ROC 200 is no year of a 2024 table).
"""

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import Enum

from sources.errors import SourceError
from sources.numerals import half_width
from sources.roc_calendar import ad_year


class Kind(Enum):
    COUNT = "count"  # whole, not negative
    AMOUNT = "amount"  # not negative
    SIGNED = "signed"  # any finite number


@dataclass(frozen=True)
class Cell:
    value: float | None  # None when the cell is a placeholder or has a problem
    text: str  # the cell as published
    problem: str | None = None  # why the cell is no usable figure; None for a placeholder


_PLAIN_DECIMAL = re.compile(r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")


def parse_number(value, kind: Kind, placeholders: frozenset[str] = frozenset()) -> Cell:
    """One published cell -> Cell. `placeholders` are the texts the publisher writes for
    'no figure' ('…', '-', '..'): value None and no problem. An empty cell is a placeholder
    only when '' is among them."""
    if isinstance(value, bool):
        return Cell(None, str(value), "not a number")
    if value is None or (isinstance(value, float) and math.isnan(value)):
        text = "" if value is None else "NaN"
        if text in placeholders:
            return Cell(None, text)
        return Cell(None, text, "not a number")
    if isinstance(value, int | float):
        number = float(value)
        text = str(int(number)) if math.isfinite(number) and number.is_integer() else repr(value)
    else:
        text = str(value)
        if text.strip() in placeholders:
            return Cell(None, text)
        cleaned = half_width(text)
        if not _PLAIN_DECIMAL.fullmatch(cleaned):
            return Cell(None, text, "not a number")
        number = float(cleaned.replace(",", ""))
    return _checked(number, text, kind)


def parse_cells(values: Iterable, kind: Kind,
                placeholders: frozenset[str] = frozenset()) -> list[Cell]:
    """`parse_number` of each value, each distinct value parsed once: a published column
    repeats its values (the 2.0 M cells a `make run` parses hold 0.34 M distinct ones). Values
    are told apart by type as well, so True is not taken for 1, nor 1.0 for '1.0'."""
    parsed: dict[tuple[type, object], Cell] = {}
    cells = []
    for value in values:
        key = (value.__class__, value)
        try:
            cell = parsed.get(key)
        except TypeError:  # unhashable: parsed (and refused) every time
            cell, key = None, None
        if cell is None:
            cell = parse_number(value, kind, placeholders)
            if key is not None:
                parsed[key] = cell
        cells.append(cell)
    return cells


def _checked(number: float, text: str, kind: Kind) -> Cell:
    if not math.isfinite(number):
        return Cell(None, text, "not a finite number")
    if kind is Kind.COUNT and not number.is_integer():
        return Cell(None, text, "count is not a whole number")
    if kind is not Kind.SIGNED and number < 0:
        return Cell(None, text, f"negative {kind.value}")
    return Cell(number, text)


def number_or_refuse(value, kind: Kind, *, source_id: str, location: str, what: str,
                     placeholders: frozenset[str] = frozenset()) -> float | None:
    """The number of a cell whose problem must refuse the file (a printed table whose
    figures are used together): SourceError naming `what` and the text as published."""
    cell = parse_number(value, kind, placeholders)
    if cell.problem is not None:
        raise SourceError(source_id, location, f"{what} {cell.text!r}: {cell.problem}")
    return cell.value


def parse_year(value, years: range, *, roc: bool = False) -> int | None:
    """A whole year (AD, or ROC with roc=True) inside `years` (AD), as AD; None otherwise
    (ROC 200 is no year of a table published in 2024, though 200 + 1911 is a number)."""
    cell = parse_number(value, Kind.COUNT)
    if cell.value is None or "." in cell.text or "," in cell.text:
        return None
    year = ad_year(int(cell.value)) if roc else int(cell.value)
    return year if year in years else None


def years_through_now(first: int = 1912) -> range:
    """From `first` (ROC 1 = 1912) to this year: the years a published figure (not a
    projection) can be dated."""
    return range(first, date.today().year + 1)
