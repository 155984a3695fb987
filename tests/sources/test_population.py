"""Population parsers on the real bundled files, and their errors on bad input."""

import pandas as pd
import pytest

from sources import population
from sources.errors import SourceError


def snapshot_bytes(source, index=0):
    return source.snapshot_path(source.snapshots[index]).read_bytes()


def test_township_density_2019_sums_to_the_official_total():
    frame = population.parse_township_density(snapshot_bytes(population.TOWNSHIP_DENSITY, 1))
    assert len(frame) == 370  # 368 townships + 東沙 / 南沙 placeholder rows
    assert frame["people_total"].sum() == 23_603_121  # official end-2019 total
    placeholders = frame[frame["people_total"].isna()]
    assert sorted(placeholders["site_id"]) == ["南沙群島", "東沙群島"]


def test_township_density_2014_mixed_int_and_string_counts_parse():
    frame = population.parse_township_density(snapshot_bytes(population.TOWNSHIP_DENSITY, 0))
    assert frame["people_total"].sum() == 23_433_753  # official end-2014 total


def test_projection_is_long_and_reproduces_published_totals():
    frame = population.parse_population_projection(
        snapshot_bytes(population.POPULATION_PROJECTION)
    )
    assert len(frame) == 3 * 2 * 21 * (2075 - 1992 + 1)
    medium = frame[frame["scenario"] == "中推估"]
    assert medium[medium["year"] == 2017]["persons"].sum() == 23_571_227
    assert medium[medium["year"] == 2019]["persons"].sum() == 23_603_121
    # the footnote says projections start in 2026
    assert not frame[frame["year"] == 2025]["is_projection"].any()
    assert frame[frame["year"] == 2026]["is_projection"].all()


def test_projection_without_its_footnote_is_rejected():
    raw = snapshot_bytes(population.POPULATION_PROJECTION)
    cut = raw[: raw.index("● 2026".encode())]
    with pytest.raises(SourceError, match="ndc_population_projection.*推估值"):
        population.parse_population_projection(cut)


def test_county_table_keeps_subtotals_and_drops_thousands_separators():
    frame = population.parse_county_population_by_sex(
        snapshot_bytes(population.COUNTY_POPULATION_BY_SEX)
    )
    by_name = frame.set_index("區域別")
    assert by_name.loc["總計", "合計"] == 23_571_408
    assert {"臺灣省", "福建省"} <= set(by_name.index)
    counties = frame[~frame["區域別"].isin(["總計", "臺灣省", "福建省"])]
    assert len(counties) == 22
    assert counties["合計"].sum() == by_name.loc["總計", "合計"]
    assert (frame["合計"] == frame["男性"] + frame["女性"]).all()


def test_village_file_covers_two_districts():
    frame = population.parse_village_households(snapshot_bytes(population.VILLAGE_HOUSEHOLDS))
    assert frame["site"].value_counts().to_dict() == {"新北市板橋區": 126, "新北市三重區": 119}
    assert frame["households"].notna().all()


def test_registration_api_page_reports_total_pages():
    frame, total_pages = population.parse_household_registration_page(
        snapshot_bytes(population.HOUSEHOLD_REGISTRATION_API)
    )
    assert total_pages == 2
    assert (frame["people_total"] == frame["people_total_m"] + frame["people_total_f"]).all()
    assert all(s.synthetic for s in population.HOUSEHOLD_REGISTRATION_API.snapshots)


def test_wrong_encoding_names_the_source():
    raw = snapshot_bytes(population.COUNTY_POPULATION_BY_SEX).decode("utf-8").encode("cp950")
    with pytest.raises(SourceError, match="moi_county_population_by_sex.*not UTF-8"):
        population.parse_county_population_by_sex(raw)


def test_renamed_column_names_the_source_and_the_column():
    original = snapshot_bytes(population.COUNTY_POPULATION_BY_SEX)
    raw = original.replace("男性".encode(), "男".encode())
    with pytest.raises(SourceError, match="moi_county_population_by_sex.*男性"):
        population.parse_county_population_by_sex(raw)


def test_not_json_names_the_source():
    with pytest.raises(SourceError, match="moi_township_pop_density"):
        population.parse_township_density(b"<html><body>maintenance</body></html>")


@pytest.mark.parametrize("value, expected", [("23,571,408", 23571408), ("１２３", 123),
                                             (556897, 556897), ("…", None), ("-", None),
                                             ("", None), ("12a4", None), ("1.2.3", None),
                                             ("<td>1080</td>", None)])
def test_counts_with_separators_and_full_width_digits(value, expected):
    assert population.parse_count(value) == expected


# ---------------------------------------------------------------- village depth


@pytest.fixture(scope="module")
def education():
    return population.parse_education_by_village(snapshot_bytes(population.VILLAGE_EDUCATION))


def test_education_file_reproduces_the_official_15plus_total(education):
    totals = education[education["level"] == "total"]
    assert totals["district_code"].nunique() == len(totals) == 7_760
    assert totals["persons"].sum() == 20_597_840  # 15+ population, end 2020 (SOURCES.md)
    assert set(totals["statistic_yyy"]) == {109}
    # every village's cells add up to its 總計
    cells = education[education["level"] != "total"].groupby("district_code")["persons"].sum()
    assert cells.sort_index().equals(totals.set_index("district_code")["persons"].sort_index())


def test_education_cells_are_named_by_level_completion_and_sex(education):
    cell = education[(education["district_code"] == "65000010001")
                     & (education["field"] == "edu_university_graduated_f")]
    assert cell[["level", "completion", "sex", "persons"]].values.tolist() == [
        ["university", "graduated", "female", 186]]
    assert set(education["level"]) >= {"doctor", "master", "juniorcollege_5ys_final2y",
                                       "selftaughtl", "illiterate", "total"}
    # 連江縣 keeps its leading zero
    assert "09007040001" in set(education["district_code"])


def education_head(villages: int = 3) -> str:
    """The real file's two header rows and its first villages (板橋區 留侯里 first): a bad
    cell is judged row by row, so the cases below need not parse all 7,760 villages."""
    lines = snapshot_bytes(population.VILLAGE_EDUCATION).decode("utf-8-sig").split("\n")
    return "\n".join(lines[:2 + villages])


def _education_with(old: str, new: str) -> bytes:
    text = education_head()
    assert old in text
    return text.replace(old, new, 1).encode("utf-8")


@pytest.mark.parametrize("garbled", ["386336.7", "1e999", "NaN", ""])
def test_education_cell_that_is_not_a_whole_number_is_kept_as_text(garbled):
    raw = _education_with("109,65000010001,新北市板橋區,留侯里,1455,3,",
                          f"109,65000010001,新北市板橋區,留侯里,1455,{garbled},")
    frame = population.parse_education_by_village(raw)
    cell = frame[(frame["district_code"] == "65000010001")
                 & (frame["field"] == "edu_doctor_graduated_m")].iloc[0]
    assert pd.isna(cell["persons"]) and cell["persons_text"] == garbled
    # the other cells of the row and the other villages are still read as numbers
    assert frame["persons"].notna().sum() == len(frame) - 1


def test_education_rejects_a_village_code_that_is_not_eleven_digits():
    raw = _education_with("109,65000010001,", "109,65000010001.5,")
    with pytest.raises(SourceError, match=r"moi_village_education.*'65000010001\.5'.*11-digit"):
        population.parse_education_by_village(raw)


def test_education_without_the_chinese_header_row_is_rejected():
    lines = education_head().split("\n")
    raw = "\n".join([lines[0], *lines[2:]]).encode("utf-8")
    with pytest.raises(SourceError, match="moi_village_education.*Chinese header"):
        population.parse_education_by_village(raw)


def test_education_renamed_column_is_rejected():
    raw = _education_with("edu_age_15up_total", "edu_total")
    with pytest.raises(SourceError, match="moi_village_education.*edu_age_15up_total"):
        population.parse_education_by_village(raw)


@pytest.fixture(scope="module")
def segis_population():
    return population.parse_segis_village_population(
        snapshot_bytes(population.SEGIS_VILLAGE_POPULATION))


def test_segis_population_reproduces_the_official_total(segis_population):
    assert len(segis_population) == segis_population["district_code"].nunique() == 7_761
    assert segis_population["p_cnt"].sum() == 23_487_509  # SOURCES.md
    assert (segis_population["m_cnt"] + segis_population["f_cnt"]
            == segis_population["p_cnt"]).all()
    # the float codes of 金門縣 and 連江縣 lost their leading zero in the .rda
    assert segis_population["district_code"].str.fullmatch(r"\d{11}").all()
    assert segis_population["district_code"].str.startswith("09007").sum() > 0
    assert "p_h_cnt" not in segis_population.columns  # truncated by the mirror: not read


def test_segis_age_bands_add_up_to_the_population(segis_population):
    age = population.parse_segis_village_age(snapshot_bytes(population.SEGIS_VILLAGE_AGE))
    assert len(age) == 7_761 * 21 * 2
    by_village = age.groupby(["district_code", "sex"])["population"].sum().unstack()
    expected = segis_population.set_index("district_code").loc[by_village.index]
    assert (by_village["male"].to_numpy() == expected["m_cnt"].to_numpy()).all()
    assert (by_village["female"].to_numpy() == expected["f_cnt"].to_numpy()).all()
    top = age[age["field"] == "a100up_5_f_cnt"]
    assert top["age_from"].eq(100).all() and top["age_to"].isna().all()


def test_segis_indigenous_population_parses():
    frame = population.parse_segis_village_indigenous(
        snapshot_bytes(population.SEGIS_VILLAGE_INDIGENOUS))
    assert len(frame) == 7_761
    assert (frame["o1_cnt"] + frame["o2_cnt"] == frame["o_cnt"]).all()


def _rda(frame: pd.DataFrame, name: str, tmp_path) -> bytes:
    import pyreadr

    path = tmp_path / f"{name}.rda"
    pyreadr.write_rdata(str(path), frame, df_name=name, compress="gzip")
    return path.read_bytes()


def _segis_rows(codes, p_cnt):
    return pd.DataFrame({
        "district_code": codes, "info_time": "110Y06M", "countytown": "新北市板橋區",
        "village": "留侯里", "h_cnt": 692.0, "p_cnt": p_cnt, "m_cnt": 803.0, "f_cnt": 881.0,
        "p_den": 40657.67,
    })


def test_segis_counts_that_are_not_whole_numbers_are_kept_as_text(tmp_path):
    frame = _segis_rows([65000010001.0, 65000010002.0, 65000010003.0, 65000010004.0],
                        [386336.7, float("nan"), float("inf"), 1684.0])
    parsed = population.parse_segis_village_population(
        _rda(frame, "pop_village_202106", tmp_path))
    assert parsed["p_cnt"].isna().tolist() == [True, True, True, False]
    assert parsed["p_cnt_text"].tolist() == ["386336.7", "NaN", "inf", "1684"]


def test_segis_non_integral_village_code_is_refused(tmp_path):
    frame = _segis_rows([65000010001.5], [1684.0])
    with pytest.raises(SourceError, match="segis_village_population.*65000010001.5.*whole"):
        population.parse_segis_village_population(_rda(frame, "pop_village_202106", tmp_path))


def test_segis_duplicate_village_rows_reach_dbt_for_quarantine(tmp_path):
    frame = _segis_rows([65000010001.0, 65000010001.0], [1684.0, 1684.0])
    parsed = population.parse_segis_village_population(
        _rda(frame, "pop_village_202106", tmp_path))
    assert parsed["district_code"].tolist() == ["65000010001", "65000010001"]


def test_segis_file_that_is_not_r_data_or_lacks_its_table_is_refused(tmp_path):
    with pytest.raises(SourceError, match="segis_village_age.*not an R data file"):
        population.parse_segis_village_age(b"<!doctype html><html>maintenance</html>")
    frame = _segis_rows([65000010001.0], [1684.0])
    with pytest.raises(SourceError, match="segis_village_population.*no data frame"):
        population.parse_segis_village_population(_rda(frame, "other_table", tmp_path))
