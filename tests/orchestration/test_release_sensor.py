"""The live-mode release sensor requests only the months whose release is new or changed."""

import dagster as dg

from orchestration.definitions import defs
from orchestration.defs import population as population_defs
from tests.conftest import environment_resources


def evaluate(cursor=None):
    repository = defs().get_repository_def()
    context = dg.build_sensor_context(cursor=cursor, repository_def=repository,
                                      resources=environment_resources())
    result = population_defs.household_registration_sensor.evaluate_tick(context)
    return result, context.cursor


def test_skips_in_snapshot_mode(twresas_home):
    result, _ = evaluate()
    assert result.skip_message and "snapshot" in result.skip_message


def test_requests_new_months_then_only_changed_ones(live_mode, httpserver, monkeypatch):
    source = population_defs.population.HOUSEHOLD_REGISTRATION_API
    monkeypatch.setenv(source.base_url_env, httpserver.url_for("/"))
    keys = population_defs.registration_months.get_partition_keys()[-3:]
    months = [population_defs.roc_yyymm(k) for k in keys]
    path = "/rs-opendata/api/v1/datastore/ODRP019/{}"
    # the newest month is not out yet; the two before are
    httpserver.expect_request(path.format(months[2]), method="HEAD").respond_with_data("", 404)
    for month in months[:2]:
        httpserver.expect_request(path.format(month), method="HEAD").respond_with_data(
            "", headers={"ETag": f'"v1-{month}"'}
        )
    result, cursor = evaluate()
    assert sorted(r.partition_key for r in result.run_requests) == keys[:2]

    httpserver.clear()
    httpserver.expect_request(path.format(months[2]), method="HEAD").respond_with_data("", 404)
    httpserver.expect_request(path.format(months[0]), method="HEAD").respond_with_data(
        "", headers={"ETag": f'"v1-{months[0]}"'}
    )
    httpserver.expect_request(path.format(months[1]), method="HEAD").respond_with_data(
        "", headers={"ETag": '"v2-revised"'}
    )
    result, _ = evaluate(cursor)
    assert [r.partition_key for r in result.run_requests] == [keys[1]]
