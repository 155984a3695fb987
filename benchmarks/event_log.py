"""What the instance's event log (orchestration/event_log.py) saves against Dagster's default
SQLite storage, on a run shaped like the warehouse's dbt step.

    python benchmarks/event_log.py [--assets N] [--checks-per-asset K] [--repeat R]

Runs one job of N assets with K checks each (the dbt step has 112 assets and 328 tests) in
process, R times alternating between a home with Dagster's default dagster.yaml and one with
orchestration/dagster.yaml; the fastest of each counts. Prints seconds both ways and the
events stored (the same both ways).
"""

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import dagster as dg

from orchestration.cli import QUIET_CONSOLE
from orchestration.event_log import INSTANCE_CONFIG


def warehouse_like_job(assets: int, checks_per_asset: int) -> dg.JobDefinition:
    specs = [dg.AssetSpec(f"model_{index}") for index in range(assets)]
    check_specs = [dg.AssetCheckSpec(f"test_{check}", asset=spec.key)
                   for spec in specs for check in range(checks_per_asset)]

    @dg.multi_asset(specs=specs, check_specs=check_specs)
    def models():
        for spec in specs:
            yield dg.MaterializeResult(asset_key=spec.key)
        for check in check_specs:
            yield dg.AssetCheckResult(asset_key=check.asset_key, check_name=check.name,
                                      passed=True)

    return dg.Definitions(assets=[models],
                          jobs=[dg.define_asset_job("models")]).resolve_job_def("models")


def run_seconds(job: dg.JobDefinition, home: Path) -> tuple[float, int]:
    os.environ["DAGSTER_HOME"] = str(home)
    with dg.DagsterInstance.get() as instance:
        start = time.perf_counter()
        result = job.execute_in_process(instance=instance, run_config=QUIET_CONSOLE)
        seconds = time.perf_counter() - start
        return seconds, len(instance.get_records_for_run(result.run_id, limit=100_000).records)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=112)
    parser.add_argument("--checks-per-asset", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    job = warehouse_like_job(args.assets, args.checks_per_asset)
    with tempfile.TemporaryDirectory() as scratch:
        default_home, pooled_home = Path(scratch, "default"), Path(scratch, "pooled")
        for home in (default_home, pooled_home):
            home.mkdir()
        (default_home / "dagster.yaml").touch()
        shutil.copy(INSTANCE_CONFIG, pooled_home)
        default = pooled = float("inf")
        for _ in range(args.repeat):  # alternating, so both see the same machine
            seconds, default_events = run_seconds(job, default_home)
            default = min(default, seconds)
            seconds, pooled_events = run_seconds(job, pooled_home)
            pooled = min(pooled, seconds)
    if default_events != pooled_events:
        raise SystemExit(f"events stored: default {default_events}, pooled {pooled_events}")
    print(f"one run of {args.assets} assets and {args.assets * args.checks_per_asset} checks "
          f"({pooled_events} events): Dagster's SQLite event log {default:.2f} s, "
          f"orchestration.event_log {pooled:.2f} s ({default / pooled:.1f}x)")


if __name__ == "__main__":
    main()
