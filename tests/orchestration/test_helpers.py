"""The small pure helpers of orchestration: dbt CLI arguments, policies, partition keys."""

from orchestration.dbt_project import dbt_build_args, dbt_docs_args
from orchestration.defs.population import roc_yyymm
from orchestration.policies import freshness_policy


def test_dbt_build_args():
    assert dbt_build_args("duckdb") == [
        "build", "--target", "duckdb", "--exclude-resource-type", "unit_test"]
    assert dbt_build_args("spark", full_refresh=True) == [
        "build", "--target", "spark", "--exclude-resource-type", "unit_test", "--full-refresh"]


def test_dbt_docs_args():
    assert dbt_docs_args() == ["docs", "generate"]


def test_roc_month_of_a_partition_key():
    assert roc_yyymm("2026-09-01") == "11509"
    assert roc_yyymm("2018-03-01") == "10703"


def test_freshness_follows_the_source_cadence():
    from sources import population

    monthly = freshness_policy(population.VILLAGE_HOUSEHOLDS)
    yearly = freshness_policy(population.TOWNSHIP_DENSITY)
    assert monthly.fail_window.to_timedelta() < yearly.fail_window.to_timedelta()
