"""County labour and household-income tables (issue 6): 勞動部「勞動統計年報」.

Datasets: 105年 (2016) yearbook, 表2-3 人力資源概況－按地區分 (annual average 2016, with the 2014
and 2015 rates alongside) and 表14-2 平均每戶家庭收支概況－按地區分 (2015). The figures are
行政院主計總處's 人力資源調查 and 家庭收支調查, republished by the ministry.

Publisher quirks (the CSV is the printed page, not a data table):
- Big5 (CP950) bytes; the encoding is detected with charset-normalizer, not assumed.
- Headers span up to nine rows, Chinese and English interleaved, one page column per cell; the
  2-3 table puts the 2014 and 2015 rates in the columns after each 2016 rate.
- Region names are spaced for print with ASCII and full-width spaces (「　新 北 市」,
  「總　  平　  均」); the spaces are removed, the names otherwise kept as published.
- Page-number rows (-10-, -394-), a 資料來源 row and 說明 rows follow the data.
- 總計 / 總平均 plus the 20 counties of the Taiwan area: 金門縣 and 連江縣 are not surveyed.
- The yearbook index page is https://www.mol.gov.tw/statistics/2452/2455/; the per-table
  download path below is the snapshot key and has not been checked against the live site.
"""

import csv
import io
import re
from dataclasses import dataclass

import charset_normalizer
import pandas as pd

from sources.catalog import Snapshot, Source
from sources.errors import SourceError
from sources.roc_calendar import ad_year

MANPOWER_BY_AREA = Source(
    id="mol_manpower_by_area",
    publisher="勞動部",
    dataset="勞動統計年報 表2-3 人力資源概況－按地區分",
    base_url="https://www.mol.gov.tw",
    path="/statistics/2452/2455/{roc_year}/{table}.csv",
    format="csv",
    encoding="cp950",
    cadence="yearly",
    attribution="資料來源：勞動部（原始資料：行政院主計總處人力資源調查）",
    snapshots=(
        Snapshot("mol2016_table2-3_manpower_by_area_big5.csv", {"roc_year": "105", "table": "2-3"}),
    ),
    notes="Yearbook print layout in Big5; 2016 averages plus the 2014 and 2015 rates.",
)

HOUSEHOLD_INCOME_BY_AREA = Source(
    id="mol_household_income_by_area",
    publisher="勞動部",
    dataset="勞動統計年報 表14-2 平均每戶家庭收支概況－按地區分",
    base_url="https://www.mol.gov.tw",
    path="/statistics/2452/2455/{roc_year}/{table}.csv",
    format="csv",
    encoding="cp950",
    cadence="yearly",
    attribution="資料來源：勞動部（原始資料：行政院主計總處家庭收支調查）",
    snapshots=(
        Snapshot(
            "mol2016_table14-2_household_income_expenditure_by_area_big5.csv",
            {"roc_year": "105", "table": "14-2"},
        ),
    ),
    notes="Yearbook print layout in Big5; the 105年 yearbook carries 104年 (2015) survey results.",
)

COLUMNS = ["region_name", "measure", "measure_zh", "year", "value", "unit"]


@dataclass(frozen=True)
class Column:
    """One printed column: where it is, a word its header must contain, what it measures."""

    position: int
    header_has: str
    measure: str
    measure_zh: str
    unit: str


MANPOWER_COLUMNS = (
    Column(2, "民間人口", "civilian_pop_15plus_thousand", "15歲以上民間人口", "千人"),
    Column(3, "勞動力", "labour_force_thousand", "勞動力", "千人"),
    Column(4, "就業者", "employed_thousand", "就業者", "千人"),
    Column(5, "失業者", "unemployed_thousand", "失業者", "千人"),
    Column(6, "非勞動力", "not_in_labour_force_thousand", "非勞動力", "千人"),
    Column(7, "勞動力參與率", "lfpr_pct", "勞動力參與率", "%"),
    Column(8, "年平均", "lfpr_pct", "勞動力參與率", "%"),
    Column(9, "年平均", "lfpr_pct", "勞動力參與率", "%"),
    Column(10, "失業率", "unemployment_rate_pct", "失業率", "%"),
    Column(11, "年平均", "unemployment_rate_pct", "失業率", "%"),
    Column(12, "年平均", "unemployment_rate_pct", "失業率", "%"),
)

HOUSEHOLD_INCOME_COLUMNS = (
    Column(2, "家庭戶數", "households", "家庭戶數", "戶"),
    Column(3, "人數", "persons_per_household", "平均每戶人數", "人"),
    Column(4, "就業人數", "employed_per_household", "平均每戶就業人數", "人"),
    Column(5, "收入者人數", "income_recipients_per_household", "平均每戶所得收入者人數", "人"),
    Column(6, "所得收入", "receipts_ntd", "所得收入", "元"),
    Column(7, "非消費支出", "nonconsumption_expenditure_ntd", "非消費支出", "元"),
    Column(8, "可支配所得", "disposable_income_ntd", "可支配所得", "元"),
    Column(9, "消費支出", "consumption_expenditure_ntd", "消費支出", "元"),
    Column(10, "儲蓄Saving", "saving_ntd", "儲蓄", "元"),
    Column(11, "儲蓄率", "saving_rate_pct", "儲蓄率", "%"),
    Column(12, "住宅坪數", "floor_space_ping", "住宅坪數", "坪"),
    Column(13, "自有住宅率", "home_ownership_rate_pct", "自有住宅率", "%"),
)

# Encodings that can carry the tables' Chinese text. Big5/CP950 is what MOL publishes.
CHINESE_ENCODINGS = {"big5", "cp950", "big5hkscs", "gb2312", "gbk", "gb18030", "utf_8"}
_SPACES = re.compile(r"\s+")  # in str patterns \s also matches the full-width space U+3000
_REGION = re.compile(r"[\u4e00-\u9fff]+")  # data rows start with a name in CJK only
_NUMBER = re.compile(r"-?[\d,]+(\.\d+)?")
_REFERENCE_PERIOD = re.compile(r"中華民國(\d{2,3})年")
_HEADER_YEAR = re.compile(r"(\d{2,3})年")


def parse_manpower_by_area(raw: bytes) -> pd.DataFrame:
    """表2-3: labour force status by county, one row per region, measure and year."""
    return _parse_yearbook_table(MANPOWER_BY_AREA, raw, "人力資源概況", MANPOWER_COLUMNS)


def parse_household_income_by_area(raw: bytes) -> pd.DataFrame:
    """表14-2: average household income and expenditure by county, one row per region and
    measure."""
    return _parse_yearbook_table(
        HOUSEHOLD_INCOME_BY_AREA, raw, "平均每戶家庭收支概況", HOUSEHOLD_INCOME_COLUMNS
    )


def _parse_yearbook_table(
    source: Source, raw: bytes, title: str, columns: tuple[Column, ...]
) -> pd.DataFrame:
    text = decode_chinese(source, raw)
    if title not in text:
        raise SourceError(source.id, "body", f"no table titled {title!r}")
    rows = list(csv.reader(io.StringIO(text)))
    period_at = next(
        (i for i, row in enumerate(rows) if _REFERENCE_PERIOD.search("".join(row))), None
    )
    if period_at is None:
        raise SourceError(source.id, "body", "no 中華民國NNN年 reference period above the header")
    reference_year = ad_year(int(_REFERENCE_PERIOD.search("".join(rows[period_at]))[1]))
    data_at = next(
        (i for i in range(period_at + 1, len(rows)) if _is_data_row(rows[i], columns)), None
    )
    if data_at is None:
        raise SourceError(source.id, "body", "no data rows under the header")

    header_rows = rows[period_at + 1 : data_at]
    header = [
        _SPACES.sub("", "".join(row[c] for row in header_rows if c < len(row)))
        for c in range(max(len(row) for row in header_rows))
    ]
    years = {}
    for column in columns:
        text_above = header[column.position] if column.position < len(header) else ""
        if column.header_has not in text_above:
            raise SourceError(
                source.id,
                "header",
                f"column {column.position + 1} should be {column.header_has!r}, "
                f"header reads {text_above!r}",
            )
        own_year = _HEADER_YEAR.search(text_above)  # the 2-3 table's 103年平均, 104年平均
        years[column.position] = ad_year(int(own_year[1])) if own_year else reference_year

    records = []
    for row in rows[data_at:]:
        if not _is_data_row(row, columns):
            continue  # 資料來源, 說明 and page-number rows
        region = _SPACES.sub("", row[0])
        for column in columns:
            cell = row[column.position].strip().replace(",", "")
            try:
                value = float(cell)
            except ValueError as exc:
                raise SourceError(
                    source.id, "body", f"{region} {column.measure_zh}: {cell!r} is not a number"
                ) from exc
            records.append(
                (
                    region,
                    column.measure,
                    column.measure_zh,
                    years[column.position],
                    value,
                    column.unit,
                )
            )
    return pd.DataFrame(records, columns=COLUMNS)


def _is_data_row(row: list[str], columns: tuple[Column, ...]) -> bool:
    """A CJK-only region name and at least one number under the measure columns (header rows
    also start with a CJK word, 地區別, but carry no numbers)."""
    widest = max(column.position for column in columns)
    return (
        len(row) > widest
        and _REGION.fullmatch(_SPACES.sub("", row[0])) is not None
        and any(_NUMBER.fullmatch(row[column.position].strip()) for column in columns)
    )


def decode_chinese(source: Source, raw: bytes) -> str:
    """Decode with the encoding charset-normalizer detects; refuse anything not Chinese."""
    best = charset_normalizer.from_bytes(raw).best()
    if best is None or best.encoding not in CHINESE_ENCODINGS:
        detected = best.encoding if best else "nothing"
        raise SourceError(
            source.id, "body", f"cannot be decoded as a Chinese encoding (detected {detected})"
        )
    return str(best)


# --- County labour panel 2019-2024 (a transcription) -------------------------------------

LABOUR_PANEL = Source(
    id="county_labour_panel",
    publisher="行政院主計總處 (transcribed by beckyyts/taiwan-labor-market-analysis)",
    dataset="縣市勞動市場面板 2019-2024: 受僱員工全年總薪資中位數, 勞動力參與率, 失業率, "
    "大專及以上教育程度比率, 工業就業者比率",
    base_url="https://raw.githubusercontent.com",
    path="/beckyyts/taiwan-labor-market-analysis/{commit}/data/raw/taiwan_panel_2019_2024.csv",
    format="csv",
    encoding="utf-8",
    cadence="yearly",
    kind="transcription",
    licence="no licence file; the figures are DGBAS open data (OGDL-TW v1.0)",
    attribution="資料來源：行政院主計總處（工業及服務業受僱員工全年總薪資統計、人力資源調查、"
    "縣市重要統計指標）",
    snapshots=(
        Snapshot("taiwan_panel_2019_2024.csv",
                 {"commit": "48109ad83ef16c9c7e93cba40db4e5a841dcf163"}),
    ),
    notes="Hand-built: one row per county and year; wage_median_10k in 萬元 per year, empty for "
    "金門縣 and 連江縣 (not surveyed); rates in %. DGBAS's own file wins where both give a value.",
)

# the columns read, as the panel names them; aging_idx, density and log_density are derived
# by the transcriber from population counts the warehouse holds itself and are not read
LABOUR_PANEL_MEASURES = ("wage_median_10k", "lfpr", "unemp_rate", "college_pct", "industry_pct")
_DECIMAL = re.compile(r"-?\d+(\.\d+)?")


def parse_labour_panel(raw: bytes) -> pd.DataFrame:
    """Long: county (as written), year, measure (the panel's column name), value (a plain
    decimal, else null) and value_text, the cell as written (empty = not published; anything
    else that is not a plain decimal, such as 'NaN' or '1e999', is quarantined in dbt)."""
    source_id = LABOUR_PANEL.id
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(source_id, "body", f"not UTF-8 as published ({exc.reason})") from exc
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise SourceError(source_id, "body", "empty CSV")
    header = [name.strip() for name in rows[0]]
    missing = [c for c in ("county", "year", *LABOUR_PANEL_MEASURES) if c not in header]
    if missing:
        raise SourceError(source_id, "body", f"missing column(s) {missing}; got {header}")
    at = {name: header.index(name) for name in ("county", "year", *LABOUR_PANEL_MEASURES)}
    records = []
    for line_no, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise SourceError(source_id, f"line {line_no}",
                              f"{len(row)} fields where the header has {len(header)}")
        year = row[at["year"]].strip()
        if not re.fullmatch(r"(19|20)\d\d", year):
            raise SourceError(source_id, f"line {line_no}", f"year {year!r} is not a year")
        for measure in LABOUR_PANEL_MEASURES:
            cell = row[at[measure]].strip()
            value = float(cell) if _DECIMAL.fullmatch(cell) else None
            records.append((row[at["county"]].strip(), int(year), measure, value, cell))
    if not records:
        raise SourceError(source_id, "body", "no data rows under the header")
    return pd.DataFrame.from_records(
        records, columns=["county", "year", "measure", "value", "value_text"]
    )
