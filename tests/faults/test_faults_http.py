"""HTTP faults, live mode against a local server on 127.0.0.1 (tests/sources/test_http.py
already covers 503-then-200, 429 honoured, an HTML page for JSON, a 404 and the size limit)."""

import json
import socket
import struct
import time

import invariants as inv
import pytest
from werkzeug import Response

from sources import population, real_estate
from sources.errors import SourceError
from sources.http import fetch
from sources.landing import LandingZone

pytestmark = pytest.mark.faults

JSON_SOURCE = population.TOWNSHIP_DENSITY
JSON_PATH = "/rs-opendata/api/v1/datastore/opendata108N010.json"
GOOD_JSON = json.dumps([{"statistic_yyy": 108, "site_id": "連江縣南竿鄉", "people_total": 7779,
                         "area": 10.4, "population_density": 748}]).encode()
CSV_SOURCE = population.VILLAGE_HOUSEHOLDS
CSV_PATH = "/rs-opendata/api/v1/datastore/village/11508.csv"
ZIP_SOURCE = real_estate.LVR_LAND
ZIP_PATH = "/DownloadSeason"
MAINTENANCE = "<!DOCTYPE html><html><body><h1>系統維護中</h1>請稍後再試</body></html>".encode()


@pytest.fixture
def publisher(live, httpserver_ipv4, monkeypatch):
    """The publishers' sites, on 127.0.0.1 only."""
    for source in (JSON_SOURCE, CSV_SOURCE, ZIP_SOURCE):
        monkeypatch.setenv(source.base_url_env, httpserver_ipv4.url_for("/"))
    return httpserver_ipv4


def fetch_failure(source, **params) -> SourceError:
    with pytest.raises(SourceError) as error:
        fetch(source, **params)
    return error.value


def streamed(parts, *, content_length: int, after=None):
    """A handler sending `parts`, announcing `content_length` bytes; `after(request)` runs
    once the parts are sent (to stall or to reset the connection)."""

    def handler(request):
        def body():
            yield from parts
            if after:
                after(request)

        return Response(body(), headers={"Content-Length": str(content_length)},
                        content_type="application/json")

    return handler


@pytest.mark.parametrize("status", [500, 502, 504])
def test_server_error_then_success_is_retried(publisher, live, case, status):
    before = inv.publication(live)
    publisher.expect_ordered_request(JSON_PATH).respond_with_data("oops", status=status)
    publisher.expect_ordered_request(JSON_PATH).respond_with_data(
        GOOD_JSON, content_type="application/json"
    )
    landed = fetch(JSON_SOURCE, yyy="108")
    publisher.check_assertions()
    assert landed.accepted
    inv.raw_bytes_kept(case, live, JSON_SOURCE.id, GOOD_JSON, accepted=True, http_status=200)
    inv.published_unchanged(case, live, before)


def test_persistent_429_honours_retry_after_then_gives_up(publisher, live, case, monkeypatch):
    monkeypatch.setenv("TWRESAS_HTTP_RETRIES", "1")
    before = inv.publication(live)
    publisher.expect_request(JSON_PATH).respond_with_response(
        Response("too many requests", status=429, headers={"Retry-After": "1"})
    )
    started = time.monotonic()
    error = fetch_failure(JSON_SOURCE, yyy="108")
    assert time.monotonic() - started >= 1  # back-off is 0 here: only Retry-After waits
    assert len(publisher.log) == 2
    url = publisher.url_for(JSON_PATH)
    inv.error_is_one_line(case, error, source_id=JSON_SOURCE.id, location=url, problem="HTTP 429")
    inv.raw_bytes_kept(case, live, JSON_SOURCE.id, b"too many requests", accepted=False,
                       http_status=429, problem="HTTP 429")
    inv.published_unchanged(case, live, before)


def test_persistent_503_is_an_error_after_the_retries(publisher, live, case, monkeypatch):
    monkeypatch.setenv("TWRESAS_HTTP_RETRIES", "2")
    before = inv.publication(live)
    publisher.expect_request(JSON_PATH).respond_with_data("busy", status=503)
    error = fetch_failure(JSON_SOURCE, yyy="108")
    assert len(publisher.log) == 3
    inv.error_is_one_line(case, error, source_id=JSON_SOURCE.id,
                          location=publisher.url_for(JSON_PATH), problem="HTTP 503")
    inv.raw_bytes_kept(case, live, JSON_SOURCE.id, b"busy", accepted=False, http_status=503)
    inv.published_unchanged(case, live, before)


def test_connection_reset_mid_body(publisher, live, case):
    def reset(request):
        sock = request.environ["werkzeug.socket"]
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()  # linger 0: the peer gets a TCP RST

    before = inv.publication(live)
    publisher.expect_request(JSON_PATH).respond_with_handler(
        streamed([GOOD_JSON[:40]], content_length=10_000, after=reset)
    )
    error = fetch_failure(JSON_SOURCE, yyy="108")
    inv.error_is_one_line(case, error, source_id=JSON_SOURCE.id,
                          location=publisher.url_for(JSON_PATH),
                          problem=r"request failed \(.*(reset|broken|IncompleteRead)")
    # what arrived before the reset is kept, unless the kernel discarded it on the RST
    kept = LandingZone(live / "landing").manifest()[-1]["bytes"]
    assert kept in (0, 40)
    inv.raw_bytes_kept(case, live, JSON_SOURCE.id, GOOD_JSON[:kept], accepted=False,
                       http_status=200)
    inv.published_unchanged(case, live, before)


def test_read_timeout_before_the_response(publisher, live, case, monkeypatch):
    monkeypatch.setenv("TWRESAS_HTTP_READ_TIMEOUT", "0.3")
    monkeypatch.setenv("TWRESAS_HTTP_RETRIES", "1")
    before = inv.publication(live)

    def slow(request):
        time.sleep(0.6)
        return Response(GOOD_JSON)

    publisher.expect_request(JSON_PATH).respond_with_handler(slow)
    error = fetch_failure(JSON_SOURCE, yyy="108")
    inv.error_is_one_line(case, error, source_id=JSON_SOURCE.id,
                          location=publisher.url_for(JSON_PATH), problem="timed out")
    inv.raw_bytes_kept(case, live, JSON_SOURCE.id, b"", accepted=False, http_status=None)
    inv.published_unchanged(case, live, before)


def test_read_timeout_mid_body_keeps_what_arrived(publisher, live, case, monkeypatch):
    monkeypatch.setenv("TWRESAS_HTTP_READ_TIMEOUT", "0.3")
    before = inv.publication(live)
    publisher.expect_request(JSON_PATH).respond_with_handler(
        streamed([GOOD_JSON[:50]], content_length=len(GOOD_JSON), after=lambda r: time.sleep(0.8))
    )
    error = fetch_failure(JSON_SOURCE, yyy="108")
    inv.error_is_one_line(case, error, source_id=JSON_SOURCE.id,
                          location=publisher.url_for(JSON_PATH), problem="timed out")
    inv.raw_bytes_kept(case, live, JSON_SOURCE.id, GOOD_JSON[:50], accepted=False,
                       http_status=200)
    inv.published_unchanged(case, live, before)


def test_body_shorter_than_its_content_length(publisher, live, case):
    before = inv.publication(live)
    publisher.expect_request(JSON_PATH).respond_with_handler(
        streamed([GOOD_JSON[:60]], content_length=len(GOOD_JSON))
    )
    error = fetch_failure(JSON_SOURCE, yyy="108")
    inv.error_is_one_line(case, error, source_id=JSON_SOURCE.id,
                          location=publisher.url_for(JSON_PATH),
                          problem=f"body truncated: 60 bytes received, {len(GOOD_JSON) - 60} more")
    inv.raw_bytes_kept(case, live, JSON_SOURCE.id, GOOD_JSON[:60], accepted=False,
                       http_status=200, problem="truncated")
    inv.published_unchanged(case, live, before)


@pytest.mark.parametrize(
    "source, path, params",
    [(CSV_SOURCE, CSV_PATH, {"yyymm": "11508"}), (ZIP_SOURCE, ZIP_PATH, {"season": "115S1"})],
    ids=["csv", "zip"],
)
def test_maintenance_page_with_status_200(publisher, live, case, source, path, params):
    before = inv.publication(live)
    publisher.expect_request(path).respond_with_data(MAINTENANCE, content_type="text/html")
    error = fetch_failure(source, **params)
    inv.error_is_one_line(case, error, source_id=source.id, location=publisher.url_for(path),
                          problem=f"HTML page where {source.format.upper()} was expected")
    inv.raw_bytes_kept(case, live, source.id, MAINTENANCE, accepted=False, http_status=200)
    inv.published_unchanged(case, live, before)


def test_plain_text_notice_where_json_was_expected(publisher, live, case):
    before = inv.publication(live)
    notice = "系統維護中，請稍後再試".encode()
    publisher.expect_request(JSON_PATH).respond_with_data(notice, content_type="text/plain")
    error = fetch_failure(JSON_SOURCE, yyy="108")
    inv.error_is_one_line(case, error, source_id=JSON_SOURCE.id,
                          location=publisher.url_for(JSON_PATH), problem="not JSON")
    inv.raw_bytes_kept(case, live, JSON_SOURCE.id, notice, accepted=False, http_status=200)
    inv.published_unchanged(case, live, before)


def test_empty_body(publisher, live, case):
    before = inv.publication(live)
    publisher.expect_request(JSON_PATH).respond_with_data(b"", content_type="application/json")
    error = fetch_failure(JSON_SOURCE, yyy="108")
    inv.error_is_one_line(case, error, source_id=JSON_SOURCE.id,
                          location=publisher.url_for(JSON_PATH), problem="empty body")
    inv.raw_bytes_kept(case, live, JSON_SOURCE.id, b"", accepted=False, http_status=200)
    inv.published_unchanged(case, live, before)

