"""Population (domain 1): MOI household registration and NDC projections.

Parsers take the publisher's bytes and return a frame in the publisher's own terms (only
types fixed and layout made long); renaming to warehouse terms happens in dbt staging.
"""

import csv
import io
import json
import re

import pandas as pd

from sources.catalog import Snapshot, Source
from sources.errors import SourceError

TOWNSHIP_DENSITY = Source(
    id="moi_township_pop_density",
    publisher="內政部戶政司",
    dataset="鄉鎮市區人口密度 (opendata{yyy}N010)",
    base_url="https://www.ris.gov.tw",
    path="/rs-opendata/api/v1/datastore/opendata{yyy}N010.json",
    format="json",
    encoding="utf-8",
    cadence="yearly",
    attribution="資料來源：內政部戶政司",
    snapshots=(
        Snapshot("opendata103N010.json", {"yyy": "103"}),
        Snapshot("opendata108N010.json", {"yyy": "108"}),
    ),
    notes="Year-end stock. people_total mixes ints and strings; 東沙/南沙 rows carry '…'.",
)

POPULATION_PROJECTION = Source(
    id="ndc_population_projection",
    publisher="國家發展委員會",
    dataset="中華民國人口推估 五齡人口數 (Custom_SinglePopulation)",
    base_url="https://pop-proj.ndc.gov.tw",
    path="/Custom_Detail_Statistics_Search.aspx?n=39&_Query={query}&export=csv",
    format="csv",
    encoding="utf-8",
    cadence="biennial",
    attribution="資料來源：國家發展委員會",
    snapshots=(
        Snapshot(
            "ndc-five-age-population-1992-2075.csv",
            {"query": "dd898a76-e054-497c-9231-8d0be078995a"},
        ),
    ),
    notes="Years up to the update year are actual year-end figures; later years projected.",
)

COUNTY_POPULATION_BY_SEX = Source(
    id="moi_county_population_by_sex",
    publisher="內政部統計處",
    dataset="各縣市人口數按性別分 (2018.03; seed article Table 1 臺灣各縣市人口比重)",
    base_url="https://www.moi.gov.tw",
    path="/cp.aspx?n=4&period={yyymm}&format=csv",
    format="csv",
    encoding="utf-8",
    cadence="monthly",
    attribution="資料來源：內政部統計處",
    kind="transcription",
    snapshots=(Snapshot("county_population_by_sex_201803_table1.csv", {"yyymm": "10703"}),),
    notes="Transcription of the published table; subtotal rows 總計/臺灣省/福建省.",
)

VILLAGE_HOUSEHOLDS = Source(
    id="moi_village_households",
    publisher="內政部戶政司",
    dataset="村里戶數人口數 (月)",
    base_url="https://www.ris.gov.tw",
    path="/rs-opendata/api/v1/datastore/village/{yyymm}.csv",
    format="csv",
    encoding="utf-8",
    cadence="monthly",
    attribution="資料來源：內政部戶政司",
    snapshots=(Snapshot("population-11508.banqiao-sanchong.csv", {"yyymm": "11508"}),),
    notes="Bundled snapshot is a subset: the villages of 新北市板橋區 and 三重區.",
)

HOUSEHOLD_REGISTRATION_API = Source(
    id="moi_household_registration_api",
    publisher="內政部戶政司",
    dataset="村里戶數、人口數 open API (ODRP019)",
    base_url="https://www.ris.gov.tw",
    path="/rs-opendata/api/v1/datastore/ODRP019/{yyymm}?page={page}",
    format="json",
    encoding="utf-8",
    cadence="monthly",
    attribution="資料來源：內政部戶政司",
    kind="synthetic",
    snapshots=(
        Snapshot("ODRP019_11509_page1.json", {"yyymm": "11509", "page": "1"}, synthetic=True),
        Snapshot("ODRP019_11509_page2.json", {"yyymm": "11509", "page": "2"}, synthetic=True),
    ),
    notes="Paged JSON (responseData, totalPage). Bundled pages are SYNTHETIC fixtures.",
)


def parse_township_density(raw: bytes) -> pd.DataFrame:
    """One row per township; '…' placeholders become nulls, numbers in strings become numbers."""
    try:
        records = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(TOWNSHIP_DENSITY.id, "body", f"not valid UTF-8 JSON: {exc}") from exc
    frame = pd.DataFrame.from_records(records)
    # every column the warehouse reads is required (a missing one used to raise a KeyError)
    _require_columns(
        TOWNSHIP_DENSITY.id,
        frame,
        {"statistic_yyy", "site_id", "people_total", "area", "population_density"},
    )
    for column in ("statistic_yyy", "people_total", "area", "population_density"):
        text = frame[column].astype("string").str.translate(_FULL_WIDTH_DIGITS)
        frame[column] = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce")
    return frame[["statistic_yyy", "site_id", "people_total", "area", "population_density"]]


def parse_population_projection(raw: bytes) -> pd.DataFrame:
    """Wide years to long: one row per scenario, sex, age group and year; persons parsed, next
    to persons_text, the cell as published (dbt tells a placeholder from a garbled cell)."""
    text = _decode(POPULATION_PROJECTION.id, raw)
    rows = list(csv.reader(io.StringIO(text)))
    header_at = next(
        (i for i, row in enumerate(rows) if row[:3] == ["推估情境", "性別", "年齡"]), None
    )
    if header_at is None or header_at == 0:
        raise SourceError(POPULATION_PROJECTION.id, "body", "no 推估情境,性別,年齡 header row")
    years = rows[header_at - 1][3:]
    if not all(re.fullmatch(r"\d{4}", y) for y in years):
        raise SourceError(POPULATION_PROJECTION.id, "body", "the row above the header is not years")
    records = []
    for row in rows[header_at + 1 :]:
        if len(row) < 3 + len(years) or not row[0].endswith("推估"):
            continue  # blank lines and the ● footnotes
        scenario, sex, age_group = row[:3]
        for year, value in zip(years, row[3:], strict=False):
            records.append((scenario, sex, age_group, int(year), parse_count(value), value))
    frame = pd.DataFrame(
        records, columns=["scenario", "sex", "age_group", "year", "persons", "persons_text"]
    )
    if frame.empty:
        raise SourceError(POPULATION_PROJECTION.id, "body", "no data rows under the header")
    # Actual year-end figures and projections share one table; a footnote says where they part.
    first_projected = re.search(r"(\d{4})年（含）以後為推估值", text)
    if first_projected is None:
        raise SourceError(
            POPULATION_PROJECTION.id, "body", "footnote '…年（含）以後為推估值' not found"
        )
    frame["is_projection"] = frame["year"] >= int(first_projected.group(1))
    return frame


def parse_county_population_by_sex(raw: bytes) -> pd.DataFrame:
    """Table 1 layout: 區域別,合計,男性,女性,百分比 with thousands separators and subtotals."""
    frame = pd.read_csv(io.StringIO(_decode(COUNTY_POPULATION_BY_SEX.id, raw)), dtype=str)
    frame.columns = [c.strip() for c in frame.columns]
    _require_columns(
        COUNTY_POPULATION_BY_SEX.id, frame, {"區域別", "合計", "男性", "女性", "百分比"}
    )
    for column in ("合計", "男性", "女性"):
        frame[column] = frame[column].map(parse_count)
    frame["百分比"] = pd.to_numeric(frame["百分比"].str.strip(), errors="coerce")
    frame["區域別"] = frame["區域別"].str.strip()
    return frame


def parse_village_households(raw: bytes) -> pd.DataFrame:
    """One row per village; households and population parsed, next to households_text and
    population_text, the cells as published (dbt tells a placeholder from a garbled cell)."""
    # only an empty cell is missing: pandas' default would also blank 'NA', 'null' ..., text
    # the quarantine must show as published
    frame = pd.read_csv(
        io.StringIO(_decode(VILLAGE_HOUSEHOLDS.id, raw)),
        dtype=str, keep_default_na=False, na_values=[""],
    )
    _require_columns(
        VILLAGE_HOUSEHOLDS.id, frame, {"code", "site", "village", "households", "population"}
    )
    for column in ("households", "population"):
        frame[f"{column}_text"] = frame[column]
        frame[column] = frame[column].map(parse_count)
    return frame


def parse_household_registration_page(raw: bytes) -> tuple[pd.DataFrame, int]:
    """One ODRP019 page: its rows and the API's totalPage."""
    try:
        payload = json.loads(raw.decode("utf-8-sig"))
        rows, total_pages = payload["responseData"], int(payload["totalPage"])
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise SourceError(
            HOUSEHOLD_REGISTRATION_API.id, "body", f"not an ODRP019 page ({exc!r})"
        ) from exc
    frame = pd.DataFrame.from_records(rows)
    expected = {"statistic_yyymm", "district_code", "site_id", "village", "household_no",
                "people_total", "people_total_m", "people_total_f"}
    _require_columns(HOUSEHOLD_REGISTRATION_API.id, frame, expected)
    for column in ("household_no", "people_total", "people_total_m", "people_total_f"):
        frame[column] = frame[column].map(parse_count)
    return frame[sorted(expected)], total_pages


def fetch_household_registration(yyymm: str, session=None) -> tuple[pd.DataFrame, list]:
    """Every page of one month of ODRP019; the API repeats the page count on every page."""
    from sources.http import fetch_pages

    pages = fetch_pages(HOUSEHOLD_REGISTRATION_API, parse_household_registration_page,
                        session=session, yyymm=yyymm)
    frames = [frame.assign(_page=page) for page, (_, frame) in enumerate(pages, start=1)]
    return pd.concat(frames, ignore_index=True), [landed for landed, _ in pages]


def _decode(source_id: str, raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(source_id, "body", f"not UTF-8 as published ({exc.reason})") from exc


def _require_columns(source_id: str, frame: pd.DataFrame, expected: set[str]) -> None:
    missing = expected - set(frame.columns)
    if missing:
        raise SourceError(
            source_id, "body", f"missing column(s) {sorted(missing)}; got {list(frame.columns)}"
        )


_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９，", "0123456789,")


def parse_count(value) -> int | None:
    """'23,571,408', '１２３', 556897 -> int; '…', '-', '' and anything else that is not a
    whole number -> None (a caller that must tell those apart keeps the text beside it)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).translate(_FULL_WIDTH_DIGITS).replace(",", "").strip()
    return int(text) if re.fullmatch(r"-?\d+", text) else None
