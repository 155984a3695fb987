"""The checks that keep the `pipeline` marker true (tests/pipeline_marker.py)."""

from dataclasses import dataclass, field

import pytest
from pipeline_marker import UnmarkedPipelineWork, pipeline_work, unmarked_pipeline_tests


@dataclass
class Item:
    nodeid: str
    fixturenames: list[str]
    markers: set[str] = field(default_factory=set)

    def get_closest_marker(self, name):
        return name if name in self.markers else None


def popen(*argv: str) -> tuple:
    return (argv[0], list(argv), None, None)  # the subprocess.Popen audit event's arguments


@pytest.mark.parametrize("event, args, work", [
    ("subprocess.Popen", popen("/repo/.venv/bin/dbt", "build", "--select", "x"), "dbt build"),
    ("subprocess.Popen", popen("/repo/.venv/bin/python", "-u", "-m", "orchestration.cli", "run"),
     "a pipeline run in a subprocess"),
    ("subprocess.Popen", popen("python", "/repo/tests/warehouse_runs.py", "publish"),
     "a pipeline run in a subprocess"),
    ("open", ("/tmp/home/warehouse/.run.lock", "w", 0), "a pipeline run"),
    ("subprocess.Popen", popen("/repo/.venv/bin/dbt", "parse", "--quiet"), None),
    ("subprocess.Popen", popen("/repo/.venv/bin/dbt", "--version"), None),
    ("subprocess.Popen", popen("git", "ls-files"), None),
    ("open", ("/tmp/home/warehouse/.publish.lock", "w", 0), None),
])
def test_pipeline_work_is_recognised(event, args, work):
    found = pipeline_work(event, args)
    assert (found is None) if work is None else found.startswith(work)


def test_a_test_without_the_marker_is_stopped_at_the_call():
    check = UnmarkedPipelineWork()
    check.running.append(Item("tests/test_x.py::test_quick", []))
    with pytest.raises(RuntimeError, match="test_quick starts dbt build without the `pipeline`"):
        check("subprocess.Popen", popen("dbt", "build"))
    check.running[-1].markers.add("pipeline")
    check("subprocess.Popen", popen("dbt", "build"))  # marked: allowed
    check.running.clear()
    check("subprocess.Popen", popen("dbt", "build"))  # outside a test (collection): allowed


def test_collection_names_the_unmarked_tests_that_use_the_pipeline():
    items = [Item("a::reads_published", ["published", "pipeline_home"]),
             Item("a::marked", ["pipeline_home"], {"pipeline"}),
             Item("a::builds_with_dbt", ["dbt_cli"]),
             Item("a::unit", ["tmp_path"])]
    assert unmarked_pipeline_tests(items) == ["a::reads_published", "a::builds_with_dbt"]
