"""財政部財政資訊中心 綜合所得稅 statistics (issue "Current and township-deep data"): filing
units and 綜合所得總額 (千元) with their distribution (mean, median, quartiles, SD, CV) by
county, township and village, and income by category by county and township.

All four sources are mirror tables: official FIA figures in a third party's layout, each with
its own source id so a later official download can replace it.
- 2012-2018 (ROC 101-107): R data files of ntupsc/pscdata, read with pyreadr. Names only (no
  codes): county, town, village columns; each town has one village row 「其他」 for returns
  not placed in a village.
- 2023 (ROC 112): the 「合計」 row of each township of 112_165-9, with 8-digit codes.
- 2024 (ROC 113, preliminary 初步核定): county rows of 表6-1 and township 「合計」 rows of 表165
  as JSON keyed by MOI code; a manifest states the release status.

Parsers return one row per published cell (level, year, names or code, measure as the
publisher or mirror names it) with `value` and, beside it, `value_text` as published and
`value_problem` when the cell is no usable figure (not a number, not finite, a count that is
not whole, a negative amount): dbt quarantines those with their text, never a silent null.
"""

import csv
import io
import json
import re
import tempfile
from pathlib import Path

import pandas as pd

from sources.catalog import GITHUB_RAW, Snapshot, Source, pscdata_source
from sources.errors import SourceError
from sources.roc_calendar import roc_year
from sources.values import Kind, parse_cells, parse_year, years_through_now

FIA = "財政部財政資訊中心"
ATTRIBUTION = "資料來源：財政部財政資訊中心"
PSCDATA_COMMIT = "d0dbec93ceba2db5829c28ed18de80dece5fd86a"

INCOME_DISTRIBUTION = pscdata_source(
    id="fia_income_distribution",
    publisher=FIA,
    dataset=(
        "綜稅綜合所得總額全國各縣市鄉鎮村里統計分析表 (表165-9; data.gov.tw/dataset/103066), "
        "income years 2012-2018, as mirrored by ntupsc/pscdata"
    ),
    commit=PSCDATA_COMMIT,
    files=("individual_income_county.rda", "individual_income_town.rda",
           "individual_income_village.rda"),
    cadence="yearly",
    attribution=ATTRIBUTION,
    notes=(
        "Official: https://data.gov.tw/dataset/103066 (FIA 綜稅綜合所得總額, 表165-9). Mirror "
        "table (R data, bzip2): names, no codes; one 「其他」 village per town; county rows "
        "carry units and totals only. 千元."
    ),
)

INCOME_BY_CATEGORY = pscdata_source(
    id="fia_income_by_category",
    publisher=FIA,
    dataset=(
        "綜稅所得總額各類所得金額 by county and township (data.gov.tw/dataset/17780), income "
        "years 2012-2016 and 2018, as mirrored by ntupsc/pscdata"
    ),
    commit=PSCDATA_COMMIT,
    files=("category_income_county.rda", "category_income_town.rda"),
    cadence="yearly",
    attribution=ATTRIBUTION,
    notes=(
        "Official: https://data.gov.tw/dataset/17780. Mirror table; 2017 missing; the 2015 "
        "table lists 高雄市永安區 twice (no 橋頭區) and lacks 連江縣東引鄉. 千元."
    ),
)

TOWNSHIP_INCOME_2023 = Source(
    id="fia_township_income_2023",
    publisher=FIA,
    dataset=(
        "綜稅綜合所得總額 鄉鎮市區 「合計」 rows of 112_165-9 (income year 2023; "
        "data.gov.tw/dataset/103066), as mirrored by donydony228/insurance-loc"
    ),
    base_url=GITHUB_RAW,
    path="/donydony228/insurance-loc/{commit}/data/income/鄉鎮市區_綜合所得稅統計.csv",
    format="csv",
    encoding="utf-8",
    cadence="yearly",
    kind="mirror_table",
    attribution=ATTRIBUTION,
    snapshots=(
        Snapshot("鄉鎮市區_綜合所得稅統計.csv",
                 {"commit": "c7850fac7b71a8240bb369d5695bad4c6d0f5eb5"}),
    ),
    notes=(
        "Official: https://data.gov.tw/dataset/103066 (112_165-9). 368 townships with 8-digit "
        "codes; UTF-8 with BOM, CRLF; county 「其他」 rows are not in it. 千元."
    ),
)

INCOME_2024_PRELIMINARY = Source(
    id="fia_income_2024_preliminary",
    publisher=FIA,
    dataset=(
        "綜合所得稅申報初步核定統計專冊 113年度 (income year 2024, preliminary): county 表6-1, "
        "township 表165 「合計」 rows, as mirrored by weihuatw/TaiwanDistrictMap"
    ),
    base_url=GITHUB_RAW,
    path="/weihuatw/TaiwanDistrictMap/{commit}/public/data/income/2024/{file}.json",
    format="json",
    encoding="utf-8",
    cadence="yearly",
    kind="mirror_table",
    attribution=ATTRIBUTION,
    snapshots=tuple(
        Snapshot(f"{name}.json", {"commit": "977961d38d9734adb4899cd140fc60b75c2deade",
                                  "file": name})
        for name in (
            "manifest", "counties",
            *(f"towns/{code}" for code in (
                "09007", "09020", "10002", "10004", "10005", "10007", "10008", "10009",
                "10010", "10013", "10014", "10015", "10016", "10017", "10018", "10020",
                "63000", "64000", "65000", "66000", "67000", "68000",
            )),
        )
    ),
    notes=(
        "Official: https://www.fia.gov.tw/singlehtml/43?cntId=4c3fc1e8a7c545179280b6a50a27cd35 "
        "(released 2026-06-30). PRELIMINARY. County median/quartiles not published; the mirror's "
        "meanK is its own division (reportedMeanK is FIA's). FIA keeps county 「其他」 rows "
        "beyond the town sums. 千元."
    ),
)

COLUMNS = ["level", "year", "year_is_roc", "region_code", "county_name", "town_name",
           "village_name", "measure", "value", "value_text", "value_problem"]

# Filing units are counts (whole, non-negative); everything else is an amount or a statistic
# that FIA publishes as non-negative (千元, or % for the coefficient of variation).
COUNT_MEASURES = {"unit", "納稅單位(戶)", "taxUnits"}

# pscdata's columns: the distribution file (103066) and the category file (17780). 申報大於歸戶
# (filing_more_than_return, may be negative), 薪資淨所得 and the income recomputed from it are
# reconciliation and post-deduction figures, not categories of 綜合所得總額: not loaded.
DISTRIBUTION_MEASURES = ["unit", "individual_income", "avg", "median", "q1", "q3", "sd", "var"]
CATEGORY_MEASURES = [
    "profit_seeking_income", "professional_practice_income", "employment_income",
    "interest_income", "lease_royalties_income", "property_transaction_income",
    "award_chance_income", "dividends_income", "separation_income", "other_income",
    "published_aritcles_income",
]

CSV_2023_MEASURES = ["納稅單位(戶)", "綜合所得總額", "平均數", "中位數", "第一分位數", "第三分位數",
                     "標準差", "變異係數"]
CSV_2023_KEYS = ["行政區代碼", "縣市", "鄉鎮市區", "統計年度"]

# 2024 JSON fields: FIA's own figures. meanK is the mirror's division, not loaded; counties
# (表6-1) publish units and totals only.
JSON_2024_COUNTY_MEASURES = ["taxUnits", "incomeTotalK"]
JSON_2024_TOWN_MEASURES = ["taxUnits", "incomeTotalK", "reportedMeanK", "medianK", "q1K", "q3K",
                           "standardDeviationK", "coefficientOfVariation"]

# 2001 to this year: anything else is not a year of these tables (income years are past)
AD_YEARS = years_through_now(2001)
ROC_YEARS = range(roc_year(AD_YEARS.start), roc_year(AD_YEARS.stop))



def cell(value, measure: str) -> tuple[float | None, str, str | None]:
    """One published cell -> (value, text as published, problem or None), by the shared rule
    (sources.values): a count must be a whole number; no figure may be negative, infinite or
    NaN; text must be a plain number (thousands separators and full-width digits allowed)."""
    return cells([value], measure)[0]


def cells(values: list, measure: str) -> list[tuple[float | None, str, str | None]]:
    """`cell` of each value of one measure (each distinct value parsed once)."""
    parsed = parse_cells(values, Kind.COUNT if measure in COUNT_MEASURES else Kind.AMOUNT)
    return [(each.value, "null" if value is None else each.text, each.problem)
            for value, each in zip(values, parsed, strict=True)]


def _long(records: list[dict], measures: list[str], *, level: str, year_is_roc: bool
          ) -> pd.DataFrame:
    """Wide publisher rows (with the COLUMNS keys and one key per measure) to one row per cell."""
    parsed = {measure: cells([record[measure] for record in records], measure)
              for measure in measures}
    rows = []
    for index, record in enumerate(records):
        for measure in measures:
            value, text, problem = parsed[measure][index]
            rows.append({
                "level": level, "year": record["year"], "year_is_roc": year_is_roc,
                "region_code": record.get("region_code"),
                "county_name": record.get("county_name"), "town_name": record.get("town_name"),
                "village_name": record.get("village_name"), "measure": measure,
                "value": value, "value_text": text, "value_problem": problem,
            })
    frame = pd.DataFrame(rows, columns=COLUMNS)
    # explicit types: an all-null name column would otherwise load as a non-text column
    text = ["level", "region_code", "county_name", "town_name", "village_name", "measure",
            "value_text", "value_problem"]
    return frame.astype({**dict.fromkeys(text, "string"), "value": "float64", "year": "int64"})


def _year(source_id: str, value, years: range) -> int:
    """A row's year: a whole number inside `years`, else the file is not this table."""
    year = parse_year(value, years)
    if year is None:
        raise SourceError(source_id, "body", f"year {value!r} is not a year of this table")
    return year


def _read_rda(source_id: str, raw: bytes) -> pd.DataFrame:
    """The single data frame of an R data file (pyreadr reads paths, not bytes)."""
    import pyreadr

    # R's save() writes RDX2/RDX3, gzip-, bzip2- or xz-compressed
    if not raw.startswith((b"RDX", b"\x1f\x8b", b"BZh", b"\xfd7zXZ")):
        raise SourceError(source_id, "body", "not an R data file (.rda)")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.rda"
        path.write_bytes(raw)
        try:
            frames = pyreadr.read_r(str(path))
        except (pyreadr.custom_errors.PyreadrError, ValueError, OSError) as exc:
            raise SourceError(source_id, "body", f"R data file does not read ({exc})") from exc
    if len(frames) != 1:
        raise SourceError(source_id, "body", f"expected one data frame, got {list(frames)}")
    return next(iter(frames.values()))


def _require(source_id: str, columns, expected: list[str]) -> None:
    missing = [c for c in expected if c not in set(columns)]
    if missing:
        raise SourceError(source_id, "body", f"missing column(s) {missing}; got {list(columns)}")


def _names(frame: pd.DataFrame, source_id: str, columns: list[str]) -> None:
    for column in columns:
        bad = frame[column].isna() | (frame[column].astype(str).str.strip() == "")
        if bad.any():
            raise SourceError(source_id, "body", f"empty {column} name in {int(bad.sum())} row(s)")


def parse_rda_table(source: Source, raw: bytes, measures: list[str]) -> pd.DataFrame:
    """A pscdata table at any level: which level follows from its name columns."""
    frame = _read_rda(source.id, raw)
    level = ("village" if "village" in frame.columns
             else "town" if "town" in frame.columns else "county")
    names = {"county": ["county"], "town": ["county", "town"],
             "village": ["county", "town", "village"]}[level]
    # county tables of the distribution file publish units and totals only
    wanted = (measures if level != "county" or source is not INCOME_DISTRIBUTION
              else ["unit", "individual_income"])
    _require(source.id, frame.columns, ["year", *names, *wanted])
    _names(frame, source.id, names)
    records = frame.rename(columns={"county": "county_name", "town": "town_name",
                                    "village": "village_name"}).to_dict("records")
    for record in records:
        record["year"] = _year(source.id, record["year"], ROC_YEARS)
    return _long(records, wanted, level=level, year_is_roc=True)


def parse_income_distribution(raw: bytes) -> pd.DataFrame:
    return parse_rda_table(INCOME_DISTRIBUTION, raw, DISTRIBUTION_MEASURES)


def parse_income_by_category(raw: bytes) -> pd.DataFrame:
    return parse_rda_table(INCOME_BY_CATEGORY, raw, CATEGORY_MEASURES)


def parse_township_income_2023(raw: bytes) -> pd.DataFrame:
    source_id = TOWNSHIP_INCOME_2023.id
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(source_id, "body", f"not UTF-8 as published ({exc.reason})") from exc
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise SourceError(source_id, "body", "empty file")
    header = [name.strip() for name in rows[0]]
    _require(source_id, header, CSV_2023_KEYS + CSV_2023_MEASURES)
    records = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(field.strip() for field in row):
            continue
        if len(row) != len(header):
            raise SourceError(source_id, "body",
                              f"line {line} has {len(row)} fields, the header {len(header)}")
        record = dict(zip(header, row, strict=True))
        code = record["行政區代碼"].strip()
        if not re.fullmatch(r"\d{8}", code):
            raise SourceError(source_id, "body",
                              f"line {line}: 行政區代碼 {code!r} is not 8 digits")
        records.append({
            **record, "year": _year(source_id, record["統計年度"], ROC_YEARS),
            "region_code": code, "county_name": record["縣市"].strip(),
            "town_name": record["鄉鎮市區"].strip(),
        })
    if not records:
        raise SourceError(source_id, "body", "no data rows under the header")
    return _long(records, CSV_2023_MEASURES, level="town", year_is_roc=True)


def parse_income_2024_manifest(raw: bytes) -> dict:
    """The mirror's manifest: income year and release status (preliminary or final)."""
    source_id = INCOME_2024_PRELIMINARY.id
    try:
        manifest = json.loads(raw.decode("utf-8-sig"))
        year, status = manifest["year"], manifest["status"]
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise SourceError(source_id, "body", f"not the income manifest ({exc!r})") from exc
    if status not in ("preliminary", "final"):
        raise SourceError(source_id, "body", f"release status {status!r} is not known")
    return {"year": _year(source_id, year, AD_YEARS), "status": status}


def parse_income_2024(raw: bytes, status: str) -> pd.DataFrame:
    """counties.json or towns/<county>.json: one row per record and FIA figure."""
    source_id = INCOME_2024_PRELIMINARY.id
    try:
        payload = json.loads(raw.decode("utf-8-sig"))
        level, parent, records = payload["level"], payload["parentCode"], payload["records"]
        year = _year(source_id, payload["year"], AD_YEARS)
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise SourceError(source_id, "body", f"not an income records file ({exc!r})") from exc
    if level not in ("county", "town") or not isinstance(records, dict) or not records:
        raise SourceError(source_id, "body", f"level {level!r} with no records")
    measures = JSON_2024_COUNTY_MEASURES if level == "county" else JSON_2024_TOWN_MEASURES
    digits = 5 if level == "county" else 8
    rows = []
    for key, record in records.items():
        if not isinstance(record, dict):
            raise SourceError(source_id, "body", f"record {key!r} is not an object")
        _require(source_id, record, ["code", "name", *measures])
        if record["code"] != key or not re.fullmatch(rf"\d{{{digits}}}", key):
            raise SourceError(source_id, "body", f"record key {key!r} is not a {digits}-digit "
                                                 f"code matching its code {record['code']!r}")
        if level == "town" and not key.startswith(str(parent)):
            raise SourceError(source_id, "body", f"town {key} is not in county {parent}")
        rows.append({**record, "year": year, "region_code": key,
                     "county_name": record["name"] if level == "county" else None,
                     "town_name": record["name"] if level == "town" else None})
    frame = _long(rows, measures, level=level, year_is_roc=False)
    frame["release_status"] = pd.Series(status, index=frame.index, dtype="string")
    return frame


def fetch_income_2024(fetcher=None) -> tuple[pd.DataFrame, list]:
    """The manifest (release status), the county file, then the town file of every county it
    lists; every frame tagged with the landed file it came from."""
    from sources.http import Fetcher, fetch, parse_landed

    source = INCOME_2024_PRELIMINARY
    commit = source.snapshots[0].params["commit"]
    fetcher = fetcher or Fetcher.from_environment()
    manifest = fetch(source, fetcher=fetcher, commit=commit, file="manifest")
    status = parse_landed(manifest, parse_income_2024_manifest)["status"]
    landed, frames = [manifest], []
    counties = fetch(source, fetcher=fetcher, commit=commit, file="counties")
    county_frame = parse_landed(counties, parse_income_2024, status)
    frames.append((county_frame, counties))
    landed.append(counties)
    for code in sorted(county_frame["region_code"].unique()):
        towns = fetch(source, fetcher=fetcher, commit=commit, file=f"towns/{code}")
        frames.append((parse_landed(towns, parse_income_2024, status), towns))
        landed.append(towns)
    return frames, landed
