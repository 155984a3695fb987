"""`python -m orchestration.cli run`: what `make run` does. Materialises every asset in process
(offline by default), gates the marts, publishes, and prints a summary."""

import argparse
import os
import sys

import dagster as dg
import duckdb

from expectations.gate import data_docs_index
from orchestration.lib import published_db_path, settings
from orchestration.publish import exclusive_lock


def run_all() -> dg.ExecuteInProcessResult:
    from orchestration.definitions import defs

    job = defs().resolve_implicit_global_asset_job_def()
    instance = dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else None
    with exclusive_lock(settings.warehouse_dir() / ".run.lock", wait=False):
        return job.execute_in_process(instance=instance, raise_on_error=False)


def summary_lines(result: dg.ExecuteInProcessResult) -> list[str]:
    lines = [f"run {result.run_id}: {'succeeded' if result.success else 'FAILED'}"]
    for evaluation in result.get_asset_check_evaluations():
        verdict = "passed" if evaluation.passed else "FAILED"
        lines.append(f"  gate {evaluation.asset_key.to_user_string()}: {verdict}")
    published = published_db_path()
    if published.exists():
        with duckdb.connect(str(published), read_only=True) as con:
            lines.append(f"published database: {published}")
            for mart, rows in con.execute(
                "select mart, row_count from meta.publication order by mart"
            ).fetchall():
                lines.append(f"  marts.{mart}: {rows:,} rows")
            lines.append("indicators available, by domain:")
            for domain, available, defined in con.execute(
                "select domain, count(*) filter (where is_available), count(*)"
                " from marts.dim_indicator group by domain order by domain"
            ).fetchall():
                lines.append(f"  {domain:<11} {available:>3} of {defined:>3}")
    lines.append(f"data docs: {data_docs_index()}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.cli")
    parser.add_argument("command", choices=["run"])
    parser.parse_args(argv)
    result = run_all()
    print("\n".join(summary_lines(result)))
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
