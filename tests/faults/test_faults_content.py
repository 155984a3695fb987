"""Content faults at the parsers, through the path the raw assets take
(orchestration.raw.fetch_and_parse: fetch from a local server, land, parse).

Schema drift policy: every column the warehouse reads is required (a renamed or missing one
is an error naming it); extra columns are tolerated and ignored (parsers and staging select
columns by name), so a publisher adding a column never stops the warehouse.
"""

import csv
import io
import json

import invariants as inv
import pandas as pd
import pytest

from orchestration.raw import fetch_releases, parse_releases
from sources import mol, population
from sources.errors import SourceError
from sources.http import Fetcher

pytestmark = pytest.mark.faults

COUNTY = population.COUNTY_POPULATION_BY_SEX
COUNTY_CSV = COUNTY.snapshot_path(COUNTY.snapshots[0]).read_text(encoding="utf-8")
TOWNSHIPS = population.TOWNSHIP_DENSITY
TOWNSHIP_ROWS = json.loads(TOWNSHIPS.snapshot_path(TOWNSHIPS.snapshots[1]).read_bytes())
MANPOWER = mol.MANPOWER_BY_AREA
MANPOWER_BIG5 = MANPOWER.snapshot_path(MANPOWER.snapshots[0]).read_bytes()

# source, URL path on the publisher's site, URL params, parser
ROUTES = {
    COUNTY.id: (COUNTY, "/cp.aspx", {"yyymm": "10703"},
                population.parse_county_population_by_sex),
    TOWNSHIPS.id: (TOWNSHIPS, "/rs-opendata/api/v1/datastore/opendata108N010.json",
                   {"yyy": "108"}, population.parse_township_density),
    MANPOWER.id: (MANPOWER, "/statistics/2452/2455/105/2-3.csv",
                  {"roc_year": "105", "table": "2-3"}, mol.parse_manpower_by_area),
}


@pytest.fixture
def serve(live, httpserver_ipv4, monkeypatch):
    """serve(source_id, body) -> the frame the raw asset's fetch and parse make of it (or its
    SourceError)."""

    def _serve(source_id: str, body: bytes):
        source, path, params, parse = ROUTES[source_id]
        monkeypatch.setenv(source.base_url_env, httpserver_ipv4.url_for("/"))
        httpserver_ipv4.clear()
        httpserver_ipv4.expect_request(path).respond_with_data(body)
        try:
            landed = fetch_releases(Fetcher.from_environment(), source, [params])
            frame = parse_releases(landed, parse, [params])
        except SourceError as error:
            return error
        return frame

    return _serve


def county_csv(transform) -> bytes:
    """The county table with each row (0 = header) passed through transform(i, row)."""
    rows = list(csv.reader(io.StringIO(COUNTY_CSV)))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(transform(i, r) for i, r in enumerate(rows))
    return out.getvalue().encode()


def township_json(rows) -> bytes:
    return json.dumps(rows, ensure_ascii=False).encode("utf-8")


def published_columns(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=[c for c in frame.columns if c.startswith("_")])


def test_big5_where_utf8_is_expected(serve, live, case):
    before = inv.publication(live)
    body = COUNTY_CSV.encode("cp950")
    error = serve(COUNTY.id, body)
    assert isinstance(error, SourceError)
    landed_file = f"landing/{COUNTY.id}/"
    inv.error_is_one_line(case, error, source_id=COUNTY.id, location=landed_file,
                          problem="not UTF-8 as published")
    assert "/cp.aspx?n=4&period=10703" in str(error)  # and the URL
    inv.raw_bytes_kept(case, live, COUNTY.id, body, accepted=True, http_status=200)
    inv.published_unchanged(case, live, before)


def test_utf8_where_big5_is_expected_is_read_the_same(serve, live, case):
    """MOL re-releases some yearbook tables in UTF-8: detected, and parsed identically."""
    before = inv.publication(live)
    expected = mol.parse_manpower_by_area(MANPOWER_BIG5)
    body = MANPOWER_BIG5.decode("cp950").encode("utf-8")
    frame = serve(MANPOWER.id, body)
    pd.testing.assert_frame_equal(published_columns(frame), expected)
    inv.raw_bytes_kept(case, live, MANPOWER.id, body, accepted=True, http_status=200)
    inv.rows_accounted(case, rows_in=len(expected), published=len(frame), quarantined=0)
    inv.published_unchanged(case, live, before)


def test_full_width_digits_and_separators_in_the_county_table(serve, live, case):
    before = inv.publication(live)
    expected = population.parse_county_population_by_sex(COUNTY_CSV.encode())
    body = county_csv(lambda i, row: row if i == 0 else
                      row[:1] + [_full_width(value) for value in row[1:4]] + row[4:])
    assert "２，６８１，３７５".encode() in body
    frame = serve(COUNTY.id, body)
    got = published_columns(frame)
    for column in ("合計", "男性", "女性"):
        assert got[column].tolist() == expected[column].tolist()
    inv.raw_bytes_kept(case, live, COUNTY.id, body, accepted=True, http_status=200)
    inv.rows_accounted(case, rows_in=len(expected), published=int(got["合計"].notna().sum()),
                       quarantined=0)
    inv.published_unchanged(case, live, before)


def test_full_width_digits_and_separators_in_township_counts(serve, live, case):
    """people_total '５５６，８９７' used to become null (and the township vanish)."""
    before = inv.publication(live)
    rows = [dict(r, people_total=_full_width(f"{r['people_total']:,}"))
            if isinstance(r["people_total"], int) else r for r in TOWNSHIP_ROWS]
    frame = serve(TOWNSHIPS.id, township_json(rows))
    expected = population.parse_township_density(township_json(TOWNSHIP_ROWS))
    pd.testing.assert_series_equal(frame["people_total"], expected["people_total"])
    inv.raw_bytes_kept(case, live, TOWNSHIPS.id, township_json(rows), accepted=True,
                       http_status=200)
    inv.rows_accounted(case, rows_in=len(rows),
                       published=int(frame["people_total"].notna().sum()),
                       quarantined=int(expected["people_total"].isna().sum()))
    inv.published_unchanged(case, live, before)


@pytest.mark.parametrize(
    "drift, column",
    [("renamed", "people_total"), ("missing", "population_density"), ("missing", "site_id")],
)
def test_renamed_or_missing_township_column(serve, live, case, drift, column):
    before = inv.publication(live)
    rows = [{("people_count" if k == column and drift == "renamed" else k): v
             for k, v in r.items() if not (k == column and drift == "missing")}
            for r in TOWNSHIP_ROWS]
    error = serve(TOWNSHIPS.id, township_json(rows))
    assert isinstance(error, SourceError), f"{drift} {column} was accepted"
    inv.error_is_one_line(case, error, source_id=TOWNSHIPS.id,
                          location=f"landing/{TOWNSHIPS.id}/",
                          problem=rf"missing column\(s\) \['{column}'\]")
    inv.raw_bytes_kept(case, live, TOWNSHIPS.id, township_json(rows), accepted=True,
                       http_status=200)
    inv.published_unchanged(case, live, before)


def test_missing_county_column(serve, live, case):
    before = inv.publication(live)
    body = county_csv(lambda i, row: row[:3] + row[4:])  # drops 女性
    error = serve(COUNTY.id, body)
    assert isinstance(error, SourceError)
    inv.error_is_one_line(case, error, source_id=COUNTY.id, location=f"landing/{COUNTY.id}/",
                          problem=r"missing column\(s\) \['女性'\]")
    inv.raw_bytes_kept(case, live, COUNTY.id, body, accepted=True, http_status=200)
    inv.published_unchanged(case, live, before)


def test_extra_columns_are_tolerated_and_ignored(serve, live, case):
    before = inv.publication(live)
    rows = [dict(r, note="新增欄位") for r in TOWNSHIP_ROWS]
    frame = serve(TOWNSHIPS.id, township_json(rows))
    expected = population.parse_township_density(township_json(TOWNSHIP_ROWS))
    pd.testing.assert_frame_equal(published_columns(frame), expected)

    county_body = county_csv(lambda i, row: [*row, "備註" if i == 0 else "人工校對"])
    county = serve(COUNTY.id, county_body)
    expected_county = population.parse_county_population_by_sex(COUNTY_CSV.encode())
    pd.testing.assert_frame_equal(published_columns(county)[list(expected_county.columns)],
                                  expected_county)
    inv.raw_bytes_kept(case, live, COUNTY.id, county_body, accepted=True, http_status=200)
    inv.rows_accounted(case, rows_in=len(rows) + len(expected_county),
                       published=len(frame) + len(county), quarantined=0)
    inv.published_unchanged(case, live, before)


def _full_width(text: str) -> str:
    return text.translate(str.maketrans("0123456789,", "０１２３４５６７８９，"))


def test_hostile_numbers_in_township_rows_carry_their_problem(serve, live, case):
    """pd.to_numeric read '1e999' as infinity and ROC 200 became 2111: by the shared rule
    (sources.values) each such row keeps its text and its problem, for the quarantine."""
    before = inv.publication(live)
    hostile = {0: {"people_total": "1e999"}, 1: {"people_total": "386336.7"},
               2: {"people_total": "5.57E+05"}, 3: {"area": "NaN"}, 4: {"statistic_yyy": 200},
               5: {"people_total": -3}}
    rows = [dict(r, **hostile.get(i, {})) for i, r in enumerate(TOWNSHIP_ROWS)]
    frame = serve(TOWNSHIPS.id, township_json(rows))
    problems = frame["problem"].tolist()
    assert problems[:4] == ["people_total '1e999': not a number",
                            "people_total '386336.7': count is not a whole number",
                            "people_total '5.57E+05': not a number",
                            "area 'NaN': not a number"]
    assert pd.isna(frame.loc[4, "statistic_yyy"]) and frame.loc[4, "statistic_yyy_text"] == "200"
    assert problems[5] == "people_total '-3': negative count"
    assert frame.loc[:5, "people_total"].iloc[[0, 1, 2, 5]].isna().all()  # none passed through
    inv.raw_bytes_kept(case, live, TOWNSHIPS.id, township_json(rows), accepted=True,
                       http_status=200)
    flagged = frame["problem"].notna() | frame["statistic_yyy"].isna()
    inv.rows_accounted(case, rows_in=len(rows), published=int((~flagged).sum()),
                       quarantined=int(flagged.sum()))
    inv.published_unchanged(case, live, before)


@pytest.mark.parametrize("cell", ["NaN", "1e999", "-1332"])
def test_a_yearbook_figure_that_is_no_number_refuses_the_table(serve, live, case, cell):
    """The printed table's figures are used together (總計 and counties): one that is no
    figure refuses the table in one line instead of publishing a short or infinite total."""
    before = inv.publication(live)
    text = MANPOWER_BIG5.decode("cp950")
    body = text.replace('Taipei City","2316","1332"', f'Taipei City","2316","{cell}"',
                        1).encode("cp950")
    error = serve(MANPOWER.id, body)
    assert isinstance(error, SourceError)
    inv.error_is_one_line(case, error, source_id=MANPOWER.id, location=f"landing/{MANPOWER.id}/",
                          problem=f"臺北市 勞動力 '{cell}': (not a number|negative amount)")
    inv.raw_bytes_kept(case, live, MANPOWER.id, body, accepted=True, http_status=200)
    inv.published_unchanged(case, live, before)
