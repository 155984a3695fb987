"""Tourism (domain 6): 交通部觀光署 visitors to the principal recreation spots, by month.

The publisher's wide table (one row per spot and year, one column per month) becomes one row
per spot and month; names stay as published (台/臺 mixed in spot names: normalised in dbt).
"""

import csv
import io

import pandas as pd

from sources.catalog import Snapshot, Source
from sources.errors import SourceError
from sources.values import Kind, number_or_refuse, parse_year, years_through_now

VISITORS = Source(
    id="tourism_spot_visitors",
    publisher="交通部觀光署",
    dataset="歷年國內主要觀光遊憩據點遊客人數月別統計",
    base_url="https://media.taiwan.net.tw",
    path="/od/01_PRD/歷年國內主要觀光遊憩據點遊客人數月別統計.csv",
    format="csv",
    encoding="cp950",
    cadence="monthly",
    attribution="資料來源：交通部觀光署",
    # the newest release we hold (2012-2021, UTF-8); the earlier Big5 release (2012-2019) is
    # kept beside it for the parser's tests: its rows equal the newer file's cell by cell
    snapshots=(Snapshot("tourism_spot_visitors_monthly_2012_2021_utf8.csv"),),
    notes="Published in Big5 (CP950) and later in UTF-8; both read the same. The bundled "
    "release covers 2012-2021 and stops at 2021-10 (November and December 2021 blank). "
    "觀光遊憩區 is ' -' (to 2019) or '-' (from 2020) when the spot belongs to no recreation "
    "area; a spot with no count has blank months.",
)
# The previous release: Big5, 2012-2019, byte-for-byte as published (no longer fetched).
BIG5_RELEASE_2019 = "tourism_spot_visitors_monthly_2012_2019.csv"

KEY_COLUMNS = ("年別", "類型", "觀光遊憩區", "細分", "縣市別")
TOTAL_COLUMN = "合計"
# Releases differ in how they head the months: 1月…12月 or 一月…十二月.
MONTH_HEADERS = (
    tuple(f"{m}月" for m in range(1, 13)),
    ("一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月", "十一月",
     "十二月"),
)
NOT_APPLICABLE = frozenset({"", "-", "－"})

VISITOR_COLUMNS = [
    "year", "spot_type", "recreation_area", "spot_name", "county_name", "month", "visitors",
    "reported_annual_total",
]


def parse_visitors(raw: bytes) -> pd.DataFrame:
    """Wide months (1月…12月 or 一月…十二月) to one row per spot and month.

    Columns: year (AD), spot_type (類型), recreation_area (觀光遊憩區, None for '-'),
    spot_name (細分), county_name (縣市別), month (1-12), visitors (Int64, null where the
    publisher left the month blank or '-'), reported_annual_total (the row's 合計, Int64).
    """
    rows = list(csv.reader(io.StringIO(_decode(raw))))
    if not rows:
        raise SourceError(VISITORS.id, "body", "empty CSV")
    header = [name.strip() for name in rows[0]]
    months = next((m for m in MONTH_HEADERS if set(m) <= set(header)), None)
    missing = [c for c in (*KEY_COLUMNS, TOTAL_COLUMN) if c not in header]
    if months is None:
        missing.append("1月…12月 or 一月…十二月")
    if missing:
        raise SourceError(VISITORS.id, "body", f"missing column(s) {missing}; got {header}")
    at = {name: header.index(name) for name in (*KEY_COLUMNS, TOTAL_COLUMN, *months)}
    records = []
    for line_no, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise SourceError(
                VISITORS.id, f"line {line_no}", f"{len(row)} fields where the header has "
                f"{len(header)}"
            )
        cell = {name: row[i].strip() for name, i in at.items()}
        year = parse_year(cell["年別"], years_through_now())
        if year is None:
            problem = f"年別 {cell['年別']!r} is not a past year"
            raise SourceError(VISITORS.id, f"line {line_no}", problem)
        area = None if cell["觀光遊憩區"] in NOT_APPLICABLE else cell["觀光遊憩區"]
        total = _count(cell[TOTAL_COLUMN], line_no, TOTAL_COLUMN)
        for month, name in enumerate(months, start=1):
            records.append((
                year, cell["類型"], area, cell["細分"], cell["縣市別"], month,
                _count(cell[name], line_no, name), total,
            ))
    frame = pd.DataFrame.from_records(records, columns=VISITOR_COLUMNS)
    for column in ("visitors", "reported_annual_total"):
        frame[column] = frame[column].astype("Int64")
    return frame


def reconcile_annual_totals(visitors: pd.DataFrame) -> pd.DataFrame:
    """Spots whose months do not add up to the 合計 the publisher printed beside them.

    One row per spot and year: the key columns, month_sum (blank months count as nothing),
    months_reported and reported_annual_total. Empty when every row adds up.
    """
    keys = ["year", "spot_type", "recreation_area", "spot_name", "county_name"]
    sums = (
        visitors.groupby(keys, dropna=False, sort=False)
        .agg(
            month_sum=("visitors", "sum"),
            months_reported=("visitors", "count"),
            reported_annual_total=("reported_annual_total", "first"),
        )
        .reset_index()
    )
    differs = (sums["month_sum"] != sums["reported_annual_total"]).fillna(True)
    return sums[differs].reset_index(drop=True)


def _decode(raw: bytes) -> str:
    # Published as Big5 (CP950), but re-releases have been UTF-8. Try UTF-8 first: Big5 text
    # is practically never valid UTF-8, whereas UTF-8 bytes can decode as CP950 mojibake.
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp950")
    except UnicodeDecodeError as exc:
        raise SourceError(
            VISITORS.id,
            "body",
            f"neither CP950 (Big5, as published) nor UTF-8: undecodable bytes at offset "
            f"{exc.start}",
        ) from exc


def _count(text: str, line_no: int, column: str) -> int | None:
    # a spot's months and 合計 are used together (the 合計 check, county sums): a count that
    # is no whole, non-negative number refuses the file
    visitors = number_or_refuse(text, Kind.COUNT, source_id=VISITORS.id,
                                location=f"line {line_no}", what=column,
                                placeholders=NOT_APPLICABLE)
    return None if visitors is None else int(visitors)
