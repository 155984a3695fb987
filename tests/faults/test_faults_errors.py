"""Errors a person can act on: a failed step says what its SourceError says (source, URL or
file, problem), not the innermost cause; a failure while listing the releases to run (before
any job) is the same one line, with the body landed and the run report written; the console
shows no traceback, which goes to warehouse/logs/<run id>.log, named in the line."""

import json
import socket

import invariants as inv
import pytest

import orchestration.cli
from orchestration.cli import RunRefused, main, run_all
from orchestration.defs import real_estate as real_estate_defs
from orchestration.defs import tourism as tourism_defs
from sources import population, real_estate, tourism
from sources.catalog import prepared_url

pytestmark = [pytest.mark.faults, pytest.mark.pipeline]  # every case calls run_all

SEASONS = real_estate.LVR_LAND
SEASON_LIST = real_estate.SEASON_LIST_PATH
MAINTENANCE = "<!DOCTYPE html><html><body><h1>系統維護中</h1></body></html>".encode()


@pytest.fixture
def only_release(monkeypatch):
    """only_release(job, keys_to_run): the run lists the releases of that job alone (so live
    mode reaches no other publisher)."""

    def _only(job_name, keys_to_run):
        monkeypatch.setattr(orchestration.cli, "release_jobs",
                            lambda definitions: [(job_name, keys_to_run)])

    return _only


@pytest.fixture
def season_list(live, httpserver_ipv4, monkeypatch, only_release):
    monkeypatch.setenv("TWRESAS_HTTP_RETRIES", "0")
    monkeypatch.setenv(SEASONS.base_url_env, httpserver_ipv4.url_for("/"))
    only_release("lvr_land_seasonal", real_estate_defs.seasons_to_run)
    return httpserver_ipv4


def report_of(home, run_id) -> dict:
    return json.loads((home / "warehouse" / "quality" / run_id / "report.json").read_text())


def refused(home) -> RunRefused:
    with pytest.raises(RunRefused) as error:
        run_all()
    exc = error.value
    assert exc.log.parent == home / "warehouse" / "logs"
    assert "Traceback" in exc.log.read_text(), "the log keeps the whole traceback"
    report = report_of(home, exc.run_id)
    assert report["published"] is False and report["refusal"] in str(exc)
    return exc


def test_season_list_unreachable_console_shows_one_line(season_list, live, case, capfd):
    before = inv.publication(live)
    season_list.expect_request(SEASON_LIST).respond_with_data("busy", status=503)
    assert main(["run"]) == 1
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err
    (line,) = [line for line in err.splitlines() if line.strip()]
    assert not [line for line in out.splitlines() if "FAILED" in line or "Error" in line]
    url = season_list.url_for(SEASON_LIST)
    inv.error_is_one_line(case, line, source_id=SEASONS.id, location=url,
                          problem=r"release lvr_land_seasonal: cannot list the releases to run:"
                                  r" .*HTTP 503.*\(details: .*/warehouse/logs/.*\.log\)")
    log = line.rsplit("(details: ", 1)[1].rstrip(")")
    assert "Traceback" in open(log).read()
    inv.raw_bytes_kept(case, live, SEASONS.id, b"busy", accepted=False, http_status=503)
    inv.published_unchanged(case, live, before)


def test_season_list_without_seasons(season_list, live, case):
    before = inv.publication(live)
    season_list.expect_request(SEASON_LIST).respond_with_data(MAINTENANCE,
                                                              content_type="text/html")
    exc = refused(live)
    row = inv.raw_bytes_kept(case, live, SEASONS.id, MAINTENANCE, accepted=True, http_status=200)
    inv.error_is_one_line(case, exc, source_id=SEASONS.id,
                          location=f"{season_list.url_for(SEASON_LIST)} landed as {row['path']}",
                          problem=r"no season \(like 115S1\) in the list")
    inv.published_unchanged(case, live, before)


def test_season_list_host_refuses_connections(live, case, monkeypatch, only_release):
    before = inv.publication(live)
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv("TWRESAS_HTTP_RETRIES", "0")
    monkeypatch.setenv(SEASONS.base_url_env, f"http://127.0.0.1:{port}/")
    only_release("lvr_land_seasonal", real_estate_defs.seasons_to_run)
    exc = refused(live)
    inv.error_is_one_line(case, exc, source_id=SEASONS.id,
                          location=f"http://127.0.0.1:{port}{SEASON_LIST}",
                          problem=r"request failed \(.*(refused|NewConnectionError)")
    inv.raw_bytes_kept(case, live, SEASONS.id, b"", accepted=False, http_status=None)
    inv.published_unchanged(case, live, before)


def test_release_file_that_lists_the_years_is_a_maintenance_page(
    live, case, httpserver_ipv4, monkeypatch, only_release
):
    before = inv.publication(live)
    monkeypatch.setenv(tourism.VISITORS.base_url_env, httpserver_ipv4.url_for("/"))
    only_release("tourism_visitors_yearly", tourism_defs.years_to_run)
    httpserver_ipv4.expect_request(tourism.VISITORS.path).respond_with_data(
        MAINTENANCE, content_type="text/html")
    exc = refused(live)
    inv.error_is_one_line(case, exc, source_id=tourism.VISITORS.id,
                          location=prepared_url(httpserver_ipv4.url_for(tourism.VISITORS.path)),
                          problem="release tourism_visitors_yearly: cannot list the releases"
                                  " to run: .*got an HTML page where CSV was expected")
    inv.raw_bytes_kept(case, live, tourism.VISITORS.id, MAINTENANCE, accepted=False,
                       http_status=200)
    inv.published_unchanged(case, live, before)


def test_failed_step_says_its_source_error_not_the_codec_error(pipeline_copy, snapshots, case,
                                                                capfd):
    """A Big5 page where UTF-8 JSON is expected: the cause chain ends in UnicodeDecodeError
    ('utf-8' codec can't decode byte 0xb7...); the line is the SourceError's."""
    home = pipeline_copy
    before = inv.publication(home)
    api = population.HOUSEHOLD_REGISTRATION_API
    big5 = '{"totalPage": "1", "responseData": [{"site_id": "連江縣"}]}'.encode("big5")
    (snapshots / api.id / api.snapshots[0].file).write_bytes(big5)
    assert main(["run"]) == 1
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err
    (line,) = [line for line in out.splitlines() if line.startswith("  failed: ")]
    row = inv.raw_bytes_kept(case, home, api.id, big5, accepted=True, http_status=200)
    inv.error_is_one_line(case, line, source_id=api.id,
                          location=f"{api.url(yyymm='11509', page=1)} landed as {row['path']}",
                          problem="not an ODRP019 page")
    assert not line.startswith("  failed: household_registration_api: 'utf-8' codec")
    (logged,) = [x for x in out.splitlines() if x.startswith("  full errors: ")]
    log = logged.split(": ", 1)[1]
    assert "UnicodeDecodeError" in open(log).read(), "the log keeps the whole chain"
    inv.published_unchanged(case, home, before)
