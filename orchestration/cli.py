"""`python -m orchestration.cli run`: what `make run` does. Materialises every asset in process
(offline by default), gates the marts, publishes, and prints a summary."""

import argparse
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

from expectations.gate import data_docs_index
from orchestration.audit import write_run_report
from orchestration.lib import published_db_path, quality_dir, settings
from orchestration.publish import (
    LockHeld,
    exclusive_lock,
    repair_parquet_current,
    served_version,
)
from sources.errors import SourceError
from sources.landing import LandingZone

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


def write_log(run_id: str, text: str) -> Path:
    folder = settings.logs_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{run_id}.log"
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text if text.endswith("\n") else text + "\n")
    return path


def refuse_run(what: str, exc: BaseException) -> RunRefused:
    """Report a run stopped outside its jobs: log, run report, and the one-line error."""
    run_id = str(uuid.uuid4())
    message = f"{what}: {one_line(exc)}"
    log = write_log(run_id, message + "\n" + "".join(traceback.format_exception(exc)))
    write_run_report(run_id, published=None, refusal=message)
    return RunRefused(f"{message} (details: {log})", run_id, log)


def log_failures(result: dg.ExecuteInProcessResult) -> Path | None:
    """The full error of every failed step of `result`, in warehouse/logs/<run id>.log."""
    failures = result.get_step_failure_events()
    if not failures:
        return None
    return write_log(result.run_id, "".join(
        f"step {event.step_key} failed:\n{event.step_failure_data.error.to_string()}\n"
        for event in failures
    ))


@contextmanager
def run_temp_dir():
    """The run's temporary files (unzipped chunks...) in a folder of its own under the system
    temp dir, one per home: emptied at the start, so what a killed run left there is removed
    by the next one (the run lock is held, so no other run of this home is using it)."""
    home_id = uuid.uuid5(uuid.NAMESPACE_URL, str(settings.home())).hex[:12]
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


def run_all() -> dg.ExecuteInProcessResult:
    """Each release job for the releases to load (partitioned sources), then the warehouse job.
    Returns the warehouse run (or the first failed release run)."""
    from orchestration.definitions import defs
    from orchestration.lib import RELEASE_KEYS

    settings.home()  # a relative TWRESAS_HOME is made absolute once, before dbt reads it
    definitions = defs()
    instance = dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else None
    with exclusive_lock(settings.warehouse_dir() / ".run.lock", wait=False), run_temp_dir():
        incomplete = LandingZone().remove_incomplete()
        if incomplete:
            print(f"removed {len(incomplete)} incomplete landing file(s) a stopped run left "
                  f"(.incoming-*, no manifest row)", flush=True)
        repaired = repair_parquet_current(published_db_path())
        if repaired:
            print(f"parquet/current repointed to {repaired.name}, the published version (the "
                  "last publisher stopped between the two)", flush=True)
        for job_name, keys_to_run in RELEASE_KEYS.items():
            try:
                keys = keys_to_run()
            except Exception as exc:
                raise refuse_run(f"release {job_name}: cannot list the releases to run",
                                 exc) from exc
            job = definitions.resolve_job_def(job_name)
            for key in keys:
                print(f"{job_name} [{key}]", flush=True)
                result = job.execute_in_process(
                    partition_key=key, instance=instance, raise_on_error=False,
                    run_config=QUIET_CONSOLE,
                )
                if not result.success:
                    log_failures(result)
                    reasons = "; ".join(failure_reasons(result))
                    write_run_report(result.run_id, published=None,
                                     refusal=f"release {job_name} [{key}] failed: {reasons}")
                    return result
        warehouse = definitions.resolve_job_def("warehouse")
        print(f"warehouse: {len(warehouse.graph.node_defs)} steps", flush=True)
        result = warehouse.execute_in_process(
            instance=instance, raise_on_error=False, run_config=QUIET_CONSOLE
        )
        if not result.success:
            log_failures(result)
            failed = [e.asset_key.to_user_string() for e in result.get_asset_check_evaluations()
                      if not e.passed]
            refusal = (f"gate failed: {', '.join(failed)}" if failed
                       else "; ".join(failure_reasons(result))
                       or "a step failed before publication")
            write_run_report(result.run_id, published=None, refusal=refusal)
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


def summary_lines(result: dg.ExecuteInProcessResult) -> list[str]:
    lines = [f"run {result.run_id}: {'succeeded' if result.success else 'FAILED'}"]
    lines += [f"  failed: {reason}" for reason in failure_reasons(result)]
    log = settings.logs_dir() / f"{result.run_id}.log"
    if not result.success and log.exists():
        lines.append(f"  full errors: {log}")
    evaluations = result.get_asset_check_evaluations()
    gates = [e for e in evaluations if e.check_name.startswith("gx_")]
    dbt_tests = [e for e in evaluations if not e.check_name.startswith("gx_")]
    failed_tests = [e.check_name for e in dbt_tests if not e.passed]
    passed_tests = len(dbt_tests) - len(failed_tests)
    lines.append(
        f"dbt tests: {passed_tests} passed, {len(failed_tests)} failed"
        + (f" ({', '.join(failed_tests)})" if failed_tests else "")
    )
    for gate in gates:
        verdict = "passed" if gate.passed else f"FAILED: {gate.description}"
        lines.append(f"  GX gate {gate.asset_key.to_user_string()}: {verdict}")
    published = published_db_path()
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
    lines.append(f"parquet export: {published.parent / 'parquet' / 'current'}")
    atlas_index = published.parent / "atlas" / "index.html"
    if atlas_index.exists():
        lines.append(f"atlas: {atlas_index}")
    lines.append(f"quality report: {quality_dir(result.run_id) / 'report.json'}")
    lines.append(f"data docs: {data_docs_index()}")
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


def generate_docs() -> int:
    """dbt docs (catalogue and lineage) from the working database; builds it first if needed."""
    from dagster_dbt import DbtCliResource

    from orchestration.lib import DBT_PROJECT, dbt_docs_args, dbt_executable, work_db_path

    if not work_db_path().exists():
        run_all()
    dbt = DbtCliResource(project_dir=DBT_PROJECT, dbt_executable=dbt_executable())
    dbt.cli(dbt_docs_args(), target_path=DBT_PROJECT.target_path).wait()
    index = DBT_PROJECT.project_dir / DBT_PROJECT.target_path / "index.html"
    print(f"dbt docs: {index}"
          " (serve with: .venv/bin/dbt docs serve --project-dir dbt_project"
          " --profiles-dir dbt_project)")
    return 0


def generate_atlas() -> int:
    """The atlas from the published warehouse alone (what the `atlas` asset does in a run)."""
    from orchestration.defs.atlas import atlas_dir

    published = published_db_path()
    if not published.exists():
        print(f"no published warehouse at {published}: run `make run` first", file=sys.stderr)
        return 1
    from orchestration.atlas import build_atlas

    built = build_atlas(published, atlas_dir(), quality_root=settings.warehouse_dir() / "quality",
                        data_docs=data_docs_index())
    print(f"atlas: {built.out_dir / 'index.html'} ({built.pages} pages in {built.seconds:.1f} s;"
          f" largest {built.largest_page.name}, {built.largest_page_bytes / 1024:.0f} KiB)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.cli")
    parser.add_argument("command", choices=["run", "docs", "atlas"])
    command = parser.parse_args(argv).command
    # SIGTERM (a supervisor, `kill`, a CI timeout) stops a run as Ctrl-C does: the published
    # file stays whole, temporary files are removed, the lock is released.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        if command == "docs":
            return generate_docs()
        if command == "atlas":
            return generate_atlas()
        result = run_all()
    except LockHeld as exc:  # one line, not a traceback; 75 = EX_TEMPFAIL, try again later
        print(f"refused: {exc}", file=sys.stderr)
        return 75
    except RunRefused as exc:
        print(f"run {exc.run_id}: FAILED: {exc}", file=sys.stderr)
        print(served_line(published_db_path(), "nothing published by this run"))
        return 1
    except KeyboardInterrupt:
        print(served_line(published_db_path(), "interrupted: nothing published by this run"),
              file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: still one line on the console, the traceback in a log
        log = write_log(f"crash-{uuid.uuid4()}", "".join(traceback.format_exception(exc)))
        print(f"run FAILED: {one_line(exc)} (traceback: {log})", file=sys.stderr)
        return 1
    print("\n".join(summary_lines(result)))
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
