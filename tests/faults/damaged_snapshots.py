"""The hostile rows and cells of the quarantine cases that need a build, written into one copy
of the bundled snapshots, so that one run (the `damaged_run` fixture) serves
test_faults_pipeline, test_faults_township and test_faults_population_counts. Each damage is
to sources of its own, so no case sees another's rows."""

import json
from dataclasses import dataclass
from pathlib import Path

from sources import population, township

TOWNSHIPS = population.TOWNSHIP_DENSITY
COUNTY = population.COUNTY_POPULATION_BY_SEX
VILLAGES = population.VILLAGE_HOUSEHOLDS
PROJECTION = population.POPULATION_PROJECTION
PANEL = township.TOWNSHIP_PANEL
AGE = township.TOWNSHIP_AGE
MIGRATION = township.TOWNSHIP_MIGRATION

DAMAGED_SOURCES = [TOWNSHIPS, COUNTY, VILLAGES, PROJECTION, PANEL, AGE, MIGRATION]


@dataclass(frozen=True)
class DamagedBodies:
    """The damaged files as the run fetched them, for the cases' oracles."""

    township_rows: list[dict]  # opendata108N010.json, parsed
    township_body: bytes
    county_lines: list[str]  # the MOI county table, lines
    county_body: bytes
    village_body: bytes
    projection_body: bytes


def replace_cell(raw: bytes, row_start: str, column: int, value: str) -> bytes:
    """The CSV body with cell `column` of the first line starting with `row_start` set."""
    lines = raw.decode("utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith(row_start))
    ending = "\r" if lines[at].endswith("\r") else ""
    cells = lines[at].removesuffix("\r").split(",")
    cells[column] = value
    lines[at] = ",".join(cells) + ending
    return "\n".join(lines).encode("utf-8")


def replace_named_cell(lines: list[str], row_start: str, column: str, value: str) -> None:
    """Set cell `column` (a header name) of the first line starting with `row_start`."""
    header = lines[0].lstrip("\ufeff").split(",")
    at = next(i for i, line in enumerate(lines) if line.startswith(row_start))
    cells = lines[at].split(",")
    cells[header.index(column)] = value
    lines[at] = ",".join(cells)


def projection_year_column(year: int) -> int:
    return 3 + year - 1992  # 推估情境,性別,年齡, then one column per year from 1992


def damage_population_tables(snapshots: Path) -> tuple[list[dict], bytes, list[str], bytes]:
    """test_faults_pipeline: numbers and dates that do not parse, duplicate, conflicting and
    unknown rows in the township density file of 2019 and the county table of 2018-03."""
    township_file = snapshots / TOWNSHIPS.id / "opendata108N010.json"
    rows = json.loads(township_file.read_bytes())
    rows[2] = dict(rows[2], people_total="四十一萬")  # a number that does not parse
    rows[3] = dict(rows[3], statistic_yyy="一○八")  # a date that does not parse
    rows += [
        dict(rows[0]),  # an exact duplicate
        dict(rows[1], people_total=rows[1]["people_total"] + 1),  # a conflicting one
        dict(rows[4], site_id="新北市不存在區"),  # a name that matches no region
    ]
    township_body = json.dumps(rows, ensure_ascii=False, indent=1).encode()
    township_file.write_bytes(township_body)

    county_file = snapshots / COUNTY.id / COUNTY.snapshots[0].file
    lines = county_file.read_text(encoding="utf-8").splitlines()
    matsu = next(i for i, line in enumerate(lines) if line.startswith("連江縣"))
    lines[matsu] = '連江縣,"13,2x5","7,4O1","5,734",0.06'  # letters where digits belong
    lines += [next(line for line in lines if line.startswith("臺北市")), '火星市,"1","1","0",0.00']
    county_body = ("\n".join(lines) + "\n").encode()
    county_file.write_bytes(county_body)
    return rows, township_body, lines, county_body


def damage_township_mirrors(snapshots: Path) -> None:
    """test_faults_township: 1e999, NaN and 5259.5 in the panel, a conflicting and an unknown
    township, inf in an age band, a migration row under another township's code."""
    panel_file = snapshots / PANEL.id / PANEL.snapshots[0].file
    lines = panel_file.read_text(encoding="utf-8").split("\n")
    replace_named_cell(lines, "112,南投縣,中寮鄉,", "年底人口", "1e999")
    replace_named_cell(lines, "112,南投縣,仁愛鄉,", "出生數", "NaN")
    replace_named_cell(lines, "112,南投縣,信義鄉,", "戶數", "5259.5")
    duplicate = next(line for line in lines if line.startswith("112,嘉義市,東區,"))
    conflicting = duplicate.split(",")
    conflicting[5] = str(int(conflicting[5]) + 1)  # 年底人口
    lines.append(",".join(conflicting))
    unknown = duplicate.replace("嘉義市,東區,", "嘉義市,北區,", 1)  # no such township
    lines.append(unknown)
    panel_file.write_text("\n".join(lines), encoding="utf-8")

    age_file = snapshots / AGE.id / AGE.snapshots[0].file
    lines = age_file.read_text(encoding="utf-8").split("\n")
    replace_named_cell(lines, "南投縣,中寮鄉,", "age_20_24_m", "inf")
    age_file.write_text("\n".join(lines), encoding="utf-8")

    migration_file = snapshots / MIGRATION.id / MIGRATION.snapshots[0].file
    lines = migration_file.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("09007010,"))
    lines[at] = lines[at].replace("09007010,", "09007020,", 1)  # 南竿鄉 under 北竿鄉's code
    migration_file.write_text("\n".join(lines), encoding="utf-8")


def damage_village_and_projection_counts(snapshots: Path) -> tuple[bytes, bytes]:
    """test_faults_population_counts: garbled counts and the publisher's placeholders ('…',
    '-') in the MOI village file and the NDC projection."""
    village_file = snapshots / VILLAGES.id / VILLAGES.snapshots[0].file
    body = village_file.read_bytes()
    body = replace_cell(body, "65000010001,", 3, "12a4")
    body = replace_cell(body, "65000010004,", 4, "<td>1259</td>")
    body = replace_cell(body, "65000010002,", 3, "…")
    village_body = replace_cell(body, "65000010003,", 4, "-")
    village_file.write_bytes(village_body)

    projection_file = snapshots / PROJECTION.id / PROJECTION.snapshots[0].file
    body = projection_file.read_bytes()
    body = replace_cell(body, "中推估,男性,0-4歲,", projection_year_column(2030), "1.2.3")
    body = replace_cell(body, "高推估,女性,100歲以上,", projection_year_column(2040), "…")
    projection_body = replace_cell(body, "低推估,男性,95-99歲,", projection_year_column(2050), "-")
    projection_file.write_bytes(projection_body)
    return village_body, projection_body


def damage_all(snapshots: Path) -> DamagedBodies:
    township_rows, township_body, county_lines, county_body = damage_population_tables(snapshots)
    damage_township_mirrors(snapshots)
    village_body, projection_body = damage_village_and_projection_counts(snapshots)
    return DamagedBodies(township_rows, township_body, county_lines, county_body, village_body,
                         projection_body)
