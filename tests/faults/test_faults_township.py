"""Hostile cells in the township mirror tables are quarantined with their text and reason, and
no county or national sum is published short of the rejected township. The session's build on
damaged copies of the bundled snapshots (damaged_snapshots.damage_township_mirrors)."""

import duckdb
import pytest
from damaged_snapshots import AGE, MIGRATION, PANEL

from sources import township

pytestmark = [pytest.mark.faults, pytest.mark.pipeline]


@pytest.fixture(scope="module")
def warehouse(damaged_run):
    assert damaged_run.result.success, (
        "hostile township cells must be quarantined, not stop the build")
    con = duckdb.connect(str(damaged_run.home / "warehouse" / "tw_resas.duckdb"), read_only=True)
    yield con
    con.close()


def quarantined(warehouse, source_id: str) -> dict[str, str]:
    rows = warehouse.execute(
        "select record, reason from marts.fct_quarantined_row where source_id = ?", [source_id]
    ).fetchall()
    return dict(rows)


def test_hostile_panel_cells_are_quarantined_with_their_text(warehouse):
    rows = quarantined(warehouse, PANEL.id)
    assert rows["site=南投縣中寮鄉; period=112; 年底人口=1e999"] == "number does not parse"
    assert rows["site=南投縣仁愛鄉; period=112; 出生數=NaN"] == "number does not parse"
    assert rows["site=南投縣信義鄉; period=112; 戶數=5259.5"] == "not a whole number"
    assert any(record.startswith("site=嘉義市北區;") and reason == "region not in code table"
               for record, reason in rows.items())
    assert any(record.startswith("site=嘉義市東區; period=112; 年底人口=")
               and reason.startswith("conflicting duplicate rows")
               for record, reason in rows.items())


def test_no_sum_is_published_short_of_a_rejected_township(warehouse):
    def value(code, region, period):
        row = warehouse.execute(
            "select value from marts.fct_indicator_value where indicator_code = ?"
            " and region_code = ? and period = cast(? as date) and grain = 'year'",
            [code, region, period],
        ).fetchone()
        return row and row[0]

    assert value("pop_total", "10008080", "2023-01-01") is None  # 中寮鄉, rejected
    assert value("pop_total", "10008", "2023-01-01") is None  # 南投縣 not summed without it
    assert value("births", "10008", "2023-01-01") is None
    assert value("pop_total", "10008", "2022-01-01") is not None  # other years untouched
    assert value("pop_total", "10020", "2023-01-01") is None  # 嘉義市: 東區 conflicting


def test_a_rejected_band_withholds_the_townships_bands_and_a_wrong_code_is_caught(warehouse):
    age = quarantined(warehouse, AGE.id)
    assert age["site=南投縣中寮鄉; period=11506; age_20_24_m=inf"] == "number does not parse"
    withheld = [r for r, reason in age.items() if reason.startswith("withheld")]
    assert len(withheld) == len(township.AGE_MEASURES) - 1
    migration = quarantined(warehouse, MIGRATION.id)
    assert migration and all(reason == "code and name disagree (name is 09007010)"
                             for reason in migration.values())
