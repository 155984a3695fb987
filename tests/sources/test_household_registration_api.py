"""The ODRP019 open API loader against a local server serving pages in the API's shape.
The page fixtures are SYNTHETIC (bundled snapshots, flagged as such)."""

import json

import pytest

from sources import population
from sources.errors import SourceError
from sources.landing import LandingZone

API = population.HOUSEHOLD_REGISTRATION_API
PATH = "/rs-opendata/api/v1/datastore/ODRP019/11509"


@pytest.fixture
def api(live_mode, httpserver, monkeypatch):
    monkeypatch.setenv(API.base_url_env, httpserver.url_for("/"))
    return httpserver


def page_bytes(number: int) -> bytes:
    return API.snapshot_path(API.snapshots[number - 1]).read_bytes()


def test_every_page_is_fetched_until_total_page(api):
    for number in (1, 2):
        api.expect_ordered_request(PATH, query_string={"page": str(number)}).respond_with_data(
            page_bytes(number), content_type="application/json"
        )
    frame, landed = population.fetch_household_registration("11509")
    api.check_assertions()
    expected = sum(len(json.loads(page_bytes(n))["responseData"]) for n in (1, 2))
    assert len(frame) == expected and len(landed) == 2
    assert sorted(frame["_page"].unique()) == [1, 2]


def test_a_page_without_response_data_is_rejected_and_kept(api, live_mode):
    api.expect_request(PATH).respond_with_json({"responseCode": "OD-0102-E", "msg": "查無資料"})
    with pytest.raises(SourceError, match="moi_household_registration_api.*ODRP019"):
        population.fetch_household_registration("11509")
    assert LandingZone().manifest()[0]["accepted"] is True  # HTTP-level fine, content wrong
    assert list((live_mode / "landing" / API.id).glob("*.json"))
