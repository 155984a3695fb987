"""Township depth (issue "Current and township-deep data"): MOI household-registration figures
per 鄉鎮市區 as third parties tabulated them (mirror tables), and MOI SEGIS 2021-06 township
statistics (businesses by industry section, care and medical facilities, low-income households).

Every parser returns one row per published cell, in the publisher's own terms: the row's keys
(names, code, period as published), `measure` (the column name as published), `value` (the
number, or null when the cell is not a plain decimal number) and `value_text` (the cell as
published). Whether a cell is an acceptable count (whole, not negative) is decided in dbt, where
a rejected cell is quarantined with its text: '1e999', 'NaN' or '386336.7' never pass as numbers.
An empty cell is a gap in the source (missing, not zero): it yields no row.

Publisher quirks:
- The panel (panel_town.csv) has year columns for ROC 87-113, but only 109-113 (2020-2024) hold
  the population measures; it has no township code and township names repeat across counties.
  panel_county.csv is that mirror's sum of its own township rows (equal to them cell by cell).
- 鄉鎮市區_成長遷徙指標.csv dates its columns in their names: 109年底人口 (end of ROC 109),
  統計基準人口_11506 (2026-06), and the 近12月 flows end with that month.
- SEGIS .rda files are R data (bzip2): counts stored as doubles; `town_id` is the 8-digit code.
"""

import csv
import io
import math
import re
import tempfile
from pathlib import Path

import pandas as pd

from sources.catalog import GITHUB_RAW, Snapshot, Source, segis_source
from sources.errors import SourceError
from sources.numerals import plain_number_text

TOWNSHIP_PANEL = Source(
    id="township_panel_mirror",
    publisher="內政部戶政司 (ODRP019, ODRP055, ODRP031), tabulated by a third party",
    dataset="鄉鎮市區 年底人口, 面積, 出生數, 死亡數, 戶數, 年齡組人口 2020-2024 "
    "(panel_town, panel_county)",
    base_url=GITHUB_RAW,
    path="/donydony228/insurance-loc/0e2b67b0/data/panel/{level}.csv",
    format="csv",
    encoding="utf-8",
    cadence="yearly",
    kind="mirror_table",
    attribution="資料來源：內政部戶政司",
    snapshots=(
        Snapshot("panel_town.csv", {"level": "panel_town"}),
        Snapshot("panel_county.csv", {"level": "panel_county"}),
    ),
    notes="Mirror table of official year-end figures; no township codes; 2024 deaths of "
    "新北市板橋區 missing in the source. panel_county is the mirror's sum of its townships.",
)

TOWNSHIP_AGE = Source(
    id="moi_township_age",
    publisher="內政部戶政司 (ODRP014 村里五歲年齡組人口), aggregated to townships by a third party",
    dataset="鄉鎮市區 五歲年齡組 × 性別 人口 (鄉鎮市區_年齡結構)",
    base_url=GITHUB_RAW,
    path="/donydony228/insurance-loc/c7850fac/data/population/age_structure/鄉鎮市區_年齡結構.csv",
    format="csv",
    encoding="utf-8",
    cadence="monthly",
    kind="mirror_table",
    attribution="資料來源：內政部戶政司",
    snapshots=(Snapshot("鄉鎮市區_年齡結構.csv", {}),),
    notes="Month 2026-06 (統計年月 11506); the publisher's own file is "
    "https://www.ris.gov.tw/rs-opendata/api/v1/datastore/ODRP014/{yyymm} (by village).",
)

TOWNSHIP_MIGRATION = Source(
    id="moi_township_migration",
    publisher="內政部戶政司 (ODRP011 遷入遷出, ODRP012 出生死亡), aggregated by a third party",
    dataset="鄉鎮市區 成長遷徙指標: 年底人口 2020, 2025; 近12月 遷入, 遷出, 出生, 死亡",
    base_url=GITHUB_RAW,
    path="/donydony228/insurance-loc/c7850fac/data/population/growth_migration/"
    "鄉鎮市區_成長遷徙指標.csv",
    format="csv",
    encoding="utf-8",
    cadence="monthly",
    kind="mirror_table",
    attribution="資料來源：內政部戶政司",
    snapshots=(Snapshot("鄉鎮市區_成長遷徙指標.csv", {}),),
    notes="Flows over the 12 months ending 2026-06 (2025-07 ... 2026-06); with township codes.",
)

TOWNSHIP_POPULATION = Source(
    id="moi_township_population",
    publisher="內政部戶政司 (ODRP019), tabulated by a third party",
    dataset="鄉鎮市區 戶數, 人口數, 土地面積 (鄉鎮市區_人口統計)",
    base_url=GITHUB_RAW,
    path="/donydony228/insurance-loc/c7850fac/data/population/鄉鎮市區_人口統計.csv",
    format="csv",
    encoding="utf-8",
    cadence="monthly",
    kind="mirror_table",
    attribution="資料來源：內政部戶政司",
    snapshots=(Snapshot("鄉鎮市區_人口統計.csv", {}),),
    notes="Households and population of 2026-06; land area of the year in 面積密度統計年 (2025).",
)

# The ntupsc/pscdata commit of the SEGIS township files
PSCDATA_COMMIT = "cc4149c3ac40d3f7ca8e766162c7d23c45d03302"

SEGIS_POI = segis_source(
    id="segis_poi_town",
    dataset="鄉鎮市區 工商業家數 (行業大類), 社區照顧關懷據點, 醫療院所, 護產機構 (110年6月)",
    commit=PSCDATA_COMMIT,
    file="poi_town_202106.rda",
    level="township",
    notes="`town_id` is the 8-digit code.",
)
SEGIS_LOW_INCOME = segis_source(
    id="segis_low_income_town",
    dataset="鄉鎮市區 低收入戶及中低收入戶 戶數與戶內人數 (110年6月)",
    commit=PSCDATA_COMMIT,
    file="lmincome_town_202106.rda",
    level="township",
    notes="The *_rac ratio columns are not loaded: they are about 1/10 of count / total * 100 "
    "in every township (unit unknown).",
)

CELL_COLUMNS = ["measure", "value", "value_text"]

# the measures each file contributes (other columns are the mirror's own ratios, FIA income
# loaded from FIA's files, or not population figures, and are ignored)
PANEL_MEASURES = ("年底人口", "土地面積_km2", "出生數", "死亡數", "戶數", "0_14歲人口",
                  "15_64歲人口", "40_64歲人口", "65歲以上人口")
AGE_BANDS = [f"{age:02d}_{age + 4:02d}" for age in range(0, 100, 5)] + ["100up"]
AGE_MEASURES = ("戶數", "人口數", "男", "女", "0_14歲人口", "15_64歲人口", "40_64歲人口",
                "65歲以上人口", *(f"age_{band}_{sex}" for band in AGE_BANDS for sex in "mf"))
MIGRATION_MEASURES = ("遷入人數_近12月", "遷出人數_近12月", "出生數_近12月", "死亡數_近12月")
POPULATION_MEASURES = ("戶數", "人口數", "土地面積_km2")
POI_MEASURES = ("c_cnt", *(f"c1_{letter}_cnt" for letter in "abcdefghijklmnopqrs"),
                "ecare_cnt", "h_cnt", "h_bed", "p_cnt", "p_bed")
LOW_INCOME_MEASURES = ("rlh_cnt", "rlp_cnt", "rlh2_cnt", "rlp2_cnt")

_DECIMAL = re.compile(r"-?\d+(\.\d+)?")
_YEAR_END = re.compile(r"(\d{2,3})年底人口")
_BASE_MONTH = re.compile(r"統計基準人口_(\d{5})")


def parse_panel(raw: bytes) -> pd.DataFrame:
    """panel_town / panel_county: one row per (年, 縣市[, 鄉鎮市區]) and measure."""
    frame = _read_csv(TOWNSHIP_PANEL, raw)
    keys = ["年", "縣市", "鄉鎮市區"] if "鄉鎮市區" in frame.columns else ["年", "縣市"]
    _require_columns(TOWNSHIP_PANEL, frame, set(keys) | set(PANEL_MEASURES))
    cells = _cells(frame, keys, PANEL_MEASURES)
    if "鄉鎮市區" not in cells.columns:
        cells.insert(2, "鄉鎮市區", None)
    return cells.rename(columns={"年": "roc_year_text", "縣市": "county_name",
                                 "鄉鎮市區": "township_name"})


def parse_age_structure(raw: bytes) -> pd.DataFrame:
    """ODRP014 aggregated: one row per township, month and measure (five-year bands by sex as
    age_<from>_<to>_<m|f>, the last band age_100up_<m|f>)."""
    frame = _read_csv(TOWNSHIP_AGE, raw)
    keys = ["縣市", "鄉鎮市區", "統計年月"]
    _require_columns(TOWNSHIP_AGE, frame, set(keys) | set(AGE_MEASURES))
    return _cells(frame, keys, AGE_MEASURES).rename(
        columns={"縣市": "county_name", "鄉鎮市區": "township_name", "統計年月": "roc_yyymm_text"}
    )


def parse_migration(raw: bytes) -> pd.DataFrame:
    """Year-end populations and 12-month flows: one row per township and measure, with the
    period each column's name gives (`roc_period_text`: ROC year for 年底人口, ROC yyymm of the
    window's last month for the 近12月 flows) and its grain."""
    frame = _read_csv(TOWNSHIP_MIGRATION, raw)
    keys = ["行政區代碼", "縣市", "鄉鎮市區"]
    year_end_columns = [c for c in frame.columns if _YEAR_END.fullmatch(c)]
    base_month = [m[1] for c in frame.columns if (m := _BASE_MONTH.fullmatch(c))]
    if len(year_end_columns) == 0 or len(base_month) != 1:
        raise SourceError(TOWNSHIP_MIGRATION.id, "body",
                          "no NNN年底人口 column or not exactly one 統計基準人口_YYYMM column; "
                          f"got {list(frame.columns)}")
    _require_columns(TOWNSHIP_MIGRATION, frame, set(keys) | set(MIGRATION_MEASURES))
    year_ends = _cells(frame, keys, year_end_columns)
    year_ends["roc_period_text"] = year_ends["measure"].str.extract(_YEAR_END)[0]
    year_ends["grain"] = "year"
    year_ends["measure"] = "年底人口"
    flows = _cells(frame, keys, MIGRATION_MEASURES)
    flows["roc_period_text"] = base_month[0]
    flows["grain"] = "twelve_months"
    return pd.concat([year_ends, flows], ignore_index=True).rename(
        columns={"行政區代碼": "town_code", "縣市": "county_name", "鄉鎮市區": "township_name"}
    )


def parse_population(raw: bytes) -> pd.DataFrame:
    """Households, population and land area per township and month."""
    frame = _read_csv(TOWNSHIP_POPULATION, raw)
    keys = ["行政區代碼", "縣市", "鄉鎮市區", "統計年月"]
    _require_columns(TOWNSHIP_POPULATION, frame, set(keys) | set(POPULATION_MEASURES))
    return _cells(frame, keys, POPULATION_MEASURES).rename(
        columns={"行政區代碼": "town_code", "縣市": "county_name", "鄉鎮市區": "township_name",
                 "統計年月": "roc_yyymm_text"}
    )


def parse_segis_poi(raw: bytes) -> pd.DataFrame:
    """SEGIS businesses by industry section, care points, medical and nursing institutions."""
    return _parse_segis(SEGIS_POI, raw, POI_MEASURES)


def parse_segis_low_income(raw: bytes) -> pd.DataFrame:
    """SEGIS low-income (低收入) and middle-low-income (中低收入) households and persons."""
    return _parse_segis(SEGIS_LOW_INCOME, raw, LOW_INCOME_MEASURES)


def _parse_segis(source: Source, raw: bytes, measures: tuple[str, ...]) -> pd.DataFrame:
    import pyreadr

    if not raw.startswith((b"BZh", b"\x1f\x8b", b"\xfd7zXZ", b"RDX")):
        raise SourceError(source.id, "body", "not an R data file (.rda: bzip2, gzip or xz)")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.rda"
        path.write_bytes(raw)
        try:
            objects = pyreadr.read_r(str(path))
        except Exception as exc:  # pyreadr raises its own and zlib/bz2 errors alike
            raise SourceError(source.id, "body", f"R data file does not read ({exc})") from exc
    if len(objects) != 1:
        raise SourceError(source.id, "body", f"expected one data frame, got {list(objects)}")
    frame = next(iter(objects.values()))
    keys = ["info_time", "countytown", "town_id"]
    _require_columns(source, frame, set(keys) | set(measures))
    long = frame[keys + list(measures)].melt(id_vars=keys, var_name="measure", value_name="cell")
    # kept as text: R's NA ('NA'), infinities and fractions are quarantined in dbt (SEGIS
    # publishes every township, so a gap is a fault, unlike the panel's empty cells)
    long["value_text"] = long["cell"].map(_number_text)
    long["value"] = long["cell"].map(_finite_or_none)
    return long.drop(columns="cell").reset_index(drop=True)


def _read_csv(source: Source, raw: bytes) -> pd.DataFrame:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(source.id, "body", f"not UTF-8 as published ({exc.reason})") from exc
    if text.lstrip()[:1] == "<":
        raise SourceError(source.id, "body", "got an HTML/XML page where CSV was expected")
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or len(rows) < 2:
        raise SourceError(source.id, "body", "no data rows")
    header = [column.strip() for column in rows[0]]
    widths = {len(row) for row in rows[1:] if row}
    if widths != {len(header)}:
        raise SourceError(source.id, "body",
                          f"rows of {sorted(widths)} fields under a header of {len(header)}")
    return pd.DataFrame([row for row in rows[1:] if row], columns=header, dtype="string")


def _cells(frame: pd.DataFrame, keys: list[str], measures) -> pd.DataFrame:
    long = frame[keys + list(measures)].melt(id_vars=keys, var_name="measure",
                                             value_name="value_text")
    long["value_text"] = long["value_text"].astype("string").str.strip()
    long = long[long["value_text"].notna() & (long["value_text"] != "")]
    long["value"] = long["value_text"].map(parse_decimal)
    for key in keys:
        long[key] = long[key].str.strip()
    return long[keys + CELL_COLUMNS].reset_index(drop=True)


def parse_decimal(text) -> float | None:
    """'12,744', '１２７４４', '146.6541' -> a number; anything else ('1e999', 'NaN', '-', '…',
    'inf') -> None, so the caller keeps the text and dbt quarantines it."""
    cleaned = plain_number_text(text)
    return float(cleaned) if _DECIMAL.fullmatch(cleaned) else None


def _finite_or_none(value) -> float | None:
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else None


def _number_text(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "NA"
    return repr(float(value)) if isinstance(value, int | float) else str(value)


def _require_columns(source: Source, frame: pd.DataFrame, expected: set[str]) -> None:
    missing = expected - set(frame.columns)
    if missing:
        raise SourceError(
            source.id, "body", f"missing column(s) {sorted(missing)}; got {list(frame.columns)}"
        )
