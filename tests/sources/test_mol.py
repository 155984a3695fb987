import csv
from pathlib import Path

import pandas as pd
import pytest

from sources.errors import SourceError
from sources.http import fetch
from sources.mol import (
    HOUSEHOLD_INCOME_BY_AREA,
    MANPOWER_BY_AREA,
    decode_chinese,
    parse_household_income_by_area,
    parse_manpower_by_area,
)

TWSTAT = Path(__file__).resolve().parents[1] / "fixtures" / "twstat"
TAIWAN_AREA_COUNTIES = 20  # 金門縣 and 連江縣 are outside the surveys


def raw(source) -> bytes:
    return source.snapshot_path(source.snapshots[0]).read_bytes()


@pytest.fixture(scope="module")
def manpower() -> pd.DataFrame:
    return parse_manpower_by_area(raw(MANPOWER_BY_AREA))


@pytest.fixture(scope="module")
def income() -> pd.DataFrame:
    frame = parse_household_income_by_area(raw(HOUSEHOLD_INCOME_BY_AREA))
    return frame.pivot(index="region_name", columns="measure", values="value")


def twstat_2014(indicator: str) -> dict[str, float]:
    with (TWSTAT / f"twstat_{indicator}.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    row = next(row for row in rows if row[0] == "2014")
    return {
        region: float(cell)
        for region, cell in zip(rows[0][1:], row[1:], strict=True)
        if cell != "-"
    }


def test_fetch_serves_the_bundled_big5_table(twresas_home):
    landed = fetch(MANPOWER_BY_AREA, roc_year="105", table="2-3")
    assert landed.read_bytes() == raw(MANPOWER_BY_AREA)
    with pytest.raises(UnicodeDecodeError):
        landed.read_bytes().decode("utf-8")  # the publisher's Big5, not the derived UTF-8 copy


def test_encoding_is_detected_not_assumed():
    big5 = raw(MANPOWER_BY_AREA)
    text = decode_chinese(MANPOWER_BY_AREA, big5)
    assert "人力資源概況" in text
    as_utf8 = text.encode("utf-8")
    pd.testing.assert_frame_equal(parse_manpower_by_area(as_utf8), parse_manpower_by_area(big5))


def test_non_chinese_encoding_raises_naming_the_source():
    japanese = "表 2-3 労働力調査 地域別 東京都 大阪府 労働力人口 就業者 完全失業者\n" * 20
    with pytest.raises(SourceError, match="mol_manpower_by_area") as caught:
        parse_manpower_by_area(japanese.encode("shift_jis"))
    assert "Chinese encoding" in caught.value.problem


def test_regions_are_the_total_and_20_counties_without_print_spaces(manpower, income):
    for regions, total in ((set(manpower["region_name"]), "總計"), (set(income.index), "總平均")):
        assert total in regions
        assert len(regions) == 1 + TAIWAN_AREA_COUNTIES
        assert not {"金門縣", "連江縣"} & regions
        assert all("\u3000" not in name and " " not in name for name in regions)
    assert {"新北市", "嘉義市"} <= set(manpower["region_name"])


def test_rates_carry_their_own_years(manpower):
    rates = manpower[manpower["region_name"] == "總計"].set_index(["measure", "year"])["value"]
    # Table 2-3, 105年勞動統計年報: 總計 LFPR 58.75 (2016), 58.54 (2014), 58.65 (2015)
    assert rates["lfpr_pct", 2016] == 58.75
    assert rates["lfpr_pct", 2014] == 58.54
    assert rates["lfpr_pct", 2015] == 58.65
    assert rates["unemployment_rate_pct", 2016] == 3.92
    counts = manpower[manpower["unit"] == "千人"]
    assert set(counts["year"]) == {2016}


def test_labour_force_of_the_counties_sums_to_the_total(manpower):
    labour = manpower[manpower["measure"] == "labour_force_thousand"].set_index("region_name")
    assert labour.loc["總計", "value"] == 11_727
    assert labour.drop("總計")["value"].sum() == 11_726  # rounding of the printed 千人


def test_employed_plus_unemployed_is_the_labour_force(manpower):
    wide = manpower[manpower["year"] == 2016].pivot(
        index="region_name", columns="measure", values="value"
    )
    gap = wide["employed_thousand"] + wide["unemployed_thousand"] - wide["labour_force_thousand"]
    assert gap.abs().max() <= 1  # each figure rounded to the 千人


@pytest.mark.parametrize(
    ("measure", "indicator"),
    [("unemployment_rate_pct", "失業率"), ("lfpr_pct", "勞動力參與率")],
)
def test_2014_rates_equal_the_dgbas_county_figures(manpower, measure, indicator):
    rates = manpower[(manpower["measure"] == measure) & (manpower["year"] == 2014)]
    counties = rates[rates["region_name"] != "總計"].set_index("region_name")["value"]
    oracle = twstat_2014(indicator)
    assert len(counties) == TAIWAN_AREA_COUNTIES
    assert {county: oracle[county] for county in counties.index} == counties.to_dict()


def test_household_counts_sum_to_the_total(income):
    assert income.drop("總平均")["households"].sum() == income.loc["總平均", "households"]
    assert income.loc["總平均", "households"] == 8_386_495


def test_household_weighted_disposable_income_is_the_average(income):
    counties = income.drop("總平均")
    weighted = (counties["households"] * counties["disposable_income_ntd"]).sum()
    assert round(weighted / counties["households"].sum()) == 964_895
    assert income.loc["總平均", "disposable_income_ntd"] == 964_895


def test_income_table_is_2015_with_units(income):
    frame = parse_household_income_by_area(raw(HOUSEHOLD_INCOME_BY_AREA))
    assert set(frame["year"]) == {2015}  # 105年 yearbook, 中華民國104年 survey
    units = frame.drop_duplicates("measure").set_index("measure")["unit"]
    assert units["disposable_income_ntd"] == "元"
    assert units["households"] == "戶"
    assert units["saving_rate_pct"] == "%"


def test_the_other_table_is_refused():
    with pytest.raises(SourceError, match="no table titled '人力資源概況'"):
        parse_manpower_by_area(raw(HOUSEHOLD_INCOME_BY_AREA))


def test_a_moved_column_raises_naming_the_column():
    text = decode_chinese(HOUSEHOLD_INCOME_BY_AREA, raw(HOUSEHOLD_INCOME_BY_AREA))
    changed = text.replace(" 可支配所得", " 可用所得").encode("cp950")
    with pytest.raises(SourceError, match="mol_household_income_by_area") as caught:
        parse_household_income_by_area(changed)
    assert "可支配所得" in caught.value.problem


def test_a_non_number_in_a_county_row_raises():
    text = decode_chinese(MANPOWER_BY_AREA, raw(MANPOWER_BY_AREA))
    changed = text.replace('"2027"', '"二○二七"', 1).encode("cp950")
    with pytest.raises(SourceError, match="新北市 勞動力"):
        parse_manpower_by_area(changed)


# ---------------------------------------------------------------- county labour panel


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    from sources.mol import LABOUR_PANEL, parse_labour_panel

    return parse_labour_panel(raw(LABOUR_PANEL))


def test_labour_panel_is_22_counties_by_2019_2024(panel):
    assert panel["county"].nunique() == 22
    assert sorted(panel["year"].unique()) == list(range(2019, 2025))
    assert len(panel) == 22 * 6 * 5
    nantou = panel[(panel["county"] == "南投縣") & (panel["year"] == 2019)]
    assert dict(zip(nantou["measure"], nantou["value"], strict=True)) == {
        "wage_median_10k": 44.9, "lfpr": 62.3, "unemp_rate": 3.7, "college_pct": 40.06,
        "industry_pct": 27.04,
    }


def test_labour_panel_missing_wage_is_missing_not_zero(panel):
    wage = panel[panel["measure"] == "wage_median_10k"]
    missing = wage[wage["value"].isna()]
    assert set(missing["county"]) == {"金門縣", "連江縣"}
    assert (missing["value_text"] == "").all()
    assert not (wage["value"] == 0).any()


@pytest.mark.parametrize("garbled", ["NaN", "1e999", "44,9", "inf", "-3.7", "4.49E+01"])
def test_labour_panel_cell_that_is_not_a_plain_number_keeps_its_text(garbled):
    from sources.mol import LABOUR_PANEL, parse_labour_panel

    text = raw(LABOUR_PANEL).decode("utf-8")
    text = text.replace("南投縣,2019,44.9,", f'南投縣,2019,"{garbled}",', 1)
    frame = parse_labour_panel(text.encode("utf-8"))
    cell = frame[(frame["county"] == "南投縣") & (frame["year"] == 2019)
                 & (frame["measure"] == "wage_median_10k")].iloc[0]
    assert pd.isna(cell["value"]) and cell["value_text"] == garbled


def test_labour_panel_impossible_year_and_renamed_column_are_refused():
    from sources.mol import LABOUR_PANEL, parse_labour_panel

    text = raw(LABOUR_PANEL).decode("utf-8")
    for year in ("2O19", "2111"):
        with pytest.raises(SourceError,
                           match=f"county_labour_panel.*'{year}' is not a past year.*line 2"):
            parse_labour_panel(text.replace("南投縣,2019,", f"南投縣,{year},", 1).encode("utf-8"))
    with pytest.raises(SourceError, match="county_labour_panel.*missing column.*unemp_rate"):
        parse_labour_panel(text.replace("unemp_rate", "unemployment", 1).encode("utf-8"))
    with pytest.raises(SourceError, match="county_labour_panel.*not UTF-8"):
        parse_labour_panel(text.encode("cp950"))


@pytest.mark.parametrize("cell, problem", [
    ("NaN", "not a number"), ("1e999", "not a number"), ("inf", "not a number"),
    ("-1332", "negative amount"), ("13,32", "not a number"),
])
def test_yearbook_figure_that_is_no_number_refuses_the_table(cell, problem):
    """The printed figures are used together: one that is no figure refuses the table."""
    text = decode_chinese(MANPOWER_BY_AREA, raw(MANPOWER_BY_AREA))
    broken = text.replace('Taipei City","2316","1332"', f'Taipei City","2316","{cell}"', 1)
    assert broken != text
    expected = f"mol_manpower_by_area: 臺北市 勞動力 '{cell}': {problem}"
    with pytest.raises(SourceError, match=expected):
        parse_manpower_by_area(broken.encode("utf-8"))
