"""County tax revenue by tax item (issue 6): 財政部「賦稅收入實徵淨額」by 地區別 and 稅目別.

Dataset: data.gov.tw dataset 6742, served as a CSV download from the MOF statistics database
(財政統計資料庫) with `utf=1` for UTF-8 output. One row per 統計期 and 地區別, one column per tax
item (地價稅, 房屋稅, 土地增值稅, …), values in 千元.

Publisher quirks:
- 統計期 is a ROC year with its unit, e.g. '112年' (= 2023).
- 地區別 is bilingual, '臺北市/Taipei City'; the Chinese part before '/' is kept.
- '－' (full-width hyphen) means zero; numbers may carry thousands separators.

NO REAL COPY could be obtained offline: the bundled snapshot is a SYNTHETIC fixture written in
that documented layout (four counties, six tax items, invented values) and is flagged
synthetic. Its years, 102–103年, are years the warehouse has county population for, so
per-capita property tax can be derived from it. The query parameters in `path` other than
utf=1 are unverified; check them against the dataset's resource URL before the first live run.
"""

import io
import re

import pandas as pd

from sources.catalog import Snapshot, Source
from sources.errors import SourceError
from sources.roc_calendar import ad_year

TAX_REVENUE = Source(
    id="mof_tax_revenue",
    publisher="財政部",
    dataset="賦稅收入實徵淨額－按地區別及稅目別分 (data.gov.tw 6742, 財政統計資料庫)",
    base_url="https://web02.mof.gov.tw",
    path="/njswww/WebProxy.aspx?sys=220&ym={from_roc}&ymt={to_roc}&outmode=8&utf=1",
    format="csv",
    encoding="utf-8",
    cadence="yearly",
    attribution="資料來源：財政部",
    kind="synthetic",
    snapshots=(
        Snapshot(
            "mof_tax_revenue_by_county_102-103_SYNTHETIC.csv",
            {"from_roc": "102", "to_roc": "103"},
            synthetic=True,
        ),
    ),
    notes="Bundled snapshot is SYNTHETIC (invented values in the statdb CSV layout). 千元.",
)

PERIOD, REGION = "統計期", "地區別"
REQUIRED = {PERIOD, REGION, "地價稅", "房屋稅"}
COLUMNS = ["region_name", "tax_item_zh", "year", "value_thousand_ntd"]
ZERO = "－"
_ROC_YEAR = re.compile(r"(\d{2,3})年")


def parse_tax_revenue(raw: bytes) -> pd.DataFrame:
    """Wide tax items to one row per county, tax item and year, in 千元."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(
            TAX_REVENUE.id, "body", f"not UTF-8 (was utf=1 dropped from the URL?) ({exc.reason})"
        ) from exc
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    frame.columns = [column.strip() for column in frame.columns]
    missing = REQUIRED - set(frame.columns)
    if missing:
        raise SourceError(
            TAX_REVENUE.id,
            "body",
            f"missing column(s) {sorted(missing)}; got {list(frame.columns)}",
        )
    long = frame.melt(id_vars=[PERIOD, REGION], var_name="tax_item_zh", value_name="cell")
    return pd.DataFrame(
        {
            "region_name": long[REGION].str.split("/").str[0].str.strip(),
            "tax_item_zh": long["tax_item_zh"],
            "year": long[PERIOD].map(_ad_year),
            "value_thousand_ntd": long["cell"].map(_thousand_ntd),
        }
    )[COLUMNS]


def _ad_year(period: str) -> int:
    match = _ROC_YEAR.fullmatch(period.strip())
    if match is None:
        raise SourceError(
            TAX_REVENUE.id, "body", f"{PERIOD} {period!r} is not an ROC year like '112年'"
        )
    return ad_year(int(match[1]))


def _thousand_ntd(cell: str) -> float:
    text = cell.strip()
    if text == ZERO:
        return 0.0
    try:
        return float(text.replace(",", ""))
    except ValueError as exc:
        raise SourceError(TAX_REVENUE.id, "body", f"{text!r} is neither a number nor '－'") from exc
