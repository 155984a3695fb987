"""Hostile cells in the township mirror tables are quarantined with their text and reason, and
no county or national sum is published short of the rejected township. One offline run on
damaged copies of the bundled snapshots."""

import shutil

import duckdb
import pytest

from orchestration.cli import run_all
from sources import catalog, township
from sources.settings import SNAPSHOT_DIR

pytestmark = pytest.mark.faults

PANEL = township.TOWNSHIP_PANEL
AGE = township.TOWNSHIP_AGE
MIGRATION = township.TOWNSHIP_MIGRATION


def replace_cell(lines: list[str], row_start: str, column: str, value: str) -> None:
    header = lines[0].lstrip("\ufeff").split(",")
    at = next(i for i, line in enumerate(lines) if line.startswith(row_start))
    cells = lines[at].split(",")
    cells[header.index(column)] = value
    lines[at] = ",".join(cells)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    snapshots = tmp_path_factory.mktemp("snapshots") / "snapshots"
    shutil.copytree(SNAPSHOT_DIR, snapshots)

    panel_file = snapshots / PANEL.id / PANEL.snapshots[0].file
    lines = panel_file.read_text(encoding="utf-8").split("\n")
    replace_cell(lines, "112,南投縣,中寮鄉,", "年底人口", "1e999")
    replace_cell(lines, "112,南投縣,仁愛鄉,", "出生數", "NaN")
    replace_cell(lines, "112,南投縣,信義鄉,", "戶數", "5259.5")
    duplicate = next(line for line in lines if line.startswith("112,嘉義市,東區,"))
    conflicting = duplicate.split(",")
    conflicting[5] = str(int(conflicting[5]) + 1)  # 年底人口
    lines.append(",".join(conflicting))
    unknown = duplicate.replace("嘉義市,東區,", "嘉義市,北區,", 1)  # no such township
    lines.append(unknown)
    panel_file.write_text("\n".join(lines), encoding="utf-8")

    age_file = snapshots / AGE.id / AGE.snapshots[0].file
    lines = age_file.read_text(encoding="utf-8").split("\n")
    replace_cell(lines, "南投縣,中寮鄉,", "age_20_24_m", "inf")
    age_file.write_text("\n".join(lines), encoding="utf-8")

    migration_file = snapshots / MIGRATION.id / MIGRATION.snapshots[0].file
    lines = migration_file.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("09007010,"))
    lines[at] = lines[at].replace("09007010,", "09007020,", 1)  # 南竿鄉 under 北竿鄉's code
    migration_file.write_text("\n".join(lines), encoding="utf-8")

    home = tmp_path_factory.mktemp("township_quarantine")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(catalog, "SNAPSHOT_DIR", snapshots)
        patch.setenv("TWRESAS_HOME", str(home))
        patch.setenv("TWRESAS_GX_ROOT", str(home / "expectations"))
        patch.setenv("TWRESAS_SOURCE_MODE", "snapshot")
        result = run_all()
    assert result.success, "hostile township cells must be quarantined, not stop the build"
    con = duckdb.connect(str(home / "warehouse" / "tw_resas.duckdb"), read_only=True)
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
