"""Waits with a limit, live mode against a local server on 127.0.0.1: a Retry-After far in the
future is capped and said on the console, the time spent retrying one URL is capped, a paged
API announcing an implausible page count is refused before the flood of requests, and
redirects are recorded, or refused when they leave the publisher's host."""

import dataclasses
import json
import time

import invariants as inv
import pytest
from werkzeug import Response

from sources import population
from sources.errors import SourceError
from sources.http import fetch
from sources.landing import LandingZone

pytestmark = pytest.mark.faults

JSON_SOURCE = population.TOWNSHIP_DENSITY
JSON_PATH = "/rs-opendata/api/v1/datastore/opendata108N010.json"
GOOD_JSON = json.dumps([{"statistic_yyy": 108, "site_id": "連江縣南竿鄉", "people_total": 7779,
                         "area": 10.4, "population_density": 748}]).encode()
PAGED = population.HOUSEHOLD_REGISTRATION_API
PAGED_PATH = "/rs-opendata/api/v1/datastore/ODRP019/11509"
MOVED_PATH = "/moved/opendata108N010.json"


@pytest.fixture
def publisher(live, httpserver_ipv4, monkeypatch):
    for source in (JSON_SOURCE, PAGED):
        monkeypatch.setenv(source.base_url_env, httpserver_ipv4.url_for("/"))
    return httpserver_ipv4


def fetch_failure(source, **params) -> SourceError:
    with pytest.raises(SourceError) as error:
        fetch(source, **params)
    return error.value


def page(number: int, total_pages) -> bytes:
    row = {"statistic_yyymm": "11509", "district_code": f"6500001000{number}",
           "site_id": "新北市板橋區", "village": f"里{number}", "household_no": "600",
           "people_total": "1460", "people_total_m": "700", "people_total_f": "760"}
    return json.dumps({"responseCode": "OD-0101-S", "totalPage": str(total_pages),
                       "page": str(number), "responseData": [row]}, ensure_ascii=False).encode()


def waiting_lines(capsys) -> list[str]:
    return [line for line in capsys.readouterr().out.splitlines() if "waiting" in line]


@pytest.mark.parametrize("retry_after", ["3600", "Fri, 31 Dec 2099 23:59:59 GMT"],
                         ids=["seconds", "http-date"])
def test_retry_after_far_ahead_is_capped_and_said(publisher, live, case, capsys, monkeypatch,
                                                  retry_after):
    monkeypatch.setenv("TWRESAS_HTTP_MAX_RETRY_AFTER", "1")
    before = inv.publication(live)
    publisher.expect_ordered_request(JSON_PATH).respond_with_response(
        Response("busy", status=429, headers={"Retry-After": retry_after}))
    publisher.expect_ordered_request(JSON_PATH).respond_with_data(
        GOOD_JSON, content_type="application/json")
    started = time.monotonic()
    landed = fetch(JSON_SOURCE, yyy="108")
    assert time.monotonic() - started < 30, "the cap did not apply"
    assert landed.accepted
    (line,) = waiting_lines(capsys)
    assert f"waiting 1 s to retry {publisher.url_for(JSON_PATH)}: HTTP 429" in line
    assert "capped at TWRESAS_HTTP_MAX_RETRY_AFTER=1" in line
    case.checked.append("wait said in one line")
    inv.raw_bytes_kept(case, live, JSON_SOURCE.id, GOOD_JSON, accepted=True, http_status=200)
    retried = [r for r in LandingZone(live / "landing").manifest() if r["http_status"] == 429]
    assert [r["problem"] for r in retried] == ["HTTP 429, retried"]
    inv.published_unchanged(case, live, before)


def test_total_retry_time_for_one_url_is_capped(publisher, live, case, capsys, monkeypatch):
    monkeypatch.setenv("TWRESAS_HTTP_RETRIES", "50")
    monkeypatch.setenv("TWRESAS_HTTP_MAX_RETRY_AFTER", "1")
    monkeypatch.setenv("TWRESAS_HTTP_MAX_RETRY_SECONDS", "2.5")
    before = inv.publication(live)
    publisher.expect_request(JSON_PATH).respond_with_response(
        Response("slow down", status=503, headers={"Retry-After": "3600"}))
    started = time.monotonic()
    error = fetch_failure(JSON_SOURCE, yyy="108")
    assert time.monotonic() - started < 10
    assert len(publisher.log) <= 4, "50 retries allowed, but the time cap should stop them"
    inv.error_is_one_line(case, error, source_id=JSON_SOURCE.id,
                          location=publisher.url_for(JSON_PATH),
                          problem=r"HTTP 503; gave up retrying after \d+ s.*"
                                  r"TWRESAS_HTTP_MAX_RETRY_SECONDS=2.5")
    assert 1 <= len(waiting_lines(capsys)) <= 3
    inv.raw_bytes_kept(case, live, JSON_SOURCE.id, b"slow down", accepted=False,
                       http_status=503, problem="gave up retrying")
    inv.published_unchanged(case, live, before)


@pytest.mark.parametrize("announced", [100_000, -1], ids=["100000-pages", "negative"])
def test_implausible_page_count_is_refused_before_paging(publisher, live, case, announced):
    before = inv.publication(live)
    first = page(1, announced)
    publisher.expect_request(PAGED_PATH, query_string="page=1").respond_with_data(
        first, content_type="application/json")
    with pytest.raises(SourceError) as error:
        population.fetch_household_registration("11509")
    assert len(publisher.log) == 1, "no page after the first may be asked for"
    url = publisher.url_for(PAGED_PATH) + "?page=1"
    inv.error_is_one_line(case, error.value, source_id=PAGED.id, location=url,
                          problem=f"implausible page count {announced:,}")
    inv.raw_bytes_kept(case, live, PAGED.id, first, accepted=True, http_status=200)
    inv.published_unchanged(case, live, before)


def test_page_count_growing_past_the_cap_mid_way_is_refused(publisher, live, case, monkeypatch):
    monkeypatch.setenv("TWRESAS_HTTP_MAX_PAGES", "50")
    before = inv.publication(live)
    publisher.expect_request(PAGED_PATH, query_string="page=1").respond_with_data(
        page(1, 2), content_type="application/json")
    second = page(2, 3600)
    publisher.expect_request(PAGED_PATH, query_string="page=2").respond_with_data(
        second, content_type="application/json")
    with pytest.raises(SourceError) as error:
        population.fetch_household_registration("11509")
    assert len(publisher.log) == 2
    inv.error_is_one_line(case, error.value, source_id=PAGED.id,
                          location=publisher.url_for(PAGED_PATH) + "?page=2",
                          problem="implausible page count 3,600 .*TWRESAS_HTTP_MAX_PAGES=50")
    inv.raw_bytes_kept(case, live, PAGED.id, second, accepted=True, http_status=200)
    inv.published_unchanged(case, live, before)


def test_redirect_on_the_same_host_is_followed_and_recorded(publisher, live, case):
    before = inv.publication(live)
    publisher.expect_request(JSON_PATH).respond_with_response(
        Response("", status=301, headers={"Location": MOVED_PATH}))
    publisher.expect_request(MOVED_PATH).respond_with_data(GOOD_JSON,
                                                           content_type="application/json")
    landed = fetch(JSON_SOURCE, yyy="108")
    assert landed.final_url == publisher.url_for(MOVED_PATH)
    row = inv.raw_bytes_kept(case, live, JSON_SOURCE.id, GOOD_JSON, accepted=True,
                             http_status=200)
    assert (row["url"], row["final_url"]) == (publisher.url_for(JSON_PATH),
                                              publisher.url_for(MOVED_PATH))
    case.checked.append("final URL recorded")
    inv.published_unchanged(case, live, before)


def other_host(publisher, path: str) -> str:
    """The same local server under another host name (localhost, not 127.0.0.1)."""
    return f"http://localhost:{publisher.port}{path}"


def test_redirect_to_another_host_is_refused(publisher, live, case):
    before = inv.publication(live)
    notice = b"moved"
    publisher.expect_request(JSON_PATH).respond_with_response(
        Response(notice, status=302, headers={"Location": other_host(publisher, MOVED_PATH)}))
    error = fetch_failure(JSON_SOURCE, yyy="108")
    assert len(publisher.log) == 1, "the other host must not be asked"
    inv.error_is_one_line(case, error, source_id=JSON_SOURCE.id,
                          location=publisher.url_for(JSON_PATH),
                          problem=r"redirected to another host \(http://localhost:\d+/moved/")
    inv.raw_bytes_kept(case, live, JSON_SOURCE.id, notice, accepted=False, http_status=302)
    inv.published_unchanged(case, live, before)


def test_redirect_to_another_host_is_followed_when_the_source_allows_it(publisher, live, case):
    before = inv.publication(live)
    source = dataclasses.replace(JSON_SOURCE, allow_other_host_redirect=True)
    target = other_host(publisher, MOVED_PATH)
    publisher.expect_request(JSON_PATH).respond_with_response(
        Response("", status=302, headers={"Location": target}))
    publisher.expect_request(MOVED_PATH).respond_with_data(GOOD_JSON,
                                                           content_type="application/json")
    landed = fetch(source, yyy="108")
    assert landed.final_url == target
    inv.raw_bytes_kept(case, live, JSON_SOURCE.id, GOOD_JSON, accepted=True, http_status=200)
    inv.published_unchanged(case, live, before)


def test_redirect_loop_is_refused(publisher, live, case):
    before = inv.publication(live)
    publisher.expect_request(JSON_PATH).respond_with_response(
        Response("", status=302, headers={"Location": MOVED_PATH}))
    publisher.expect_request(MOVED_PATH).respond_with_response(
        Response("", status=302, headers={"Location": JSON_PATH}))
    error = fetch_failure(JSON_SOURCE, yyy="108")
    assert len(publisher.log) == 11
    inv.error_is_one_line(case, error, source_id=JSON_SOURCE.id,
                          location=publisher.url_for(JSON_PATH), problem="more than 10 redirects")
    inv.raw_bytes_kept(case, live, JSON_SOURCE.id, b"", accepted=False, http_status=302)
    inv.published_unchanged(case, live, before)
