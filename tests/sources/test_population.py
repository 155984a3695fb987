"""Population parsers on the real bundled files, and their errors on bad input."""

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
