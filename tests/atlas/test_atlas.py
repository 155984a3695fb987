"""The atlas: built from the published warehouse of the offline pipeline run, one page per
region with its sections, nothing external, and a real browser opening it without errors."""

import io
import json
import os
import re
import shutil

import duckdb
import pytest
from headless_browser import Chromium, chromium_executable

from orchestration.atlas import build_atlas

pytestmark = pytest.mark.pipeline

SECTIONS = ["key", "pyramid", "outlook", "change", "income", "specialisation", "real_estate",
            "tourism"]
NO_DATA = "no data published for this region"
DAAN = "63000030"  # 臺北市大安區: 實價登錄 quarters
LIENCHIANG = "09007"  # 連江縣: no 實價登錄 file bundled


@pytest.fixture(scope="module")
def atlas(pipeline_home, tmp_path_factory):
    warehouse = pipeline_home / "warehouse"
    out = tmp_path_factory.mktemp("atlas") / "atlas"
    built = build_atlas(warehouse / "tw_resas.duckdb", out, quality_root=warehouse / "quality")
    return built


def page(atlas, code: str) -> str:
    return (atlas.out_dir / "region" / f"{code}.html").read_text()


def sections_of(html: str) -> dict[str, str]:
    parts = re.split(r'(?=<section class="panel" id=")', html)
    found = {}
    for part in parts:
        match = re.match(r'<section class="panel" id="(\w+)"', part)
        if match:
            found[match.group(1)] = part[:part.index("</section>")]
    return found


def chart_specs(section_html: str) -> list[dict]:
    return [json.loads(text) for text in re.findall(
        r'<script type="application/json" class="chart-spec">(.*?)</script>', section_html, re.S)]


def test_every_county_and_township_has_a_page(atlas, published):
    codes = {code for (code,) in published.execute(
        "select region_code from marts.dim_region"
        " where region_level in ('nation', 'county', 'township')").fetchall()}
    assert len(codes) == 1 + 22 + 368
    pages = {p.stem for p in (atlas.out_dir / "region").glob("*.html")}
    assert pages == codes
    assert atlas.pages == len(codes) + 1  # and the index


def test_every_page_has_every_section_drawn_or_saying_why_not(atlas):
    for path in (atlas.out_dir / "region").glob("*.html"):
        sections = sections_of(path.read_text())
        assert list(sections)[:len(SECTIONS)] == SECTIONS, path.name
        for name in SECTIONS:
            html = sections[name]
            specs = chart_specs(html)
            if specs:
                assert all(spec["data"] and any(trace.get("x") or trace.get("y")
                                                for trace in spec["data"]) for spec in specs)
                caption = html[html.index('<figcaption'):]
                for label in ("Source</span>:", "period</span>:", "unit</span>:"):
                    assert label in caption, (path.name, name, label)
            elif "<table" not in html:
                assert NO_DATA in html, (path.name, name)


def test_sections_follow_what_is_published(atlas, published):
    daan = sections_of(page(atlas, DAAN))
    [spec] = chart_specs(daan["real_estate"])
    quarters = published.execute(
        "select count(*) from marts.fct_real_estate_quarterly where region_code = ?", [DAAN]
    ).fetchone()[0]
    assert len(spec["data"][0]["x"]) == quarters > 0
    assert "lvr_land" in daan["real_estate"]
    assert NO_DATA in sections_of(page(atlas, LIENCHIANG))["real_estate"]
    # the county's tourism spots, ranked, with the publisher named
    taipei = sections_of(page(atlas, "63000"))
    [spec] = chart_specs(taipei["tourism"])
    assert len(spec["data"][0]["y"]) == 10
    assert "交通部觀光署" in taipei["tourism"]
    # the nation's outlook carries the NDC projection scenarios
    [spec] = chart_specs(sections_of(page(atlas, "TW"))["outlook"])
    assert {"推估中 medium", "實際 observed"} <= {trace["name"] for trace in spec["data"]}


def test_key_indicators_compare_with_county_and_nation(atlas, published):
    daan = sections_of(page(atlas, DAAN))["key"]
    population, period = published.execute(
        "select value, period from marts.fct_indicator_value where region_code = ? and"
        " indicator_code = 'pop_total' and scenario is null order by period desc limit 1",
        [DAAN]).fetchone()
    county = published.execute(
        "select value from marts.fct_indicator_value where region_code = '63000' and"
        " indicator_code = 'pop_total' and scenario is null and period = ? and grain = 'year'",
        [period]).fetchone()
    row = re.search(r"<tr[^>]*>\s*<td><span class=\"zh\">總人口數</span>.*?</tr>", daan, re.S)
    assert row and f"{int(population):,}" in row.group(0)
    if county:
        assert f"{int(county[0]):,}" in row.group(0)


def test_flags_are_shown(atlas):
    # real-estate quarters whose next season is not loaded are partial, and say so
    daan = sections_of(page(atlas, DAAN))["real_estate"]
    assert 'class="flag flag-partial_period"' in daan


def test_no_page_references_an_external_url(atlas):
    files = [*atlas.out_dir.rglob("*.html"), *(atlas.out_dir / "assets").glob("atlas.*"),
             atlas.out_dir / "assets" / "geometry.js"]
    for path in files:
        text = path.read_text()
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, re.I), path.name
        for target in re.findall(r'(?:src|href)="([^"]+)"', text):
            assert not re.match(r"[a-z]+:", target), (path.name, target)
            resolved = (path.parent / target.split("#")[0]).resolve()
            assert resolved.exists(), (path.name, target)


def test_index_maps_every_layer_on_published_boundaries(atlas, published):
    html = (atlas.out_dir / "index.html").read_text()
    data = json.loads(re.search(r'<script id="atlas-data" type="application/json">(.*?)</script>',
                                html, re.S).group(1))
    assert [layer["key"] for layer in data["layers"]] == [
        "population_change", "aging_index", "median_income", "manufacturing", "unit_price"]
    geometry = json.loads((atlas.out_dir / "assets" / "geometry.js").read_text()
                          .removeprefix("window.ATLAS_GEOMETRY = ").rstrip(";\n"))
    assert len(geometry["county"]["features"]) == 22
    assert len(geometry["township"]["features"]) == 368
    shapes = {f["id"] for level in geometry.values() for f in level["features"]}
    aging = {layer["key"]: layer for layer in data["layers"]}["aging_index"]["levels"]["county"]
    assert aging["unit"] and aging["period"] and aging["source"]
    assert set(aging["codes"]) <= shapes
    expected = published.execute(
        "select value from marts.fct_indicator_value where indicator_code = 'aging_index'"
        " and region_code = '63000' and scenario is null order by period desc limit 1"
    ).fetchone()[0]
    assert aging["values"][aging["codes"].index("63000")] == expected
    # search by name in both languages: every region is listed with its names
    names = {r["code"]: r for r in data["regions"]}
    assert names["63000"]["zh"] == "臺北市" and names["63000"]["en"]


def test_build_is_fast_and_pages_small(atlas):
    assert atlas.seconds <= 30, f"{atlas.seconds:.1f} s"
    assert atlas.largest_page_bytes < 300_000, atlas.largest_page


def test_sections_read_the_analysis_marts(atlas, published):
    """Key indicators come with the rank of rpt_region_profile; the pyramid draws the bands of
    fct_population_pyramid as published."""
    county = sections_of(page(atlas, "63000"))
    rank, peers = published.execute(
        "select rank_in_level, peers_in_level from marts.rpt_region_profile"
        " where region_code = '63000' and indicator_code = 'aging_index'").fetchone()
    assert rank is not None and f"{rank}/{peers}" in county["key"]
    bands = published.execute(
        """
        select age_band, population from marts.fct_population_pyramid
        where region_code = ? and scenario is null and sex = 'male'
        qualify period = max(period) over ()
        order by age_from
        """, [DAAN]).fetchall()
    [spec] = chart_specs(sections_of(page(atlas, DAAN))["pyramid"])
    male = next(trace for trace in spec["data"] if trace["name"] == "男 male")
    assert male["y"] == [band for band, _ in bands]
    assert [-x for x in male["x"]] == [population for _, population in bands]


def test_an_absent_mart_leaves_its_section_with_a_note(published, pipeline_home, tmp_path):
    copy = tmp_path / "tw_resas.duckdb"
    shutil.copyfile(pipeline_home / "warehouse" / "tw_resas.duckdb", copy)
    with duckdb.connect(str(copy)) as con:
        for mart in ("fct_tourism_spot_ranking", "rpt_region_profile",
                     "fct_population_pyramid", "fct_industry_specialisation"):
            con.execute(f"drop table marts.{mart}")
    built = build_atlas(copy, tmp_path / "atlas")
    sections = sections_of((built.out_dir / "region" / "63000.html").read_text())
    assert NO_DATA in sections["tourism"] and NO_DATA in sections["key"]
    assert chart_specs(sections["pyramid"])  # the three broad age groups instead


def test_geojson_per_level_is_exported_for_bi_tools(pipeline_home):
    current = pipeline_home / "warehouse" / "parquet" / "current"
    manifest = json.loads((current / "manifest.json").read_text())
    assert manifest["geojson"]["township"] == {"file": "regions_township.geojson",
                                               "features": 368}
    collection = json.loads((current / "regions_county.geojson").read_text())
    taipei = [f for f in collection["features"] if f["properties"]["region_code"] == "63000"]
    assert taipei[0]["properties"]["name_zh"] == "臺北市"
    assert taipei[0]["geometry"]["type"] in ("Polygon", "MultiPolygon")


def test_a_real_browser_opens_the_atlas_without_errors(atlas):
    executable = chromium_executable()
    if executable is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed; .ci/run installs it (apt-get install chromium)")
        pytest.skip("chromium not installed (apt-get install chromium)")
    from PIL import Image, ImageStat

    browser = Chromium(executable)
    try:
        visits = [
            browser.visit((atlas.out_dir / "index.html").as_uri(),
                          "document.querySelectorAll('#map path.choroplethlocation').length > 300"
                          " || document.querySelectorAll('#map .choroplethlocation').length > 20",
                          {"regions drawn": "document.querySelectorAll('#map .choroplethlocation')"
                                            ".length"}),
            *[browser.visit((atlas.out_dir / "region" / f"{code}.html").as_uri(),
                            "document.querySelectorAll('.js-plotly-plot').length =="
                            " document.querySelectorAll('script.chart-spec').length",
                            {"charts drawn": "document.querySelectorAll("
                                             "'.js-plotly-plot .main-svg').length"})
              for code in (DAAN, "63000")],
        ]
    finally:
        browser.close()
    for visit in visits:
        assert visit.console_errors == [], visit.url
        assert all(url.startswith(("file://", "data:", "about:", "blob:"))
                   for url in visit.requested_urls), visit.requested_urls
        image = Image.open(io.BytesIO(visit.screenshot_png)).convert("L")
        assert ImageStat.Stat(image).var[0] > 100, f"blank screenshot of {visit.url}"
    assert visits[0].evaluated["regions drawn"] >= 22
    assert all(v.evaluated["charts drawn"] >= 2 for v in visits[1:])
