"""A count that does not parse in the MOI village file or the NDC projection is quarantined
with its text as published, not loaded as a silent null; the publisher's placeholders
('…', '-') are accepted. The session's build on damaged copies of the bundled snapshots
(damaged_snapshots.damage_village_and_projection_counts)."""

import hashlib

import duckdb
import invariants as inv
import pandas as pd
import pytest
from damaged_snapshots import PROJECTION, VILLAGES, projection_year_column, replace_cell

from sources import population
from sources.settings import SNAPSHOT_DIR

pytestmark = pytest.mark.faults

VILLAGE_PERIOD = "2026-08-01"  # the bundled file is 11508
GARBLED_VILLAGES = {"65000010001": "households=12a4", "65000010004": "population=<td>1259</td>"}
PLACEHOLDER_VILLAGES = {"65000010002": "households", "65000010003": "pop_total"}
CELLS_PER_SCENARIO_YEAR = 2 * 21  # sexes x five-year age groups


@pytest.fixture(scope="module")
def damaged_run(damaged_run):
    """(home, run result, the village file, the projection file) of the session's damaged
    build."""
    bodies = damaged_run.bodies
    return damaged_run.home, damaged_run.result, bodies.village_body, bodies.projection_body


@pytest.fixture(scope="module")
def warehouse(damaged_run):
    home, result, _, _ = damaged_run
    assert result.success, "garbled counts must be quarantined, not stop the build"
    con = duckdb.connect(str(home / "warehouse" / "tw_resas.duckdb"), read_only=True)
    yield con
    con.close()


def quarantined(con, body: bytes) -> list[tuple[str, str]]:
    return con.execute(
        "select record, reason from marts.fct_quarantined_row where raw_sha256 = ?",
        [hashlib.sha256(body).hexdigest()],
    ).fetchall()


@pytest.mark.pipeline
def test_the_run_publishes_after_the_gate(damaged_run, warehouse):
    home, result, _, _ = damaged_run
    inv.published_by_gated_run(inv.FaultCase("garbled population counts"), home, result)


@pytest.mark.pipeline
def test_garbled_village_counts_are_quarantined_with_their_text(damaged_run, warehouse):
    rows = quarantined(warehouse, damaged_run[2])
    assert len(rows) == len(GARBLED_VILLAGES)
    for code, text in GARBLED_VILLAGES.items():
        (hit,) = [(record, reason) for record, reason in rows if record.startswith(f"code={code};")]
        assert text in hit[0]
        assert hit[1] == "number does not parse (households or population)"
    published = warehouse.execute(
        "select distinct region_code from marts.fct_indicator_value where source_id = ?",
        [VILLAGES.id],
    ).fetchall()
    assert not set(GARBLED_VILLAGES) & {code for (code,) in published}


@pytest.mark.pipeline
def test_village_placeholders_are_accepted_as_no_figure(damaged_run, warehouse):
    rows = quarantined(warehouse, damaged_run[2])
    assert not [r for r in rows if r[0].split(";")[0].removeprefix("code=")
                in PLACEHOLDER_VILLAGES]
    for code, missing in PLACEHOLDER_VILLAGES.items():
        indicators = {c for (c,) in warehouse.execute(
            "select indicator_code from marts.fct_indicator_value"
            " where region_code = ? and source_id = ?", [code, VILLAGES.id]).fetchall()}
        present = {"households", "pop_total"} - {missing}
        assert indicators == present, code  # and no household_size from half a pair


@pytest.mark.pipeline
def test_every_village_row_is_published_or_quarantined(damaged_run, warehouse):
    rows_in = len(population.parse_village_households(damaged_run[2]))
    (published,) = warehouse.execute(
        "select count(distinct region_code) from marts.fct_indicator_value"
        " where source_id = ? and period = cast(? as date)", [VILLAGES.id, VILLAGE_PERIOD],
    ).fetchone()
    inv.rows_accounted(inv.FaultCase("garbled village counts"), rows_in=rows_in,
                       published=published, quarantined=len(quarantined(warehouse, damaged_run[2])))


@pytest.mark.pipeline
def test_a_garbled_projection_cell_is_quarantined_and_withholds_its_totals(
    damaged_run, warehouse
):
    rows = quarantined(warehouse, damaged_run[3])
    garbled = [r for r in rows if r[1] == "number does not parse (persons)"]
    assert [record for record, _ in garbled] == [
        "scenario=medium; sex=male; age_from=0; year=2030; persons=1.2.3"
    ]
    withheld = [record for record, reason in rows if reason.startswith("withheld")]
    assert len(withheld) == CELLS_PER_SCENARIO_YEAR - 1
    assert all("scenario=medium;" in r and "; year=2030;" in r for r in withheld)
    scenarios = {s for (s,) in warehouse.execute(
        "select scenario from marts.fct_indicator_value where indicator_code = 'pop_total'"
        " and region_code = 'TW' and period = date '2030-01-01' and source_id = ?",
        [PROJECTION.id]).fetchall()}
    assert scenarios == {"high", "low"}  # a medium total short of one age group is not published


@pytest.mark.pipeline
def test_projection_placeholders_are_accepted(damaged_run, warehouse):
    rows = quarantined(warehouse, damaged_run[3])
    assert not [r for r in rows if "; year=2040;" in r[0] or "; year=2050;" in r[0]]
    frame = population.parse_population_projection(damaged_run[3])
    for scenario, name, year in [("高推估", "high", 2040), ("低推估", "low", 2050)]:
        (total,) = warehouse.execute(
            "select value from marts.fct_indicator_value where indicator_code = 'pop_total'"
            " and region_code = 'TW' and scenario = ? and period = make_date(?, 1, 1)",
            [name, year]).fetchone()
        cells = frame[(frame["scenario"] == scenario) & (frame["year"] == year)]
        assert cells["persons"].isna().sum() == 1
        assert total == cells["persons"].sum()


@pytest.mark.pipeline
def test_every_projection_cell_is_published_or_quarantined(damaged_run, warehouse):
    """Each published national total sums one scenario and year; actual years are published
    once (from 中推估), their copies under 高推估 and 低推估 are not modelled."""
    frame = population.parse_population_projection(damaged_run[3])
    (totals,) = warehouse.execute(
        "select count(*) from marts.fct_indicator_value where indicator_code = 'pop_total'"
        " and region_code = 'TW' and grain = 'year' and source_id = ?", [PROJECTION.id],
    ).fetchone()
    copies_of_actual_years = frame[~frame["is_projection"] & (frame["scenario"] != "中推估")]
    inv.rows_accounted(
        inv.FaultCase("garbled projection cell"), rows_in=len(frame) - len(copies_of_actual_years),
        published=totals * CELLS_PER_SCENARIO_YEAR,
        quarantined=len(quarantined(warehouse, damaged_run[3])),
    )


@pytest.mark.pipeline
def test_the_oracles_still_hold(warehouse):
    """Undamaged years: NDC end-2017 total, as test_pipeline checks on the bundled file."""
    (total,) = warehouse.execute(
        "select value from marts.fct_indicator_value where indicator_code = 'pop_total'"
        " and region_code = 'TW' and scenario is null and period = date '2017-01-01'"
    ).fetchone()
    assert total == 23_571_227


def test_village_counts_keep_the_text_as_published():
    """Placeholder and garbled cells both parse to null; only the kept text tells them apart."""
    raw = (SNAPSHOT_DIR / VILLAGES.id / VILLAGES.snapshots[0].file).read_bytes()
    raw = replace_cell(raw, "65000010001,", 3, "12a4")
    raw = replace_cell(raw, "65000010002,", 3, "…")
    raw = replace_cell(raw, "65000010003,", 4, "NA")  # not blanked the way pandas would
    frame = population.parse_village_households(raw).set_index("code")
    assert frame.loc["65000010001", "households_text"] == "12a4"
    assert frame.loc["65000010002", "households_text"] == "…"
    assert frame.loc["65000010003", "population_text"] == "NA"
    for code, column in [("65000010001", "households"), ("65000010002", "households"),
                         ("65000010003", "population")]:
        assert pd.isna(frame.loc[code, column])
    untouched = frame.drop(index=["65000010001", "65000010002", "65000010003"])
    for column in ("households", "population"):
        assert (untouched[column].astype(int).astype(str) == untouched[f"{column}_text"]).all()


def test_projection_cells_keep_the_text_as_published():
    raw = (SNAPSHOT_DIR / PROJECTION.id / PROJECTION.snapshots[0].file).read_bytes()
    column_2030 = projection_year_column(2030)
    raw = replace_cell(raw, "中推估,男性,0-4歲,", column_2030, "1.2.3")
    raw = replace_cell(raw, "高推估,女性,100歲以上,", column_2030, "-")
    frame = population.parse_population_projection(raw)
    cells = frame[frame["year"] == 2030].set_index(["scenario", "sex", "age_group"])
    assert cells.loc[("中推估", "男性", "0-4歲"), "persons_text"] == "1.2.3"
    assert cells.loc[("高推估", "女性", "100歲以上"), "persons_text"] == "-"
    assert frame["persons"].isna().sum() == 2
    parsed = frame.dropna(subset=["persons"])
    assert (parsed["persons"].astype(int).astype(str) == parsed["persons_text"]).all()
