"""GX Data Docs offline: the pages load only the vendored copies, the index lists the runs by
their Dagster run id with their status, in a real browser with the network blocked."""

import hashlib
import json
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import pandas as pd
import pytest
from atlas.headless_browser import Chromium, chromium_executable

from expectations.data_docs import VENDOR_DIR, VENDORED, data_docs_index, external_resources
from expectations.suites import gxe

# expectations.gate (GX) is imported where it is used: see WORK_UNITS in tests/conftest.py

# every host name fails to resolve: a page that reached for a CDN would fail to load it
NO_NETWORK = ("--host-resolver-rules=MAP * ~NOTFOUND",)
RUN_TABLE = "#section-1-content-block-2-1-body-table"


def suite(expectation):
    import great_expectations as gx

    return gx.ExpectationSuite(name="fct_x_suite", expectations=[expectation])


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """A passing and a failing validation of one mart, each in a run named as Dagster names
    runs, in a Data Docs site of its own."""
    from expectations.gate import GateRun

    root = tmp_path_factory.mktemp("gx")
    frame = pd.DataFrame({"region_code": ["63000", "64000"], "value": [1.0, None]})
    results = []
    for run_name, column in (("run-passed-1111", "region_code"), ("run-failed-2222", "value")):
        gate_run = GateRun(root, run_name=run_name)
        results.append(gate_run.validate("fct_x", frame, suite(
            gxe.ExpectColumnValuesToNotBeNull(column=column)), key=("region_code",)))
        gate_run.build_data_docs()
    passed, failed = results
    return passed, failed, data_docs_index(root)


def test_each_validation_page_is_under_its_run_name(two_runs):
    passed, failed, index = two_runs
    for result, run_name in ((passed, "run-passed-1111"), (failed, "run-failed-2222")):
        page = Path(result.data_docs)
        assert page.is_file()
        assert page.relative_to(index.parent).parts[:3] == ("validations", "fct_x_suite",
                                                            run_name)
    assert passed.success and not failed.success


def test_each_validation_page_names_its_mart(two_runs):
    """The page's header names the data asset validated (GX's renderer left it 'None')."""
    for result in two_runs[:2]:
        text = re.sub(r"<[^>]+>", " ", Path(result.data_docs).read_text(encoding="utf-8"))
        assert re.search(r"Data asset:\s+fct_x\b", text), "no data asset on the page"


def test_no_page_loads_anything_from_the_network(two_runs):
    *_, index = two_runs
    pages = sorted(index.parent.rglob("*.html"))
    assert len(pages) >= 4  # the index, the suite, two validations
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert external_resources(html) == [], page
        loaded = re.findall(r'<script\b[^>]*\ssrc="([^"]+)"', html)
        loaded += re.findall(r'<link\b[^>]*\shref="([^"]+)"', html)
        assert len(loaded) >= 15
        missing = [url for url in loaded if not (page.parent / url).is_file()]
        assert missing == [], page


def test_vendored_files_are_the_npm_packages_files():
    sources = json.loads((VENDOR_DIR / "SOURCES.json").read_text())
    assert {source["package"] for source in sources} == {v.package for v in VENDORED}
    for source in sources:
        body = (VENDOR_DIR / source["package"] / source["file"]).read_bytes()
        assert hashlib.sha256(body).hexdigest() == source["sha256"], source["file"]
        assert source["licence"]


@pytest.mark.skipif(chromium_executable() is None, reason="needs chromium (.ci/run installs it)")
def test_the_index_lists_the_runs_styled_without_a_network(two_runs):
    passed, failed, index = two_runs
    browser = Chromium(chromium_executable(), width=1280, height=800, extra_args=NO_NETWORK)
    try:
        visit = browser.visit(
            index.as_uri(), ready_js=f"document.querySelectorAll('{RUN_TABLE} tbody tr"
                                     "[data-href]').length >= 2",
            evaluate={
                "rows": f"[...document.querySelectorAll('{RUN_TABLE} tbody tr')].map(row =>"
                        " [row.innerText, row.querySelector('i').className,"
                        " row.getAttribute('data-href')])",
                # Bootstrap's style sheet lays the navbar out as a flex box
                "navbar": "getComputedStyle(document.querySelector('nav.navbar')).display",
                "icons_font": "document.fonts.check('900 16px \"Font Awesome 6 Free\"')",
            })
    finally:
        browser.close()
    assert visit.console_errors == []
    assert all(url.startswith(("file://", "data:")) for url in visit.requested_urls), \
        [url for url in visit.requested_urls if not url.startswith(("file://", "data:"))]
    statuses = {}
    for text, icon, href in visit.evaluated["rows"]:
        run_name = next(name for name in ("run-passed-1111", "run-failed-2222") if name in text)
        statuses[run_name] = ("check" in icon, "success" in icon)
        page = (index.parent / unquote(urlparse(href).path)).resolve()
        assert page == Path({"run-passed-1111": passed,
                             "run-failed-2222": failed}[run_name].data_docs).resolve()
    assert statuses == {"run-passed-1111": (True, True), "run-failed-2222": (False, False)}
    assert visit.evaluated["navbar"] == "flex"
    assert visit.evaluated["icons_font"] is True


def test_the_index_lists_the_newest_results_and_every_page_stays(tmp_path, monkeypatch):
    """The index lists the newest INDEX_RESULTS validation results (GX reads each one it
    lists, so an unbounded index slowed every run); older runs keep their pages."""
    from expectations.gate import GateRun

    monkeypatch.setattr("expectations.gate.INDEX_RESULTS", 2)
    frame = pd.DataFrame({"region_code": ["63000"], "value": [1.0]})
    pages = {}
    for run_name in ("run-oldest-1111", "run-middle-2222", "run-newest-3333"):
        gate_run = GateRun(tmp_path, run_name=run_name)
        pages[run_name] = Path(gate_run.validate("fct_x", frame, suite(
            gxe.ExpectColumnValuesToNotBeNull(column="value")), key=("region_code",)).data_docs)
        gate_run.build_data_docs()
    index = data_docs_index(tmp_path).read_text(encoding="utf-8")
    assert "run-middle-2222" in index and "run-newest-3333" in index
    assert "run-oldest-1111" not in index
    assert all(page.is_file() for page in pages.values())
