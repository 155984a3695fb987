import json
import math

import pandas as pd
import pyreadr
import pytest

from sources.errors import SourceError
from sources.http import fetch
from sources.income import (
    INCOME_2024_PRELIMINARY,
    INCOME_BY_CATEGORY,
    INCOME_DISTRIBUTION,
    TOWNSHIP_INCOME_2023,
    cell,
    fetch_income_2024,
    parse_income_2024,
    parse_income_2024_manifest,
    parse_income_by_category,
    parse_income_distribution,
    parse_township_income_2023,
)


def snapshot(source, file: str) -> bytes:
    match = next(s for s in source.snapshots if s.file == file)
    return source.snapshot_path(match).read_bytes()


def rda_bytes(frame: pd.DataFrame, tmp_path, name="individual_income_town") -> bytes:
    path = tmp_path / f"{name}.rda"
    pyreadr.write_rdata(str(path), frame, df_name=name)
    return path.read_bytes()


@pytest.fixture(scope="module")
def distribution() -> dict[str, pd.DataFrame]:
    """The three levels of the 2012-2018 file, parsed, units only, keyed by level."""
    frames = {}
    for level in ("county", "town", "village"):
        frame = parse_income_distribution(
            snapshot(INCOME_DISTRIBUTION, f"individual_income_{level}.rda")
        )
        frames[level] = frame[frame["measure"] == "unit"]
    return frames


def test_distribution_files_parse_every_row(distribution):
    assert len(distribution["village"]) == 57_417  # SOURCES.md
    assert len(distribution["town"]) == 2_576  # 368 townships x 7 years
    assert len(distribution["county"]) == 154  # 22 counties x 7 years
    assert set(distribution["village"]["year"]) == set(range(101, 108))
    assert distribution["village"]["value_problem"].isna().all()


def test_township_and_county_units_equal_the_village_sums(distribution):
    villages = distribution["village"]
    by_town = villages.groupby(["year", "county_name", "town_name"])["value"].sum()
    towns = distribution["town"].set_index(["year", "county_name", "town_name"])["value"]
    assert len(towns) == len(by_town)
    assert (towns - by_town).abs().max() == 0
    by_county = villages.groupby(["year", "county_name"])["value"].sum()
    counties = distribution["county"].set_index(["year", "county_name"])["value"]
    assert (counties - by_county).abs().max() == 0


def test_every_town_has_one_unplaced_village_row(distribution):
    other = distribution["village"][distribution["village"]["village_name"] == "其他"]
    assert len(other) == len(distribution["town"])


def test_county_rows_carry_units_and_totals_only():
    frame = parse_income_distribution(snapshot(INCOME_DISTRIBUTION, "individual_income_county.rda"))
    assert set(frame["measure"]) == {"unit", "individual_income"}


def test_categories_keep_the_eleven_income_kinds():
    frame = parse_income_by_category(snapshot(INCOME_BY_CATEGORY, "category_income_town.rda"))
    assert frame["measure"].nunique() == 11
    assert "filing_more_than_return" not in set(frame["measure"])  # may be negative; not loaded
    assert set(frame["year"]) == {101, 102, 103, 104, 105, 107}  # 2017 missing in the mirror
    assert frame["value_problem"].isna().all()


def test_2023_townships_sum_to_the_published_units():
    raw = snapshot(TOWNSHIP_INCOME_2023, "鄉鎮市區_綜合所得稅統計.csv")
    frame = parse_township_income_2023(raw)
    units = frame[frame["measure"] == "納稅單位(戶)"]
    assert len(units) == 368 and units["region_code"].str.fullmatch(r"\d{8}").all()
    assert units["value"].sum() == 6_880_623  # SOURCES.md
    assert set(units["year"]) == {112}


def test_2024_county_rows_give_the_national_totals(twresas_home):
    frames, landed = fetch_income_2024()
    assert len(landed) == 1 + 1 + 22  # manifest, counties, one town file per county
    counties = frames[0][0]
    assert set(counties["release_status"]) == {"preliminary"}
    units = counties[counties["measure"] == "taxUnits"]["value"].sum()
    total = counties[counties["measure"] == "incomeTotalK"]["value"].sum()
    assert (units, total) == (6_982_335, 6_386_489_632)
    towns = pd.concat([frame for frame, _ in frames[1:]])
    assert towns.loc[towns["measure"] == "taxUnits", "region_code"].nunique() == 368
    # the mirror's own division is not loaded; FIA's reported mean is
    assert "meanK" not in set(towns["measure"]) and "reportedMeanK" in set(towns["measure"])


def test_fetch_serves_the_rda_bytes_as_the_mirror_serves_them(twresas_home):
    landed = fetch(INCOME_DISTRIBUTION, commit=INCOME_DISTRIBUTION.snapshots[0].params["commit"],
                   file="individual_income_county.rda")
    assert landed.read_bytes().startswith(b"BZh")  # bzip2-compressed R data, as published


@pytest.mark.parametrize(
    "value, measure, problem",
    [
        (386336.7, "unit", "count is not a whole number"),
        ("386336.7", "納稅單位(戶)", "count is not a whole number"),
        ("1e999", "綜合所得總額", "not a finite number"),
        (float("inf"), "individual_income", "not a finite number"),
        (float("nan"), "median", "not a number"),
        ("NaN", "中位數", "not a number"),
        (None, "medianK", "not a number"),
        ("-", "平均數", "not a number"),
        (-5.0, "individual_income", "negative amount"),
        ("-1,234", "綜合所得總額", "negative amount"),
    ],
)
def test_hostile_cells_are_flagged_with_their_text(value, measure, problem):
    parsed, text, found = cell(value, measure)
    assert parsed is None and found == problem
    assert text  # the cell as published goes to the quarantine record


def test_good_cells_parse():
    assert cell(386336.0, "unit") == (386336.0, "386336", None)
    assert cell("１２,３４５", "納稅單位(戶)") == (12345.0, "１２,３４５", None)
    assert cell(1945.34, "var") == (1945.34, "1945.34", None)


def test_hostile_rda_rows_are_flagged_not_cast(tmp_path):
    frame = pd.DataFrame({
        "year": [107.0, 107.0, 107.0], "county": ["臺北市", "臺北市", "火星市"],
        "town": ["松山區", "大安區", "某區"], "unit": [386336.7, math.inf, 10.0],
        "individual_income": [1.0, 2.0, -3.0], "avg": [1.0, math.nan, 1.0],
        "median": [1.0] * 3, "q1": [1.0] * 3, "q3": [1.0] * 3, "sd": [1.0] * 3,
        "var": [1.0] * 3,
    })
    parsed = parse_income_distribution(rda_bytes(frame, tmp_path))
    problems = parsed.dropna(subset=["value_problem"]).set_index(["town_name", "measure"])
    assert problems.loc[("松山區", "unit"), "value_text"] == "386336.7"
    assert problems.loc[("松山區", "unit"), "value_problem"] == "count is not a whole number"
    assert problems.loc[("大安區", "unit"), "value_problem"] == "not a finite number"
    assert problems.loc[("大安區", "avg"), "value_problem"] == "not a number"
    assert problems.loc[("某區", "individual_income"), "value_problem"] == "negative amount"
    assert parsed.loc[parsed["value_problem"].notna(), "value"].isna().all()
    # an unknown name is kept as published: dbt quarantines it ('township not in code table')
    assert "火星市" in set(parsed["county_name"])


def test_a_year_that_cannot_be_is_refused(tmp_path):
    frame = pd.DataFrame({"year": [1107.0], "county": ["臺北市"], "unit": [1.0],
                          "individual_income": [1.0]})
    with pytest.raises(SourceError, match="year 1107"):
        parse_income_distribution(rda_bytes(frame, tmp_path, "individual_income_county"))


def test_html_instead_of_rda_is_one_line_error():
    with pytest.raises(SourceError) as error:
        parse_income_distribution(b"<!doctype html><html>maintenance</html>")
    assert "not an R data file" in str(error.value) and "\n" not in str(error.value)


def test_renamed_column_is_refused(tmp_path):
    frame = pd.DataFrame({"year": [107.0], "county": ["臺北市"], "units": [1.0],
                          "individual_income": [1.0]})
    with pytest.raises(SourceError, match=r"missing column\(s\) \['unit'\]"):
        parse_income_distribution(rda_bytes(frame, tmp_path, "individual_income_county"))


def test_2023_csv_hostile_rows():
    raw = snapshot(TOWNSHIP_INCOME_2023, "鄉鎮市區_綜合所得稅統計.csv").decode("utf-8-sig")
    header, first = raw.splitlines()[:2]
    fields = first.split(",")
    fields[4], fields[5], fields[7] = "386336.7", "1e999", "NaN"
    parsed = parse_township_income_2023((header + "\r\n" + ",".join(fields) + "\r\n").encode())
    problems = dict(zip(parsed["measure"], parsed["value_problem"], strict=True))
    assert problems["納稅單位(戶)"] == "count is not a whole number"
    assert problems["綜合所得總額"] == "not a finite number"
    assert problems["中位數"] == "not a number"
    with pytest.raises(SourceError, match="not UTF-8"):
        parse_township_income_2023(raw.encode("big5", errors="replace"))
    with pytest.raises(SourceError, match="not 8 digits"):
        parse_township_income_2023((header + "\r\n6300001," + first.split(",", 1)[1]).encode())


def test_2024_json_hostile_records():
    payload = json.loads(snapshot(INCOME_2024_PRELIMINARY, "towns/09007.json"))
    record = payload["records"]["09007010"]
    record["taxUnits"], record["medianK"] = 2791.5, float("inf")
    parsed = parse_income_2024(json.dumps(payload).encode(), "preliminary")
    town = parsed[parsed["region_code"] == "09007010"].set_index("measure")
    assert town.loc["taxUnits", "value_problem"] == "count is not a whole number"
    assert town.loc["medianK", "value_problem"] == "not a finite number"
    payload["records"]["09007010"]["code"] = "09007011"
    with pytest.raises(SourceError, match="matching its code"):
        parse_income_2024(json.dumps(payload).encode(), "preliminary")
    with pytest.raises(SourceError, match="release status"):
        parse_income_2024_manifest(b'{"year": 2024, "status": "draft"}')
