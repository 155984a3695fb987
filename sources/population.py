"""Population (domain 1): MOI household registration and NDC projections.

Parsers take the publisher's bytes and return a frame in the publisher's own terms (only
types fixed and layout made long); renaming to warehouse terms happens in dbt staging.
"""

import csv
import io
import json
import re

import pandas as pd

from sources.catalog import Snapshot, Source, segis_source
from sources.errors import SourceError
from sources.roc_calendar import roc_year
from sources.values import (
    Cell,
    Kind,
    parse_cells,
    parse_number,
    parse_year,
    years_through_now,
)

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
    """One row per township: statistic_yyy (the ROC year; null when it is no past year),
    people_total (a count), area and population_density (amounts), each next to its *_text
    as published, and `problem`, the first cell that is no usable figure. '…' (東沙/南沙: no
    registered population) is a placeholder: null, and no problem."""
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
    problems = pd.Series([None] * len(frame), index=frame.index, dtype="object")
    for column, kind in (("people_total", Kind.COUNT), ("area", Kind.AMOUNT),
                         ("population_density", Kind.AMOUNT)):
        cells = frame[column].map(lambda value, kind=kind: parse_number(value, kind, {"…"}))
        frame[f"{column}_text"] = cells.map(lambda cell: cell.text)
        frame[column] = cells.map(lambda cell: cell.value).astype("Float64")
        found = cells.map(lambda cell, column=column: cell.problem and
                          f"{column} {cell.text!r}: {cell.problem}")
        problems = problems.fillna(found)
    frame["statistic_yyy_text"] = frame["statistic_yyy"].astype("string")
    # kept as the ROC year it is published as, once it is a year of the past (not 200 = 2111)
    ad_years = frame["statistic_yyy"].map(
        lambda value: parse_year(value, years_through_now(), roc=True)
    ).astype("Int64")
    frame["statistic_yyy"] = roc_year(ad_years)
    frame["problem"] = problems.astype("string")
    return frame[["statistic_yyy", "statistic_yyy_text", "site_id", "people_total",
                  "people_total_text", "area", "area_text", "population_density",
                  "population_density_text", "problem"]]


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
    """Table 1 layout: 區域別,合計,男性,女性,百分比 with thousands separators and subtotals;
    the counts parsed (null when not a whole number), each next to <column>_text as
    published, so the quarantine shows what was there."""
    frame = pd.read_csv(io.StringIO(_decode(COUNTY_POPULATION_BY_SEX.id, raw)), dtype=str)
    frame.columns = [c.strip() for c in frame.columns]
    _require_columns(
        COUNTY_POPULATION_BY_SEX.id, frame, {"區域別", "合計", "男性", "女性", "百分比"}
    )
    for column in ("合計", "男性", "女性"):
        frame[f"{column}_text"] = frame[column]
        frame[column] = parse_counts(frame[column])
    frame["百分比"] = frame["百分比"].map(
        lambda value: parse_number(value, Kind.AMOUNT).value
    ).astype("Float64")
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
        frame[column] = parse_counts(frame[column])
    return frame


def parse_household_registration_page(raw: bytes) -> tuple[pd.DataFrame, int]:
    """One ODRP019 page: its rows and the API's totalPage; counts parsed (null when not a
    whole, non-negative number), each next to <count>_text, the value as published."""
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
    counts = ("household_no", "people_total", "people_total_m", "people_total_f")
    for column in counts:
        frame[f"{column}_text"] = frame[column].map(lambda value: parse_number(
            value, Kind.COUNT).text).astype("string")
        frame[column] = parse_counts(frame[column])
    return frame[sorted(expected | {f"{column}_text" for column in counts})], total_pages


def fetch_household_registration(yyymm: str, fetcher=None) -> tuple[pd.DataFrame, list]:
    """Every page of one month of ODRP019; the API repeats the page count on every page."""
    from sources.http import fetch_pages

    pages = fetch_pages(HOUSEHOLD_REGISTRATION_API, parse_household_registration_page,
                        fetcher=fetcher, yyymm=yyymm)
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


def parse_count(value) -> int | None:
    """'23,571,408', '１２３', 556897 -> int; '…', '-', '' and anything else that is not a
    whole, non-negative number by the shared rule (sources.values) -> None (a caller that
    must tell those apart keeps the text beside it)."""
    return parse_counts([value])[0]


def parse_counts(values) -> list[int | None]:
    """`parse_count` of each value (each distinct value parsed once)."""
    return [_whole(cell) for cell in parse_cells(values, Kind.COUNT)]


def _whole(cell: Cell) -> int | None:
    """A parsed count as an int (None when the cell is no count)."""
    return None if cell.value is None else int(cell.value)


# --- Village (村里) depth: MOI education by village, SEGIS village statistics --------------

VILLAGE_EDUCATION = Source(
    id="moi_village_education",
    publisher="內政部戶政司",
    dataset="15歲以上人口教育程度 (村里, opendata{yyy}Y020)",
    base_url="https://www.ris.gov.tw",
    path="/rs-opendata/api/v1/datastore/opendata{yyy}Y020.csv",
    format="csv",
    encoding="utf-8",
    cadence="yearly",
    attribution="資料來源：內政部戶政司",
    snapshots=(Snapshot("opendata109Y020.csv", {"yyy": "109"}),),
    notes="Year-end stock by village: 15+ population by education level (畢業/肄業) and sex. "
    "Two header rows (English codes, then Chinese); UTF-8 with BOM.",
)

SEGIS_VILLAGE_POPULATION = segis_source(
    id="segis_village_population",
    dataset="村里戶數、人口數、性比例、人口密度 (110年6月)",
    commit="cc4149c3ac40d3f7ca8e766162c7d23c45d03302",
    file="pop_village_202106.rda",
    level="village",
    notes="11-digit district_code stored as a float; p_h_cnt (persons per household) is "
    "truncated to an integer by the mirror and is not read.",
)
SEGIS_VILLAGE_AGE = segis_source(
    id="segis_village_age",
    dataset="村里五歲年齡組人口數按性別 (110年6月)",
    commit="fb6f511c489b904c13e26f184b06b56a2d5496fc",
    file="age_detail_village_202106.rda",
    level="village",
    notes="11-digit district_code stored as a float; five-year bands 0-4 … 95-99 and 100+ "
    "(a100up_5) by sex.",
)
SEGIS_VILLAGE_INDIGENOUS = segis_source(
    id="segis_village_indigenous",
    dataset="村里原住民人口數 (110年6月)",
    commit="fb6f511c489b904c13e26f184b06b56a2d5496fc",
    file="abpop_village_202106.rda",
    level="village",
    notes="11-digit district_code stored as a float; o_cnt = 原住民人口 (o1 平地, o2 山地).",
)

_VILLAGE_KEYS = ["district_code", "info_time", "countytown", "village"]
_SEGIS_POPULATION_COUNTS = ["h_cnt", "p_cnt", "m_cnt", "f_cnt"]
_SEGIS_INDIGENOUS_COUNTS = ["o_cnt", "o1_cnt", "o2_cnt"]
# a0a4_m_cnt … a95a99_f_cnt, a100up_5_m_cnt: five-year bands by sex (the a0a5/a6a11/a12a17
# school-age columns overlap them and are not read)
_AGE_BAND_COLUMN = re.compile(r"a(\d+)(?:a(\d+)|up_5)_(m|f)_cnt")
_AGE_BANDS = [(low, low + 4) for low in range(0, 100, 5)] + [(100, None)]


def parse_education_by_village(raw: bytes) -> pd.DataFrame:
    """One row per village and cell: district_code, site_id, village, statistic_yyy (ROC year),
    field (the English column code), level (doctor … illiterate, or 'total' for 總計), completion
    (graduated | ungraduated | None), sex (male | female | None), persons (parsed), and
    persons_text, the cell as published (dbt quarantines a village with a cell that is not a
    whole number)."""
    source_id = VILLAGE_EDUCATION.id
    rows = list(csv.reader(io.StringIO(_decode(source_id, raw))))
    if len(rows) < 3:
        raise SourceError(source_id, "body", "fewer than the two header rows and one data row")
    header, chinese = [c.strip() for c in rows[0]], [c.strip() for c in rows[1]]
    if chinese[:1] != ["統計年"]:
        raise SourceError(source_id, "line 2",
                          f"not the Chinese header row (統計年 …): {chinese[:4]}")
    _require_columns(source_id, pd.DataFrame(columns=header),
                     {"statistic_yyy", "district_code", "site_id", "village", "edu_age_15up_total"})
    cells = [(i, name, _education_cell(name)) for i, name in enumerate(header)
             if name.startswith("edu_")]
    unknown = [name for _, name, meaning in cells if meaning is None]
    if unknown or len(cells) < 3:
        raise SourceError(source_id, "line 1", f"unknown education column(s) {unknown}")
    at = {name: header.index(name) for name in ("statistic_yyy", "district_code", "site_id",
                                                 "village")}
    records = []
    for line_no, row in enumerate(rows[2:], start=3):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise SourceError(source_id, f"line {line_no}",
                              f"{len(row)} fields where the header has {len(header)}")
        year, code = row[at["statistic_yyy"]].strip(), row[at["district_code"]].strip()
        if not re.fullmatch(r"\d{2,3}", year):
            raise SourceError(source_id, f"line {line_no}", f"統計年 {year!r} is not a ROC year")
        if not re.fullmatch(r"\d{11}", code):
            raise SourceError(source_id, f"line {line_no}",
                              f"區域別代碼 {code!r} is not an 11-digit village code")
        site, village = row[at["site_id"]].strip(), row[at["village"]].strip()
        for i, name, (level, completion, sex) in cells:
            records.append((code, site, village, int(year), name, level, completion, sex,
                            row[i]))
    frame = pd.DataFrame.from_records(records, columns=[
        "district_code", "site_id", "village", "statistic_yyy", "field", "level", "completion",
        "sex", "persons_text"])
    frame.insert(8, "persons", pd.array(parse_counts(frame["persons_text"]), dtype="Int64"))
    return frame


def _education_cell(name: str) -> tuple[str, str | None, str | None] | None:
    """'edu_university_graduated_m' -> ('university', 'graduated', 'male'); None if unknown."""
    if name == "edu_age_15up_total":
        return ("total", None, None)
    match = re.fullmatch(r"edu_(\w+?)(?:_(graduated|ungraduated))?_(m|f)", name)
    if match is None:
        return None
    level, completion, sex = match.groups()
    if completion is None and level not in ("selftaughtl", "illiterate"):
        return None
    return level, completion, {"m": "male", "f": "female"}[sex]


def parse_segis_village_population(raw: bytes) -> pd.DataFrame:
    """SEGIS households and population by village: the village keys, h_cnt, p_cnt, m_cnt,
    f_cnt (whole numbers, else null) with <count>_text beside each (the value as stored), and
    p_den (persons per km², as published)."""
    frame = _read_segis(SEGIS_VILLAGE_POPULATION, raw, "pop_village_202106",
                        [*_SEGIS_POPULATION_COUNTS, "p_den"])
    # a density that is no finite, non-negative number is null: dbt withholds it
    frame["p_den"] = frame["p_den"].map(
        lambda value: parse_number(value, Kind.AMOUNT).value
    ).astype("Float64")
    return _with_counts(frame, _SEGIS_POPULATION_COUNTS)


def parse_segis_village_indigenous(raw: bytes) -> pd.DataFrame:
    """SEGIS indigenous population by village: o_cnt (原住民), o1_cnt (平地), o2_cnt (山地)."""
    frame = _read_segis(SEGIS_VILLAGE_INDIGENOUS, raw, "abpop_village_202106",
                        _SEGIS_INDIGENOUS_COUNTS)
    return _with_counts(frame, _SEGIS_INDIGENOUS_COUNTS)


def parse_segis_village_age(raw: bytes) -> pd.DataFrame:
    """SEGIS five-year age bands by sex, long: the village keys, field (e.g. a0a4_m_cnt), sex,
    age_from, age_to (null for 100+), population (whole number, else null), population_text."""
    source = SEGIS_VILLAGE_AGE
    wanted = [f"a{low}a{high}_{s}_cnt" if high is not None else f"a{low}up_5_{s}_cnt"
              for low, high in _AGE_BANDS for s in ("m", "f")]
    frame = _read_segis(source, raw, "age_detail_village_202106", wanted)
    long = frame.melt(id_vars=_VILLAGE_KEYS, value_vars=wanted, var_name="field",
                      value_name="population")
    band = long["field"].str.extract(_AGE_BAND_COLUMN.pattern)
    long["sex"] = band[2].map({"m": "male", "f": "female"})
    long["age_from"] = band[0].astype(int)
    long["age_to"] = pd.to_numeric(band[1]).astype("Int64")
    return _with_counts(long, ["population"])[
        [*_VILLAGE_KEYS, "field", "sex", "age_from", "age_to", "population", "population_text"]
    ]


def _read_segis(source: Source, raw: bytes, table: str, columns: list[str]) -> pd.DataFrame:
    """The named data frame of an .rda file, with its village code as 11 digits; refuses a
    file that is no R data, lacks the table or a column, or holds a code that is no whole
    11-digit number (a float code that lost precision must not be guessed)."""
    import tempfile

    import pyreadr

    with tempfile.NamedTemporaryFile(suffix=".rda") as handle:
        handle.write(raw)
        handle.flush()
        try:
            tables = pyreadr.read_r(handle.name)
        except Exception as exc:  # pyreadr raises its own and librdata's errors
            raise SourceError(source.id, "body", f"not an R data file ({exc})") from exc
    if table not in tables:
        raise SourceError(source.id, "body", f"no data frame {table!r}; got {list(tables)}")
    frame = tables[table]
    _require_columns(source.id, frame, {*_VILLAGE_KEYS, *columns})
    frame = frame[[*_VILLAGE_KEYS, *columns]].copy()
    frame["district_code"] = [_village_code(source.id, v) for v in frame["district_code"]]
    bad_time = frame.loc[~frame["info_time"].astype(str).str.fullmatch(r"\d{3}Y\d{2}M"),
                         "info_time"]
    if not bad_time.empty:
        raise SourceError(source.id, "body",
                          f"info_time {bad_time.iloc[0]!r} is not a ROC month like 110Y06M")
    return frame


def _village_code(source_id: str, value) -> str:
    if isinstance(value, str) and re.fullmatch(r"\d{11}", value):
        return value
    number = float(value) if isinstance(value, int | float) else float("nan")
    if not (number == number and number != float("inf") and number.is_integer()
            and 1_000_000_000 <= number < 100_000_000_000):
        raise SourceError(source_id, "body",
                          f"district_code {value!r} is not a whole 10- or 11-digit village code")
    return f"{int(number):011d}"  # the float lost the leading zero of 09007… (連江縣)


def _with_counts(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Counts stored as doubles, by the shared rule (sources.values): a whole, finite,
    non-negative value becomes an integer; anything else (386336.7, NaN, Inf, -3) becomes
    null, with the stored value beside it as text."""
    for column in columns:
        cells = parse_cells(frame[column], Kind.COUNT)
        frame[f"{column}_text"] = [cell.text for cell in cells]
        frame[column] = pd.array([_whole(cell) for cell in cells], dtype="Int64")
    return frame
