"""The small pure helpers of orchestration: dbt CLI arguments, policies, partition keys, the
dbt commands' target folders."""

import os

from orchestration.dbt_project import dbt_build_args, dbt_docs_args, prune_command_targets
from orchestration.defs.population import roc_yyymm
from orchestration.policies import freshness_policy


def test_dbt_build_args():
    assert dbt_build_args("duckdb") == [
        "build", "--target", "duckdb", "--exclude-resource-type", "unit_test",
        "--log-level-file", "none"]
    assert dbt_build_args("spark", full_refresh=True) == [
        "build", "--target", "spark", "--exclude-resource-type", "unit_test",
        "--log-level-file", "none", "--full-refresh"]


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


def test_only_the_newest_target_folders_of_dbt_commands_are_kept(tmp_path):
    folders = []
    for age in range(6):  # the oldest first
        folder = tmp_path / f"tw_resas_dbt_models-run{age}-abc{age}"
        (folder / "compiled").mkdir(parents=True)
        os.utime(folder, (1_000_000 + age, 1_000_000 + age))
        folders.append(folder)
    other_op = tmp_path / "another_op-run0-abc"
    other_op.mkdir()
    os.utime(other_op, (1, 1))
    current = folders[0]  # this run's, whatever its time
    removed = prune_command_targets(current, "tw_resas_dbt_models", keep=3)
    assert sorted(removed) == sorted(folders[1:4])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [current.name, folders[4].name, folders[5].name, other_op.name])
