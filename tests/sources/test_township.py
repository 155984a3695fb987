"""Township parsers on the real bundled files, and what they do with hostile input."""

import bz2

import pandas as pd
import pytest

from sources import township
from sources.errors import SourceError


def snapshot_bytes(source, index=0):
    return source.snapshot_path(source.snapshots[index]).read_bytes()


def cell(frame, measure, **keys):
    rows = frame[frame["measure"] == measure]
    for column, value in keys.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1, (measure, keys, len(rows))
    return rows.iloc[0]


# ------------------------------------------------------------------ panel (mirror table)


def test_panel_year_end_population_reproduces_the_official_totals():
    frame = township.parse_panel(snapshot_bytes(township.TOWNSHIP_PANEL))
    population = frame[frame["measure"] == "年底人口"]
    totals = population.groupby("roc_year_text")["value"].sum()
    assert totals["109"] == 23_561_236  # end 2020
    assert totals["111"] == 23_264_640  # end 2022
    assert totals["112"] == 23_420_442  # end 2023
    # only ROC 109-113 hold the population measures; earlier year rows are empty
    assert set(frame["roc_year_text"]) == {"109", "110", "111", "112", "113"}
    assert population.groupby("roc_year_text").size().eq(368).all()


def test_panel_gap_is_missing_not_zero():
    frame = township.parse_panel(snapshot_bytes(township.TOWNSHIP_PANEL))
    deaths = frame[(frame["measure"] == "死亡數") & (frame["roc_year_text"] == "113")]
    assert len(deaths) == 367
    assert "板橋區" not in set(deaths[deaths["county_name"] == "新北市"]["township_name"])
    assert deaths["value"].min() > 0


def test_panel_county_file_has_no_township_column():
    frame = township.parse_panel(snapshot_bytes(township.TOWNSHIP_PANEL, 1))
    assert frame["township_name"].isna().all()
    assert cell(frame, "年底人口", county_name="臺北市", roc_year_text="112")["value"] > 2_000_000


HEADER = ("年,縣市,鄉鎮市區,年底人口,土地面積_km2,出生數,死亡數,戶數,0_14歲人口,15_64歲人口,"
          "40_64歲人口,65歲以上人口\n")


@pytest.mark.parametrize("garbled", ["1e999", "NaN", "386336.7", "inf", "—"])
def test_panel_hostile_counts_keep_their_text(garbled):
    raw = (HEADER + f"112,新北市,板橋區,{garbled},23.1,1,2,3,4,5,6,7\n").encode()
    frame = township.parse_panel(raw)
    population = cell(frame, "年底人口")
    assert population["value_text"] == garbled
    # a fraction parses (dbt rejects it as not a whole number); no other text becomes a number
    if garbled == "386336.7":
        assert population["value"] == 386336.7
    else:
        assert pd.isna(population["value"])


def test_panel_full_width_digits_and_separators_parse():
    raw = (HEADER + "112,新北市,板橋區,\"５５１,４５２\",23.1,1,2,3,4,5,6,7\n").encode()
    assert cell(township.parse_panel(raw), "年底人口")["value"] == 551_452


def test_panel_renamed_column_html_and_big5_are_refused():
    with pytest.raises(SourceError, match="township_panel_mirror.*missing column.*年底人口"):
        township.parse_panel(
            (HEADER.replace("年底人口", "人口") + "112,新北市,板橋區,1,1,1,1,1,1,1,1,1\n").encode()
        )
    with pytest.raises(SourceError, match="township_panel_mirror.*HTML"):
        township.parse_panel(b"<html><body>maintenance</body></html>")
    with pytest.raises(SourceError, match="township_panel_mirror.*not UTF-8"):
        township.parse_panel((HEADER + "112,新北市,板橋區,1,1,1,1,1,1,1,1,1\n").encode("big5"))
    with pytest.raises(SourceError, match="township_panel_mirror.*fields"):
        township.parse_panel((HEADER + "112,新北市,板橋區,1,1\n").encode())


# ------------------------------------------------------------------ ODRP014 age structure


def test_age_bands_add_up_to_each_townships_total():
    frame = township.parse_age_structure(snapshot_bytes(township.TOWNSHIP_AGE))
    keys = ["county_name", "township_name"]
    bands = frame[frame["measure"].str.startswith("age_")].groupby(keys)["value"].sum()
    totals = frame[frame["measure"] == "人口數"].set_index(keys)["value"]
    assert len(totals) == 368
    assert (bands.reindex(totals.index) == totals).all()
    assert totals.sum() == 23_243_565
    assert set(frame["roc_yyymm_text"]) == {"11506"}


def test_age_file_without_the_100_plus_band_is_refused():
    raw = snapshot_bytes(township.TOWNSHIP_AGE).decode("utf-8-sig")
    header, rest = raw.split("\n", 1)
    with pytest.raises(SourceError, match="moi_township_age.*age_100up_m"):
        township.parse_age_structure((header.replace("age_100up_m", "age_100_m") + "\n"
                                      + rest).encode())


# ------------------------------------------------------------------ growth and migration


def test_migration_periods_come_from_the_column_names():
    frame = township.parse_migration(snapshot_bytes(township.TOWNSHIP_MIGRATION))
    year_ends = frame[frame["grain"] == "year"]
    assert set(year_ends["roc_period_text"]) == {"109", "114"}
    assert year_ends[year_ends["roc_period_text"] == "109"]["value"].sum() == 23_561_236
    flows = frame[frame["grain"] == "twelve_months"]
    assert set(flows["roc_period_text"]) == {"11506"}
    nangan = cell(flows, "遷入人數_近12月", town_code="09007010")
    assert (nangan["county_name"], nangan["township_name"]) == ("連江縣", "南竿鄉")
    assert nangan["value"] == 597


def test_migration_without_base_month_is_refused():
    raw = snapshot_bytes(township.TOWNSHIP_MIGRATION).decode("utf-8-sig")
    with pytest.raises(SourceError, match="moi_township_migration.*統計基準人口"):
        township.parse_migration(raw.replace("統計基準人口_11506", "統計基準人口").encode())


def test_population_file_hostile_cells_keep_their_text():
    raw = ("行政區代碼,縣市,鄉鎮市區,統計年月,戶數,人口數,土地面積_km2\n"
           "09007010,連江縣,南竿鄉,11506,1e999,NaN,10.4\n").encode()
    frame = township.parse_population(raw)
    assert cell(frame, "戶數")["value_text"] == "1e999" and pd.isna(cell(frame, "戶數")["value"])
    assert cell(frame, "人口數")["value_text"] == "NaN" and pd.isna(cell(frame, "人口數")["value"])
    assert cell(frame, "土地面積_km2")["value"] == 10.4
    assert cell(frame, "戶數")["town_code"] == "09007010"  # leading zero kept


# ------------------------------------------------------------------ SEGIS .rda


def test_segis_poi_totals_and_sections():
    frame = township.parse_segis_poi(snapshot_bytes(township.SEGIS_POI))
    by_measure = frame.groupby("measure")["value"].sum()
    assert by_measure["c_cnt"] == 1_509_667
    assert by_measure["h_bed"] == 233_595
    sections = frame[frame["measure"].str.match(r"c1_[a-s]_cnt")]
    per_town = sections.groupby("town_id")["value"].sum()
    totals = frame[frame["measure"] == "c_cnt"].set_index("town_id")["value"]
    assert len(totals) == 368 and (per_town.reindex(totals.index) == totals).all()


def test_segis_low_income_counts():
    frame = township.parse_segis_low_income(snapshot_bytes(township.SEGIS_LOW_INCOME))
    assert frame.groupby("measure")["value"].sum().to_dict() == {
        "rlh_cnt": 145_157, "rlp_cnt": 293_640, "rlh2_cnt": 106_769, "rlp2_cnt": 300_835}


def test_segis_hostile_files():
    with pytest.raises(SourceError, match="segis_poi_town.*not an R data file"):
        township.parse_segis_poi(b"<html>error</html>")
    with pytest.raises(SourceError, match="segis_poi_town.*does not read"):
        township.parse_segis_poi(bz2.compress(b"RDX3\nnot really R data"))


def test_segis_nan_inf_and_fractions_keep_their_text(monkeypatch, tmp_path):
    import pyreadr

    frame = pd.DataFrame({
        "info_time": ["110Y06M"] * 3,
        "countytown": ["新北市板橋區", "新北市三重區", "新北市中和區"],
        "town_id": ["65000010", "65000020", "65000030"],
        **{measure: [1.0, 2.0, 3.0] for measure in township.LOW_INCOME_MEASURES},
    })
    frame.loc[0, "rlh_cnt"] = float("nan")
    frame.loc[1, "rlh_cnt"] = float("inf")
    frame.loc[2, "rlh_cnt"] = 386336.7
    path = tmp_path / "lm.rda"
    pyreadr.write_rdata(str(path), frame, df_name="lmincome_town_202106", compress="gzip")
    parsed = township.parse_segis_low_income(path.read_bytes())
    counts = parsed[parsed["measure"] == "rlh_cnt"].set_index("town_id")
    assert counts.loc["65000010", "value_text"] == "NA"
    assert pd.isna(counts.loc["65000010", "value"])
    assert counts.loc["65000020", "value_text"] == "inf"
    assert pd.isna(counts.loc["65000020", "value"])
    assert counts.loc["65000030", "value"] == 386336.7  # dbt rejects: not a whole number
