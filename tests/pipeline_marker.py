"""Keeping the `pipeline` marker true (tests/conftest.py applies both checks): a test that
asks for a fixture built on the session's pipeline run, or that starts dbt or a pipeline run,
must carry it, since `make test-quick` runs every test without it.

At collection, a test is refused when it asks for PIPELINE_FIXTURES (directly or through
another fixture) without the marker. While tests run, an audit hook (sys.addaudithook) sees
every process started and every file opened, and fails the test that starts dbt or a run
without the marker, at that call.
"""

from pathlib import Path

# every fixture built on a pipeline run asks for pipeline_home; dbt_cli runs dbt
PIPELINE_FIXTURES = {"pipeline_home", "dbt_cli"}


def unmarked_pipeline_tests(items) -> list[str]:
    """The node ids of the tests that use a pipeline fixture without the marker."""
    return [item.nodeid for item in items if PIPELINE_FIXTURES & set(item.fixturenames)
            and item.get_closest_marker("pipeline") is None]


def pipeline_work(event: str, args: tuple) -> str | None:
    """What an audit event starts, if it is dbt or a pipeline run: dbt in a subprocess (but
    `dbt parse`, which prepares the manifest, and `dbt --version`, which reads nothing), the CLI or
    tests/warehouse_runs.py in a subprocess, or run_all in process (it takes the run lock)."""
    if event == "subprocess.Popen":
        argv = args[1] if isinstance(args[1], list | tuple) else str(args[1]).split()
        argv = [str(arg) for arg in argv]
        if argv and Path(argv[0]).name == "dbt" and argv[1:2] not in (["parse"], ["--version"]):
            return f"dbt {' '.join(argv[1:3])}"
        if "orchestration.cli" in argv or any(arg.endswith("warehouse_runs.py") for arg in argv):
            return "a pipeline run in a subprocess"
    elif event == "open" and isinstance(args[0], str | Path) and str(args[0]).endswith(
            "/.run.lock"):
        return "a pipeline run (orchestration.cli.run_all)"
    return None


class UnmarkedPipelineWork:
    """The audit hook: `running` holds the test being run (pushed and popped by the runtest
    hook); an event that starts pipeline work during a test without the marker raises."""

    def __init__(self):
        self.running: list = []

    def __call__(self, event: str, args: tuple) -> None:
        if event not in ("subprocess.Popen", "open") or not self.running:
            return
        item = self.running[-1]
        if item.get_closest_marker("pipeline") is not None:
            return
        work = pipeline_work(event, args)
        if work is not None:
            raise RuntimeError(f"{item.nodeid} starts {work} without the `pipeline` marker "
                               "(make test-quick would run it)")
