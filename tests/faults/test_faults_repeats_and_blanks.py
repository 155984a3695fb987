"""Repeated village rows, a tourism spot with every month blank and hostile counts in the
township density file (issue 13): each is quarantined with its reason and the text as
published, and the build still publishes. One offline run on damaged copies of the bundled
snapshots (a repeated village used to fail the whole build through a dbt test)."""

import hashlib
import json
import shutil

import duckdb
import invariants as inv
import pytest

from orchestration.cli import run_all
from sources import catalog, population, tourism
from sources.settings import SNAPSHOT_DIR

pytestmark = [pytest.mark.faults, pytest.mark.pipeline]

VILLAGES = population.VILLAGE_HOUSEHOLDS
API = population.HOUSEHOLD_REGISTRATION_API
TOWNSHIPS = population.TOWNSHIP_DENSITY
VISITORS = tourism.VISITORS
REPEATED, CONFLICTING = "65000010005", "65000010006"
BLANK_SPOT = "2019,其他, -,測試步道,臺北市,,,,,,,,,,,,,"


@pytest.fixture(scope="module")
def damaged_run(tmp_path_factory):
    snapshots = tmp_path_factory.mktemp("snapshots") / "snapshots"
    shutil.copytree(SNAPSHOT_DIR, snapshots)
    bodies = {}

    village_file = snapshots / VILLAGES.id / VILLAGES.snapshots[0].file
    lines = village_file.read_text(encoding="utf-8").splitlines()
    repeated = next(line for line in lines if line.startswith(REPEATED + ","))
    conflicting = next(line for line in lines if line.startswith(CONFLICTING + ","))
    fields = conflicting.split(",")
    fields[3] = str(int(fields[3]) + 7)  # the same village and month, other households
    lines += [repeated, ",".join(fields)]
    bodies[VILLAGES.id] = ("\n".join(lines) + "\n").encode()
    village_file.write_bytes(bodies[VILLAGES.id])

    page_file = snapshots / API.id / API.snapshots[1].file
    page = json.loads(page_file.read_bytes())
    page["responseData"].append(dict(page["responseData"][0]))  # 65000010004 twice
    bodies[API.id] = json.dumps(page, ensure_ascii=False, indent=1).encode()
    page_file.write_bytes(bodies[API.id])

    township_file = snapshots / TOWNSHIPS.id / "opendata108N010.json"
    rows = json.loads(township_file.read_bytes())
    rows[0] = dict(rows[0], people_total="386336.7")  # no count of persons
    rows[1] = dict(rows[1], area="1e999")  # not a number (pd.to_numeric read infinity)
    bodies[TOWNSHIPS.id] = json.dumps(rows, ensure_ascii=False, indent=1).encode()
    township_file.write_bytes(bodies[TOWNSHIPS.id])

    visitors_file = snapshots / VISITORS.id / VISITORS.snapshots[0].file
    text = visitors_file.read_text(encoding="utf-8").rstrip("\n")
    bodies[VISITORS.id] = (text + "\n" + BLANK_SPOT + "\n").encode()
    visitors_file.write_bytes(bodies[VISITORS.id])

    home = tmp_path_factory.mktemp("repeats_and_blanks")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(catalog, "SNAPSHOT_DIR", snapshots)
        patch.setenv("TWRESAS_HOME", str(home))
        patch.setenv("TWRESAS_GX_ROOT", str(home / "expectations"))
        patch.setenv("TWRESAS_SOURCE_MODE", "snapshot")
        result = run_all()
    return home, result, bodies


@pytest.fixture(scope="module")
def warehouse(damaged_run):
    home, result, _ = damaged_run
    assert result.success, "repeated, blank and hostile rows must be quarantined, not stop it"
    con = duckdb.connect(str(home / "warehouse" / "tw_resas.duckdb"), read_only=True)
    yield con
    con.close()


def quarantined(con, body: bytes) -> list[tuple[str, str]]:
    return con.execute(
        "select record, reason from marts.fct_quarantined_row where raw_sha256 = ?",
        [hashlib.sha256(body).hexdigest()],
    ).fetchall()


def published_villages(con, source_id: str) -> set[str]:
    return {code for (code,) in con.execute(
        "select distinct region_code from marts.fct_indicator_value where source_id = ?",
        [source_id]).fetchall()}


def test_the_run_publishes_after_the_gate(damaged_run, warehouse, case):
    home, result, _ = damaged_run
    inv.published_by_gated_run(case, home, result)


def test_repeated_and_conflicting_village_rows_are_quarantined(damaged_run, warehouse, case):
    body = damaged_run[2][VILLAGES.id]
    rows = quarantined(warehouse, body)
    reasons = sorted((record.split(";")[0], reason) for record, reason in rows)
    conflict = "conflicting duplicate rows (same village and month, different values)"
    assert reasons == [(f"code={REPEATED}", "duplicate row (same village and month)"),
                       (f"code={CONFLICTING}", conflict), (f"code={CONFLICTING}", conflict)]
    published = published_villages(warehouse, VILLAGES.id)
    assert REPEATED in published  # the copies agree: published once
    assert CONFLICTING not in published  # which copy is right cannot be told
    inv.rows_accounted(case, rows_in=len(population.parse_village_households(body)),
                       published=len(published), quarantined=len(rows))


def test_a_village_repeated_in_the_api_pages_is_quarantined(damaged_run, warehouse, case):
    rows = quarantined(warehouse, damaged_run[2][API.id])
    assert [(record.split(";")[0], reason) for record, reason in rows] == [
        ("code=65000010004", "duplicate row (same village and month)")]
    assert "; male=811; female=883" in rows[0][0]  # the counts as published
    (values,) = warehouse.execute(
        "select count(*) from marts.fct_indicator_value where source_id = ?"
        " and region_code = '65000010004' and indicator_code = 'pop_total'", [API.id]).fetchone()
    assert values == 1
    page_rows = len(json.loads(damaged_run[2][API.id])["responseData"])
    first_page = population.parse_household_registration_page(
        (SNAPSHOT_DIR / API.id / API.snapshots[0].file).read_bytes())[0]
    inv.rows_accounted(case, rows_in=len(first_page) + page_rows,
                       published=len(published_villages(warehouse, API.id)),
                       quarantined=len(rows))


def test_hostile_township_counts_are_quarantined_with_their_text(damaged_run, warehouse, case):
    body = damaged_run[2][TOWNSHIPS.id]
    rows = dict(quarantined(warehouse, body))
    assert rows["site_id=新北市板橋區; statistic_yyy=108; people_total=386336.7; area=23.1373"] \
        == "people_total '386336.7': count is not a whole number"
    assert rows["site_id=新北市三重區; statistic_yyy=108; people_total=386336; area=1e999"] \
        == "area '1e999': not a number"
    (published,) = warehouse.execute(
        "select count(*) from marts.fct_indicator_value v join marts.dim_region r"
        " using (region_code) where r.region_level = 'township' and v.source_id = ?"
        " and v.indicator_code = 'pop_total' and v.period = date '2019-01-01'", [TOWNSHIPS.id],
    ).fetchone()
    inv.rows_accounted(case, rows_in=len(json.loads(body)), published=published,
                       quarantined=len(rows))


def test_a_spot_with_every_month_blank_is_quarantined(damaged_run, warehouse, case):
    body = damaged_run[2][VISITORS.id]
    rows = quarantined(warehouse, body)
    assert ("year=2019; 縣市別=臺北市; 類型=其他; 細分=測試步道; 合計=",
            "every month blank (合計 blank)") in rows
    (ranked,) = warehouse.execute(
        "select count(*) from marts.fct_tourism_spot_ranking where spot_name = '測試步道'"
    ).fetchone()
    assert ranked == 0
    release = tourism.parse_visitors(body)
    of_2019 = release[release["year"] == 2019]
    keys = ["county_name", "spot_type", "spot_name"]
    totals = of_2019.groupby(keys)["visitors"].agg(["count", "sum"])
    (ranked_2019,) = warehouse.execute(
        "select count(*) from marts.fct_tourism_spot_ranking where period = '2019-01-01'"
    ).fetchone()
    blank_2019 = [r for r in rows if r[0].startswith("year=2019;")]
    zero_visitors = int(((totals["count"] > 0) & (totals["sum"] == 0)).sum())
    inv.rows_accounted(case, rows_in=len(totals), published=ranked_2019 + zero_visitors,
                       quarantined=len(blank_2019))
