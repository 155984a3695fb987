"""The small pure helpers of orchestration.lib."""

import pytest

from orchestration import lib
from orchestration.defs.population import roc_yyymm


def test_dbt_build_args(monkeypatch):
    monkeypatch.delenv("TWRESAS_DBT_TARGET", raising=False)
    assert lib.dbt_build_args() == ["build", "--target", "duckdb"]
    assert lib.dbt_build_args(full_refresh=True) == [
        "build", "--target", "duckdb", "--full-refresh"]


def test_the_dbt_step_builds_on_the_target_the_setting_names(monkeypatch):
    monkeypatch.setenv("TWRESAS_DBT_TARGET", "Spark ")
    assert lib.dbt_build_args() == ["build", "--target", "spark"]
    assert lib.dbt_parse_args()[-2:] == ["--target", "spark"]
    monkeypatch.setenv("TWRESAS_DBT_TARGET", "postgres")
    with pytest.raises(ValueError, match="TWRESAS_DBT_TARGET must be 'duckdb' or 'spark'"):
        lib.dbt_build_args()


def test_dbt_docs_and_parse_args():
    assert lib.dbt_docs_args() == ["docs", "generate"]
    assert lib.dbt_parse_args()[0] == "parse"


def test_roc_month_of_a_partition_key():
    assert roc_yyymm("2026-09-01") == "11509"
    assert roc_yyymm("2018-03-01") == "10703"


def test_freshness_follows_the_source_cadence():
    from sources import population

    monthly = lib.freshness_policy(population.VILLAGE_HOUSEHOLDS)
    yearly = lib.freshness_policy(population.TOWNSHIP_DENSITY)
    assert monthly.fail_window.to_timedelta() < yearly.fail_window.to_timedelta()
