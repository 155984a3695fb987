"""SIGTERM (what `kill`, a supervisor or a CI timeout sends) stops a run as cleanly as Ctrl-C:
sent to the CLI process alone, inside the publication window, in a subprocess as `make run`
starts it (narrowed to the publish step, in a home whose working database holds samples of
every mart: tests/faults/mart_samples.py). The published file stays the last good one, the
unrenamed file and the run's temporary folder are removed, the lock is released, and the
console shows no traceback."""

import fcntl
import os
import signal

import invariants as inv
import pytest
from test_faults_kill import Run, _parquet_manifest_written, staging_files

pytestmark = [pytest.mark.faults, pytest.mark.pipeline]


def test_sigterm_inside_the_publication_window(samples_home, case):
    home = samples_home
    last_good = inv.publication(home)
    current = (home / "warehouse" / "parquet" / "current").resolve()
    run = Run(home, narrowed_to="publish", TWRESAS_PUBLISH_PAUSE_SECONDS="120")
    run.wait_until(lambda: staging_files(home) and _parquet_manifest_written(home),
                   "the publication window")
    os.kill(run.process.pid, signal.SIGTERM)  # the process alone, not its group
    code = run.finish()
    assert code not in (0, -signal.SIGTERM), "SIGTERM must be handled, not kill the process"
    assert not [line for line in run.stdout + run.stderr if "Traceback" in line]
    printed = run.stdout + run.stderr
    assert any("interrupted" in line for line in printed), printed[-10:]
    inv.published_unchanged(case, home, last_good)
    assert not staging_files(home), "the unrenamed file must be removed"
    assert (home / "warehouse" / "parquet" / "current").resolve() == current
    with open(home / "warehouse" / ".run.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises if the lock was kept
    case.checked.append("stopped cleanly")
