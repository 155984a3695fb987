"""The one fetch path, live against a local HTTP server and offline from snapshots."""

import json

import pytest
from werkzeug import Response

from sources import population
from sources.errors import SourceError
from sources.http import fetch
from sources.landing import LandingZone

SOURCE = population.TOWNSHIP_DENSITY
PATH = "/rs-opendata/api/v1/datastore/opendata108N010.json"
GOOD_BODY = json.dumps([{"statistic_yyy": 108, "site_id": "連江縣南竿鄉", "people_total": 7779,
                         "area": 10.4, "population_density": 748}]).encode()


@pytest.fixture
def publisher(live_mode, httpserver, monkeypatch):
    monkeypatch.setenv(SOURCE.base_url_env, httpserver.url_for("/"))
    return httpserver


def landed_files(home):
    return sorted(p.name for p in (home / "landing" / SOURCE.id).glob("*"))


def test_503_then_200_is_retried_and_succeeds(publisher, live_mode):
    publisher.expect_ordered_request(PATH).respond_with_data("busy", status=503)
    publisher.expect_ordered_request(PATH).respond_with_data(
        GOOD_BODY, content_type="application/json"
    )
    landed = fetch(SOURCE, yyy="108")
    assert landed.accepted and landed.read_bytes() == GOOD_BODY
    publisher.check_assertions()
    manifest = LandingZone().manifest()
    # the retried answer is landed too, marked as such
    statuses = [(row["http_status"], row["accepted"]) for row in manifest]
    assert statuses == [(503, False), (200, True)]
    assert manifest[0]["problem"] == "HTTP 503, retried"
    kept = {path.name: path.read_bytes() for path in (live_mode / "landing" / SOURCE.id).glob("*")}
    assert kept[f"{manifest[0]['sha256']}.json"] == b"busy"
    assert kept[f"{manifest[1]['sha256']}.json"] == GOOD_BODY


def test_429_retry_after_is_honoured(publisher):
    publisher.expect_ordered_request(PATH).respond_with_response(
        Response("slow down", status=429, headers={"Retry-After": "1"})
    )
    publisher.expect_ordered_request(PATH).respond_with_data(GOOD_BODY)
    assert fetch(SOURCE, yyy="108").accepted


def test_html_error_page_is_rejected_naming_the_source_and_kept(publisher, live_mode):
    page = "<!DOCTYPE html><html><body>系統維護</body></html>".encode()
    publisher.expect_request(PATH).respond_with_data(page, content_type="text/html")
    with pytest.raises(SourceError) as error:
        fetch(SOURCE, yyy="108")
    message = str(error.value)
    assert "moi_township_pop_density" in message and PATH in message and "HTML" in message
    manifest = LandingZone().manifest()
    assert len(manifest) == 1 and manifest[0]["accepted"] is False
    kept = live_mode / "landing" / SOURCE.id / f"{manifest[0]['sha256']}.json"
    assert kept.read_bytes() == page


def test_permanent_404_is_an_error_with_a_manifest_row(publisher):
    publisher.expect_request(PATH).respond_with_data("gone", status=404)
    with pytest.raises(SourceError, match="HTTP 404"):
        fetch(SOURCE, yyy="108")
    assert LandingZone().manifest()[0]["http_status"] == 404


def test_identical_content_is_stored_once_but_every_retrieval_is_in_the_manifest(
    publisher, live_mode
):
    publisher.expect_request(PATH).respond_with_data(GOOD_BODY)
    first, second = fetch(SOURCE, yyy="108"), fetch(SOURCE, yyy="108")
    assert first.path == second.path
    assert len(landed_files(live_mode)) == 1
    assert len(LandingZone().manifest()) == 2


def test_response_over_the_size_limit_is_refused(publisher, monkeypatch):
    monkeypatch.setenv("TWRESAS_HTTP_MAX_BYTES", "100")
    publisher.expect_request(PATH).respond_with_data(GOOD_BODY * 10)
    with pytest.raises(SourceError, match="limit"):
        fetch(SOURCE, yyy="108")


def test_snapshot_mode_serves_the_bundled_bytes(twresas_home):
    landed = fetch(SOURCE, yyy="108")
    assert landed.read_bytes() == SOURCE.snapshot_path(SOURCE.snapshots[1]).read_bytes()
    assert landed.mode == "snapshot"


def test_snapshot_mode_never_reaches_the_network(twresas_home):
    with pytest.raises(SourceError, match="HTTP 404"):
        fetch(SOURCE, yyy="999")
