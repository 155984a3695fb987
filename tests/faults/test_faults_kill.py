"""The process killed (SIGKILL) during the build and during publication, a second run started
while one is going, then a rerun, in a copy of a good home: the CLI's run in subprocesses, as
`make run` starts it, narrowed to the steps the kills aim at (tests/warehouse_runs.py: the
dbt build of the marts, then the publish step), since the home holds its raw tables already;
the second run is `python -m orchestration.cli run` itself.

The whole process group is killed (dbt runs as a child process), as a supervisor, a CI
timeout or the OOM killer of a container would. TWRESAS_PUBLISH_PAUSE_SECONDS (a test-only
hook in orchestration/publish.py) holds the finished file just before the rename, so the kill
lands inside the publication window every time.
"""

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import invariants as inv
import pytest
import warehouse_runs
from warehouse_runs import marts_selection, narrowed

from orchestration.cli import run_all
from orchestration.publish import LockHeld, exclusive_lock
from sources.settings import PROJECT_ROOT

pytestmark = [pytest.mark.faults, pytest.mark.pipeline]

TIMEOUT = 600  # seconds for any one stage, on a loaded 2-core machine


class Run:
    """One CLI run in its own process group: `python -m orchestration.cli run`, or narrowed to
    the selection `narrowed_to` names (warehouse_runs.SELECTIONS); output is collected."""

    def __init__(self, home: Path, narrowed_to: str | None = None, **env: str):
        environment = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
        # a killed run cannot remove its temporary files (the gate server's socket folder):
        # they stay in the test's folder, which pytest removes, not in the machine's /tmp
        temporary = home / "tmp"
        temporary.mkdir(exist_ok=True)
        environment.update(
            TMPDIR=str(temporary),
            TWRESAS_HOME=str(home),
            TWRESAS_GX_ROOT=str(home / "expectations"),
            TWRESAS_SOURCE_MODE="snapshot",
            PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            PYTHONPATH=str(PROJECT_ROOT),
            **env,
        )
        command = (["-m", "orchestration.cli", "run"] if narrowed_to is None
                   else [warehouse_runs.__file__, narrowed_to])
        self.process = subprocess.Popen(
            [sys.executable, "-u", *command], cwd=PROJECT_ROOT,
            env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=True,
        )
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._readers = [
            threading.Thread(target=self._collect, args=(stream, lines), daemon=True)
            for stream, lines in ((self.process.stdout, self.stdout),
                                  (self.process.stderr, self.stderr))
        ]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _collect(stream, lines):
        for line in stream:
            lines.append(line.rstrip("\n"))

    def wait_until(self, condition, what: str) -> None:
        deadline = time.monotonic() + TIMEOUT
        while not condition():
            if self.process.poll() is not None:
                self.kill()
                pytest.fail(f"the run ended ({self.process.returncode}) before {what}:\n"
                            + "\n".join((self.stdout + self.stderr)[-30:]))
            if time.monotonic() > deadline:
                self.kill()
                pytest.fail(f"timed out waiting for {what}")
            time.sleep(0.05)

    def printed(self, pattern: str) -> bool:
        return any(re.search(pattern, line) for line in list(self.stdout))

    def kill(self) -> int:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        return self.finish()

    def finish(self) -> int:
        code = self.process.wait(timeout=TIMEOUT)
        for reader in self._readers:
            reader.join(timeout=10)
        return code


# the console names the file that gets dbt's line per node
DBT_LOG_LINE = r"dbt build: its line per model and test goes to (\S+)$"


def staging_files(home: Path) -> list[Path]:
    return sorted((home / "warehouse").glob(".tw_resas.*.duckdb*"))


def test_killed_during_build_and_publication_then_rerun(pipeline_copy, new_case):
    home = pipeline_copy
    last_good = inv.publication(home)
    killed_in_build = new_case("SIGKILL during the dbt build, then rerun")
    second_run = new_case("a second run started while one is going")
    killed_in_publish = new_case("SIGKILL inside the publication window, then rerun")

    # 1. killed while dbt builds the marts in the work database
    run = Run(home, narrowed_to="marts")
    run.wait_until(lambda: run.printed(DBT_LOG_LINE), "dbt starting")
    dbt_log = Path(next(re.search(DBT_LOG_LINE, line)[1] for line in run.stdout
                        if re.search(DBT_LOG_LINE, line)))
    # the console names the log just before dbt's first line creates it
    run.wait_until(lambda: dbt_log.exists()
                   and "START sql table model marts." in dbt_log.read_text(),
                   "dbt building marts")
    assert run.kill() == -signal.SIGKILL
    inv.published_unchanged(killed_in_build, home, last_good)
    assert not staging_files(home)

    # 2. the rerun; a second run started meanwhile is refused in one line and changes nothing
    rerun = Run(home, narrowed_to="publish", TWRESAS_PUBLISH_PAUSE_SECONDS="120")
    rerun.wait_until(lambda: rerun.printed(r"^warehouse: \d+ steps"),
                     "the rerun holding its lock")
    second = Run(home)
    assert second.finish() == 75
    refusal = [line for line in second.stderr if line.strip()]
    assert len(refusal) == 1, second.stderr
    inv.error_is_one_line(second_run, refusal[0], source_id="another TW-RESAS run",
                          location=str(home / "warehouse" / ".run.lock"),
                          problem="wait for it to finish")
    assert second.stdout == []
    inv.published_unchanged(second_run, home, last_good)

    # 3. the rerun is killed holding the finished file, before the rename
    rerun.wait_until(lambda: staging_files(home) and _parquet_manifest_written(home),
                     "the publication window")
    assert rerun.kill() == -signal.SIGKILL
    assert staging_files(home), "the kill should leave the unrenamed file behind"
    inv.published_unchanged(killed_in_publish, home, last_good)

    # 4. rerun in process: dbt rebuilds the marts the first kill interrupted, the gates pass, it
    #    publishes, removes the dead publisher's file, and (same inputs) publishes exactly the
    #    content of the last good run: idempotent
    os.environ.pop("TWRESAS_PUBLISH_PAUSE_SECONDS", None)
    with narrowed(marts_selection()):
        result = run_all()
    assert result.success
    after = inv.published_by_gated_run(killed_in_publish, home, result)
    assert not staging_files(home)
    assert after.marts == last_good.marts, "same inputs must publish the same content hashes"
    killed_in_publish.checked.append("idempotent rerun")
    killed_in_build.checked.append("rerun publishes")


def test_a_second_run_is_refused_before_it_loads_anything(home, case, monkeypatch):
    """Refused while the lock is held, before the definitions are built or the gate server
    started (both take seconds; the refusal need not)."""
    def started(what):
        def fail(*args):
            raise AssertionError(f"a refused run {what}")
        return fail

    monkeypatch.setattr("orchestration.definitions.build_definitions", started("loaded"))
    monkeypatch.setattr("orchestration.cli.start_gate_server", started("started GX"))
    last_good = inv.publication(home)
    with exclusive_lock(home / "warehouse" / ".run.lock"), pytest.raises(LockHeld) as refused:
        run_all()
    inv.error_is_one_line(case, str(refused.value), source_id="another TW-RESAS run",
                          location=str(home / "warehouse" / ".run.lock"),
                          problem="wait for it to finish")
    inv.published_unchanged(case, home, last_good)


def _parquet_manifest_written(home: Path) -> bool:
    """The publisher has written its Parquet manifest: the next step is the pause."""
    root = home / "warehouse" / "parquet"
    current = (root / "current").resolve()
    return any(p.parent.resolve() != current for p in root.glob("*/manifest.json"))
