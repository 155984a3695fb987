"""`python -m orchestration.cli run`: what `make run` does. Materialises every asset in process
(offline by default), gates the marts, publishes, and prints a summary."""

import argparse
import gc
import os
import re
import shutil
import signal
import sys
import tempfile
import traceback
import uuid
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from expectations.processes import start_gate_server
from orchestration.audit import write_run_report
from orchestration.gc_thresholds import collect_garbage_less_often
from orchestration.progress import GATES_STEP
from orchestration.publish import (
    LockHeld,
    exclusive_lock,
    repair_parquet_current,
    served_version,
)
from orchestration.releases import release_jobs, release_runs
from orchestration.resources import Warehouse, bound_resources
from sources.errors import SourceError
from sources.settings import read_settings

# Dagster logs a failed step at ERROR with its whole traceback: the console gets one line per
# failure from summary_lines() instead, and the tracebacks go to warehouse/logs/<run id>.log.
QUIET_CONSOLE = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


class RunRefused(Exception):
    """A run stopped outside its jobs (the list of releases unreachable, say) for a reason a
    person can act on: the message is one line, the run report is written, and the traceback
    is kept in `log`."""

    def __init__(self, message: str, run_id: str, log: Path):
        super().__init__(message)
        self.run_id = run_id
        self.log = log


def one_line(exc: BaseException) -> str:
    """The SourceError anywhere in the exception's chain (it names the source, the URL or
    file and the problem), else the exception's class and first line."""
    seen = exc
    while seen is not None:
        if isinstance(seen, SourceError):
            return str(seen)
        seen = seen.__cause__ or seen.__context__
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0] if text else 'no detail'}"


def write_log(warehouse: Warehouse, run_id: str, text: str) -> Path:
    folder = warehouse.logs_dir
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{run_id}.log"
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text if text.endswith("\n") else text + "\n")
    return path


def refuse_run(warehouse: Warehouse, what: str, exc: BaseException) -> RunRefused:
    """Report a run stopped outside its jobs: log, run report, and the one-line error."""
    run_id = str(uuid.uuid4())
    message = f"{what}: {one_line(exc)}"
    log = write_log(warehouse, run_id,
                    message + "\n" + "".join(traceback.format_exception(exc)))
    write_run_report(warehouse, run_id, published=None, refusal=message)
    return RunRefused(f"{message} (details: {log})", run_id, log)


def log_failures(warehouse: Warehouse, result: dg.ExecuteInProcessResult) -> Path | None:
    """The full error of every failed step of `result`, in warehouse/logs/<run id>.log."""
    failures = result.get_step_failure_events()
    if not failures:
        return None
    return write_log(warehouse, result.run_id, "".join(
        f"step {event.step_key} failed:\n{event.step_failure_data.error.to_string()}\n"
        for event in failures
    ))


@contextmanager
def run_temp_dir(home: Path):
    """The run's temporary files (unzipped chunks...) in a folder of its own under the system
    temp dir, one per home: emptied at the start, so what a killed run left there is removed
    by the next one (the run lock is held, so no other run of this home is using it)."""
    home_id = uuid.uuid5(uuid.NAMESPACE_URL, str(home)).hex[:12]
    folder = Path(tempfile.gettempdir()) / f"tw_resas-{home_id}"
    leftovers = list(folder.iterdir()) if folder.is_dir() else []
    shutil.rmtree(folder, ignore_errors=True)
    if leftovers:
        print(f"removed {len(leftovers)} temporary folder(s) a stopped run left in {folder}",
              flush=True)
    folder.mkdir(parents=True)
    previous, tempfile.tempdir = tempfile.tempdir, str(folder)
    try:
        yield folder
    finally:
        tempfile.tempdir = previous
        shutil.rmtree(folder, ignore_errors=True)


def run_all(resources: dict[str, dg.ConfigurableResource] | None = None
            ) -> dg.ExecuteInProcessResult:
    """Each release job for the releases to load (partitioned sources), then the warehouse job,
    with `resources` (default: those of the environment's settings, as `make run`).
    Returns the warehouse run (or the first failed release run)."""
    from orchestration.definitions import build_definitions

    resources = resources or bound_resources(read_settings())
    warehouse = resources["warehouse"]
    # the lock first: a second run is refused before it loads or starts anything
    with exclusive_lock(warehouse.warehouse_dir / ".run.lock", wait=False):
        definitions = build_definitions(resources)
        # the GX gates' processes are forked from a server that imports GX: started now, it
        # imports it on the other core while this process runs the releases and the build
        if runs_gates(definitions):
            start_gate_server()
        # DAGSTER_HOME is Dagster's own setting: the instance `make ui` reads
        instance = dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else None
        with run_temp_dir(warehouse.root), warehouse.work_db_kept_open():
            return run_jobs(warehouse, resources, definitions, instance)


def runs_gates(definitions: dg.Definitions) -> bool:
    """Whether the warehouse job has the GX gates' step (a narrowed run may not)."""
    steps = definitions.resolve_job_def("warehouse").graph.node_defs
    return GATES_STEP in {step.name for step in steps}


def run_jobs(warehouse: Warehouse, resources: dict[str, dg.ConfigurableResource],
             definitions: dg.Definitions, instance: dg.DagsterInstance | None
             ) -> dg.ExecuteInProcessResult:
    """run_all's work, under its lock: the release jobs, then the warehouse job."""
    landing = warehouse.landing_zone()
    incomplete = landing.remove_incomplete()
    if incomplete:
        print(f"removed {len(incomplete)} incomplete landing file(s) a stopped run left "
              f"(.incoming-*, no manifest row)", flush=True)
    repaired = repair_parquet_current(warehouse.published_db, warehouse.parquet_keep_seconds)
    if repaired:
        print(f"parquet/current repointed to {repaired.name}, the published version (the "
              "last publisher stopped between the two)", flush=True)
    fetcher = resources["http"].fetcher(landing)
    for job_name, keys_to_run in release_jobs(definitions):
        try:
            keys = keys_to_run(fetcher)
        except Exception as exc:
            raise refuse_run(warehouse, f"release {job_name}: cannot list the releases to"
                             " run", exc) from exc
        job = definitions.resolve_job_def(job_name)
        for label, partitions in release_runs(job, keys):
            print(f"{job_name} [{label}]", flush=True)
            result = job.execute_in_process(
                **partitions, instance=instance, raise_on_error=False,
                run_config=QUIET_CONSOLE,
            )
            if not result.success:
                log_failures(warehouse, result)
                reasons = "; ".join(failure_reasons(result))
                write_run_report(warehouse, result.run_id, published=None,
                                 refusal=f"release {job_name} [{label}] failed: {reasons}")
                return result
    warehouse_job = definitions.resolve_job_def("warehouse")
    print(f"warehouse: {len(warehouse_job.graph.node_defs)} steps", flush=True)
    result = warehouse_job.execute_in_process(
        instance=instance, raise_on_error=False, run_config=QUIET_CONSOLE
    )
    if not result.success:
        log_failures(warehouse, result)
        failed = [e.asset_key.to_user_string() for e in result.get_asset_check_evaluations()
                  if not e.passed]
        refusal = (f"gate failed: {', '.join(failed)}" if failed
                   else "; ".join(failure_reasons(result))
                   or "a step failed before publication")
        write_run_report(warehouse, result.run_id, published=None, refusal=refusal)
    return result


def failure_reasons(result: dg.ExecuteInProcessResult) -> list[str]:
    """One line per failed step: the SourceError's own message wherever it sits under
    Dagster's retry and step wrappers (it names the source, the URL or file and the problem;
    its causes, such as a UnicodeDecodeError, say less); else the innermost error (a dbt
    error: the model and the database's message)."""
    reasons = []
    for event in result.get_step_failure_events():
        error = event.step_failure_data.error
        chain = [error]
        while chain[-1].cause is not None:
            chain.append(chain[-1].cause)
        chosen = next((e for e in chain if e.cls_name == "SourceError"), chain[-1])
        if any(e.cls_name == "DagsterExecutionInterruptedError" for e in chain):
            reasons.append(f"{event.step_key}: interrupted (SIGINT or SIGTERM)")
            continue
        text = chosen.message.strip()
        _, found, dbt_errors = text.partition("Errors parsed from dbt logs:")
        text = dbt_errors if found else text.splitlines()[0]
        text = " ".join(line.strip() for line in text.splitlines() if line.strip())
        reasons.append(f"{event.step_key}: {_ERROR_CLASS.sub('', text)}")
    return reasons


_ERROR_CLASS = re.compile(r"^[\w.]+(Error|Exception): ")  # 'sources.errors.SourceError: '


def summary_lines(warehouse: Warehouse, result: dg.ExecuteInProcessResult) -> list[str]:
    lines = [f"run {result.run_id}: {'succeeded' if result.success else 'FAILED'}"]
    lines += [f"  failed: {reason}" for reason in failure_reasons(result)]
    log = warehouse.logs_dir / f"{result.run_id}.log"
    if not result.success and log.exists():
        lines.append(f"  full errors: {log}")
    evaluations = result.get_asset_check_evaluations()
    gates = [e for e in evaluations if e.check_name.startswith("gx_")]
    dbt_tests = [e for e in evaluations if not e.check_name.startswith("gx_")]
    failed_tests = [e.check_name for e in dbt_tests if not e.passed]
    passed_tests = len(dbt_tests) - len(failed_tests)
    lines.append(
        # asset checks are the dbt tests attached to one asset: fewer than the phase line's count
        f"dbt asset checks: {passed_tests} passed, {len(failed_tests)} failed"
        + (f" ({', '.join(failed_tests)})" if failed_tests else "")
    )
    for gate in gates:
        verdict = "passed" if gate.passed else f"FAILED: {gate.description}"
        lines.append(f"  GX gate {gate.asset_key.to_user_string()}: {verdict}")
    published = warehouse.published_db
    if not result.success:
        lines.append(served_line(published, "nothing published by this run"))
    if published.exists():
        with duckdb.connect(str(published), read_only=True) as con:
            lines.append(f"published database: {published}")
            for mart, rows in con.execute(
                "select mart, row_count from meta.publication order by mart"
            ).fetchall():
                lines.append(f"  marts.{mart}: {rows:,} rows")
            lines += coverage_lines(con)
    lines.append(f"parquet export: {warehouse.parquet_current}")
    atlas_index = warehouse.atlas_dir / "index.html"
    if atlas_index.exists():
        lines.append(f"atlas: {atlas_index}")
    lines.append(f"quality report: {warehouse.quality_dir(result.run_id) / 'report.json'}")
    lines.append(f"data docs: {warehouse.data_docs}")
    return lines


def served_line(published: Path, what_happened: str) -> str:
    """What readers of the published file get after a failed run: the last good version."""
    served = served_version(published)
    if served is None:
        return f"{what_happened}; no version has been published yet ({published})"
    run_id, published_at = served
    return (f"{what_happened}; still serving run {run_id}, published"
            f" {published_at.isoformat(timespec='seconds')} ({published})")


LEVELS = ("nation", "county", "township", "village")


def coverage_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Indicators with real (non-synthetic) values per domain and region level, the catalogue
    size and the newest real period of each domain, from the published marts."""
    catalogued = dict(con.execute(
        "select domain, count(*) from marts.dim_indicator group by domain"
    ).fetchall())
    reached: dict[tuple[str, str], int] = {}
    newest: dict[str, object] = {}
    for domain, level, indicators, last_period in con.execute(
        """
        select i.domain, r.region_level, count(distinct v.indicator_code), max(v.period)
        from marts.fct_indicator_value as v
        inner join marts.dim_indicator as i on i.indicator_code = v.indicator_code
        inner join marts.dim_region as r on r.region_code = v.region_code
        where not v.is_synthetic and v.scenario is null
        group by all
        """
    ).fetchall():
        reached[domain, level] = indicators
        newest[domain] = max(last_period, newest.get(domain, last_period))
    lines = ["indicators with real values, by domain and region level:",
             f"  {'domain':<11} {'catalogued':>10} " + " ".join(f"{x:>8}" for x in LEVELS)
             + "  newest real period"]
    for domain in sorted(catalogued):
        counts = " ".join(f"{reached.get((domain, level), 0):>8}" for level in LEVELS)
        lines.append(f"  {domain:<11} {catalogued[domain]:>10} {counts}  "
                     f"{newest.get(domain, '-')}")
    return lines


def generate_docs(resources: dict[str, dg.ConfigurableResource]) -> int:
    """dbt docs (catalogue and lineage) from the working database; builds it first if needed."""

    from orchestration.dbt_project import DBT_PROJECT, dbt_cli, dbt_docs_args, dbt_environment

    warehouse = resources["warehouse"]
    if not warehouse.work_db.exists():
        run_all(resources)
    dbt = dbt_cli()
    with dbt_environment(warehouse.root):
        invocation = dbt.cli(dbt_docs_args(), target_path=DBT_PROJECT.target_path)
    invocation.wait()
    index = DBT_PROJECT.project_dir / DBT_PROJECT.target_path / "index.html"
    print(f"dbt docs: {index}"
          " (serve with: .venv/bin/dbt docs serve --project-dir dbt_project"
          " --profiles-dir dbt_project)")
    return 0


def generate_atlas(warehouse: Warehouse) -> int:
    """The atlas from the published warehouse alone (what the `atlas` asset does in a run)."""
    published = warehouse.published_db
    if not published.exists():
        print(f"no published warehouse at {published}: run `make run` first", file=sys.stderr)
        return 1
    from orchestration.atlas import build_atlas

    built = build_atlas(published, warehouse.atlas_dir, quality_root=warehouse.quality_root,
                        data_docs=warehouse.data_docs)
    print(f"atlas: {built.out_dir / 'index.html'} ({built.pages} pages in {built.seconds:.1f} s;"
          f" largest {built.largest_page.name}, {built.largest_page_bytes / 1024:.0f} KiB)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.cli")
    parser.add_argument("command", choices=["run", "docs", "atlas"])
    command = parser.parse_args(argv).command
    collect_garbage_less_often()
    # SIGTERM (a supervisor, `kill`, a CI timeout) stops a run as Ctrl-C does: the published
    # file stays whole, temporary files are removed, the lock is released.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        resources = bound_resources(read_settings())
    except ValueError as exc:  # a setting that does not parse: the line names the variable
        print(f"refused: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    warehouse = resources["warehouse"]
    try:
        if command == "docs":
            return generate_docs(resources)
        if command == "atlas":
            return generate_atlas(warehouse)
        result = run_all(resources)
    except LockHeld as exc:  # one line, not a traceback; 75 = EX_TEMPFAIL, try again later
        print(f"refused: {exc}", file=sys.stderr)
        return 75
    except RunRefused as exc:
        print(f"run {exc.run_id}: FAILED: {exc}", file=sys.stderr)
        print(served_line(warehouse.published_db, "nothing published by this run"))
        return 1
    except KeyboardInterrupt:
        print(served_line(warehouse.published_db, "interrupted: nothing published by this run"),
              file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: still one line on the console, the traceback in a log
        log = write_log(warehouse, f"crash-{uuid.uuid4()}",
                        "".join(traceback.format_exception(exc)))
        print(f"run FAILED: {one_line(exc)} (traceback: {log})", file=sys.stderr)
        return 1
    print("\n".join(summary_lines(warehouse, result)))
    return 0 if result.success else 1


if __name__ == "__main__":
    status = main()
    # A run leaves millions of objects (Dagster's definitions, the dbt manifest, the run's
    # events) that the interpreter's exit would search for reference cycles: 1.4 s here.
    # Frozen, they are not searched; the process ends and its memory goes anyway.
    gc.freeze()
    sys.exit(status)
