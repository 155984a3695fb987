"""Village (村里) depth in the published warehouse: the official totals of the MOI education
file and of SEGIS 2021-06 reproduced, the age bands against the population, the structure
indicators recomputed with the warehouse's formulas (and checked against the ratios SEGIS
rounds), and every village named in dim_region."""

import duckdb
import pandas as pd
import pytest

from sources import population

pytestmark = pytest.mark.pipeline

SEGIS_MONTH = "2021-06-01"
VILLAGE_VALUES = """
    select v.region_code, v.value
    from marts.fct_indicator_value v join marts.dim_region r using (region_code)
    where r.region_level = 'village' and v.indicator_code = ? and v.period = ?
        and v.source_id = ? and v.scenario is null and not v.is_synthetic
"""


def village_values(published, code: str, period: str, source_id: str) -> pd.Series:
    rows = published.execute(VILLAGE_VALUES, [code, period, source_id]).fetchall()
    return pd.Series(dict(rows), name=code, dtype="float64")


@pytest.fixture(scope="module")
def segis_ratios() -> pd.DataFrame:
    """The ratios SEGIS publishes rounded to 2 decimals (not loaded: recomputed instead)."""
    import pyreadr

    source = population.SEGIS_VILLAGE_POPULATION
    frame = pyreadr.read_r(str(source.snapshot_path(source.snapshots[0])))["pop_village_202106"]
    frame.index = [f"{int(code):011d}" for code in frame["district_code"]]
    return frame


def test_segis_population_reproduces_the_official_total(published):
    pop = village_values(published, "pop_total", SEGIS_MONTH, "segis_village_population")
    assert len(pop) == 7_761
    assert pop.sum() == 23_487_509  # SOURCES.md


def test_education_reproduces_the_official_15plus_total(published):
    edu = village_values(published, "edu_pop_15plus", "2020-01-01", "moi_village_education")
    assert len(edu) == 7_760
    assert edu.sum() == 20_597_840  # SOURCES.md


def test_age_bands_add_up_to_the_population_of_every_village(pipeline_home, published):
    with duckdb.connect(str(pipeline_home / "warehouse" / "work.duckdb"), read_only=True) as con:
        bands = con.execute(
            "select region_code, sex, count(*), sum(population)"
            " from intermediate.int_population__age_sex_bands__segis_village"
            " group by all"
        ).fetchall()
        labels = [r[0] for r in con.execute(
            "select age_band from intermediate.int_population__age_sex_bands__segis_village"
            " group by age_band order by min(age_from)"
        ).fetchall()]
    assert labels[:2] == ["0-4", "5-9"] and labels[-2:] == ["95-99", "100+"] and len(labels) == 21
    by_sex = {(region, sex): total for region, sex, cells, total in bands}
    assert {cells for *_, cells, _ in bands} == {21}
    for sex, code in (("male", "pop_male"), ("female", "pop_female")):
        published_sex = village_values(published, code, SEGIS_MONTH, "segis_village_population")
        assert len(published_sex) == 7_761
        assert all(by_sex[(region, sex)] == value for region, value in published_sex.items())


def test_structure_is_recomputed_and_rounds_to_the_segis_ratios(published, segis_ratios):
    values = {code: village_values(published, code, SEGIS_MONTH, "segis_village_population")
              for code in ("pop_0_14", "pop_15_64", "pop_65plus", "aging_index",
                           "dependency_ratio", "old_age_dependency_ratio", "sex_ratio",
                           "household_size", "pop_total", "households")}
    frame = pd.DataFrame(values)
    assert len(frame) == 7_761
    # the warehouse's formulas, applied to its own published counts
    with_children = frame[frame["pop_0_14"] > 0]
    assert with_children["aging_index"].tolist() == pytest.approx(
        (100 * with_children["pop_65plus"] / with_children["pop_0_14"]).tolist(), rel=1e-12)
    assert frame["household_size"].tolist() == pytest.approx(
        (frame["pop_total"] / frame["households"]).tolist(), rel=1e-12)
    # and they agree with what SEGIS rounds to 2 decimals
    joined = frame.join(segis_ratios)
    for ours, theirs in (("aging_index", "a65_a0a14_rat"), ("sex_ratio", "m_f_rat"),
                         ("dependency_ratio", "dependency_rat"),
                         ("old_age_dependency_ratio", "a65up_a15a64_rat")):
        both = joined[[ours, theirs]].dropna()
        assert len(both) > 7_700, ours
        assert ((both[ours] - both[theirs]).abs() <= 0.005 + 1e-9).all(), ours
    # the mirror's household size is truncated; ours is not
    assert (joined["household_size"] > joined["p_h_cnt"]).mean() > 0.9


def test_at_least_eight_indicators_have_real_village_values(published):
    codes = [code for (code,) in published.execute(
        "select distinct v.indicator_code from marts.fct_indicator_value v"
        " join marts.dim_region r using (region_code)"
        " where r.region_level = 'village' and not v.is_synthetic"
        " and v.source_id in ('segis_village_population', 'segis_village_age',"
        "  'segis_village_indigenous', 'moi_village_education') order by 1"
    ).fetchall()]
    assert len(codes) >= 8
    assert {"pop_total", "households", "pop_male", "pop_female", "pop_0_14", "pop_15_64",
            "pop_65plus", "aging_index", "pop_indigenous", "edu_pop_15plus"} <= set(codes)


def test_catalogue_says_village_for_every_indicator_with_real_village_values(published):
    wrong = published.execute(
        "select distinct i.indicator_code, i.lowest_region_level"
        " from marts.fct_indicator_value v join marts.dim_region r using (region_code)"
        " join marts.dim_indicator i using (indicator_code)"
        " where r.region_level = 'village' and not v.is_synthetic"
        " and i.lowest_region_level <> 'village'"
    ).fetchall()
    assert wrong == []


def test_every_village_is_in_dim_region_with_its_name(published):
    names = dict(published.execute(
        "select region_code, name_zh from marts.dim_region where region_level = 'village'"
    ).fetchall())
    assert names["65000010001"] == "留侯里"
    assert names["09007040001"] == "中柳村"  # 連江縣: the leading zero the .rda float lost
    orphans = published.execute(
        "select count(*) from marts.fct_indicator_value v"
        " where length(v.region_code) = 11"
        " and v.region_code not in (select region_code from marts.dim_region)"
    ).fetchone()[0]
    assert orphans == 0
    parents = published.execute(
        "select count(*) from marts.dim_region v left join marts.dim_region t"
        " on t.region_code = v.parent_code and t.region_level = 'township'"
        " where v.region_level = 'village' and t.region_code is null"
    ).fetchone()[0]
    assert parents == 0


def test_education_shares_follow_their_definitions(published):
    codes = ("edu_pop_15plus", "edu_postgraduate_share", "edu_university_share",
             "edu_tertiary_share", "illiterate_pop_15plus", "literacy_rate")
    frame = pd.DataFrame({code: village_values(published, code, "2020-01-01",
                                               "moi_village_education") for code in codes})
    assert len(frame) == 7_760
    assert (frame["edu_postgraduate_share"] <= frame["edu_university_share"]).all()
    assert (frame["edu_university_share"] <= frame["edu_tertiary_share"]).all()
    expected = 100 * (frame["edu_pop_15plus"] - frame["illiterate_pop_15plus"]) / frame[
        "edu_pop_15plus"]
    assert (frame["literacy_rate"] - expected).abs().max() < 1e-9
    # 留侯里: 博畢 3+1, 碩畢 50+36, 大畢 163+186 of 1,455
    assert frame.loc["65000010001", "edu_university_share"] == pytest.approx(
        100 * (3 + 1 + 50 + 36 + 163 + 186) / 1455)


def test_indigenous_population_and_share(published):
    count = village_values(published, "pop_indigenous", SEGIS_MONTH, "segis_village_indigenous")
    share = village_values(published, "pop_indigenous_share", SEGIS_MONTH,
                           "segis_village_indigenous")
    pop = village_values(published, "pop_total", SEGIS_MONTH, "segis_village_population")
    import pyreadr

    source = population.SEGIS_VILLAGE_INDIGENOUS
    stored = pyreadr.read_r(str(source.snapshot_path(source.snapshots[0])))
    assert len(count) == 7_761
    assert count.sum() == stored["abpop_village_202106"]["o_cnt"].sum()
    assert ((share - 100 * count / pop).dropna().abs() < 1e-9).all()


def test_only_the_density_without_an_area_is_quarantined(published, segis_ratios):
    rows = published.execute(
        "select source_id, record, reason from marts.fct_quarantined_row where source_id in"
        " ('segis_village_population', 'segis_village_age', 'segis_village_indigenous',"
        "  'moi_village_education')"
    ).fetchall()
    no_area = segis_ratios[(segis_ratios["p_den"] == 0) & (segis_ratios["p_cnt"] > 0)]
    assert len(rows) == len(no_area) == 1
    (source_id, record, reason), code = rows[0], no_area.index[0]
    assert source_id == "segis_village_population" and code in record
    assert reason.endswith("density not published")
    density = village_values(published, "pop_density", SEGIS_MONTH, "segis_village_population")
    assert code not in density.index and len(density) == 7_760
    assert code in village_values(published, "pop_total", SEGIS_MONTH, "segis_village_population")
