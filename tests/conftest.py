"""Shared fixtures. Every test writes under its own TWRESAS_HOME, never into the checkout.

The whole pipeline runs once per session (`pipeline_home`); tests read what it built and
published, and a test that must change a warehouse gets a file copy of it (`pipeline_copy`).
Tests that need it, or that run dbt or the pipeline themselves, are marked `pipeline`;
`make test-quick` runs the others; tests/pipeline_marker.py keeps the marker true.
"""

import contextlib
import io
import json
import os
import shutil
import sys
from pathlib import Path

import duckdb
import jsonschema
import pytest
from pipeline_marker import UnmarkedPipelineWork, unmarked_pipeline_tests

from orchestration.gc_thresholds import collect_garbage_less_often

PROJECT_ROOT = Path(__file__).resolve().parent.parent
REPORT_SCHEMA = json.loads((PROJECT_ROOT / "orchestration" / "report.schema.json").read_text())


def _refuse_constant(name: str):
    raise ValueError(f"not strict JSON: {name}")


def load_strict_json(path: Path) -> dict:
    """json.loads refusing NaN, Infinity and -Infinity (RFC 8259 has none of them)."""
    return json.loads(path.read_text(encoding="utf-8"), parse_constant=_refuse_constant)


def validate_quality_report(path: Path) -> dict:
    """A run's report.json as an auditor's tool reads it: strict JSON, valid against the schema."""
    report = load_strict_json(path)
    jsonschema.Draft202012Validator(
        REPORT_SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(report)
    return report


def assert_quality_reports_valid(root: Path) -> None:
    """Every report.json under `root` is strict and schema-valid."""
    for path in sorted(root.rglob("quality/*/report.json")):
        try:
            validate_quality_report(path)
        except (ValueError, jsonschema.ValidationError) as exc:
            pytest.fail(f"invalid quality report {path}: {str(exc).splitlines()[0]}")


@pytest.fixture(scope="session", autouse=True)
def every_quality_report_is_valid(tmp_path_factory):
    """After the session: every report.json left in the session's folders is valid. A passing
    test's tmp_path is removed when it ends (tmp_path_retention_policy = "failed", so a
    session's copies of the warehouse do not fill the disk): `twresas_home` checks its
    reports before that."""
    yield
    assert_quality_reports_valid(tmp_path_factory.getbasetemp())


@pytest.fixture
def twresas_home(tmp_path, monkeypatch) -> Path:
    """A temporary home in the environment, for what a user runs (the CLI, the code location,
    plain-Python fetches), which reads its settings there; its quality reports are checked
    when the test ends."""
    monkeypatch.setenv("TWRESAS_HOME", str(tmp_path))
    monkeypatch.setenv("TWRESAS_GX_ROOT", str(tmp_path / "expectations"))
    monkeypatch.setenv("TWRESAS_SOURCE_MODE", "snapshot")
    yield tmp_path
    assert_quality_reports_valid(tmp_path)


@pytest.fixture
def warehouse(twresas_home):
    """The `warehouse` resource of the temporary home, for code that is given one."""
    from orchestration.resources import Warehouse

    return Warehouse(home=str(twresas_home), gx_root=str(twresas_home / "expectations"))


def environment_resources() -> dict:
    """The resources bound from the environment's settings, as the code location binds them
    (for a sensor context, which gets none from the repository)."""
    from orchestration.resources import bound_resources
    from sources.settings import read_settings

    return bound_resources(read_settings())


@pytest.fixture
def live_mode(twresas_home, monkeypatch) -> Path:
    """Live mode with no back-off, for tests against a local HTTP server."""
    monkeypatch.setenv("TWRESAS_SOURCE_MODE", "live")
    monkeypatch.setenv("TWRESAS_HTTP_BACKOFF", "0")
    monkeypatch.setenv("TWRESAS_HTTP_READ_TIMEOUT", "2")
    return twresas_home


def _file_states(home: Path) -> dict[str, tuple[int, int]]:
    return {str(path.relative_to(home)): (path.stat().st_size, path.stat().st_mtime_ns)
            for folder in ("landing", "warehouse") for path in (home / folder).rglob("*")
            if path.is_file()}


def build_pipeline_home(home: Path) -> None:
    """The whole pipeline, offline, as `make run` runs it, into `home`; its console is kept in
    console.txt (test_pipeline reads the phase lines)."""
    from orchestration.cli import run_all
    from orchestration.event_log import INSTANCE_CONFIG
    from orchestration.resources import Http, Warehouse

    (home / "dagster_home").mkdir(parents=True)
    shutil.copy(INSTANCE_CONFIG, home / "dagster_home")
    saved = os.environ.get("DAGSTER_HOME")
    os.environ["DAGSTER_HOME"] = str(home / "dagster_home")  # as `make run`: the UI's instance
    console = io.StringIO()
    try:
        with contextlib.redirect_stdout(console):
            result = run_all({
                "warehouse": Warehouse(home=str(home), gx_root=str(home / "expectations")),
                "http": Http(mode="snapshot"),
            })
    finally:
        if saved is None:
            os.environ.pop("DAGSTER_HOME", None)
        else:
            os.environ["DAGSTER_HOME"] = saved
    (home / "console.txt").write_text(console.getvalue(), encoding="utf-8")
    if not result.success:
        raise RuntimeError("the offline pipeline run failed:\n" + console.getvalue()[-3000:])
    assert_quality_reports_valid(home)


@pytest.fixture(scope="session")
def dbt_step_parses_partially(tmp_path_factory):
    """The dbt step of this process's runs, and of the runs a test starts in a subprocess
    through tests/warehouse_runs.py, parses partially (warehouse_runs.dbt_through_link): about
    1 s against 5-8 s for a full parse."""
    from warehouse_runs import DBT_LINK, DBT_TARGET, dbt_through_link

    root = tmp_path_factory.mktemp("dbt_step")
    link, target = root / "home", root / "target"
    target.mkdir()
    with dbt_through_link(link, target), pytest.MonkeyPatch.context() as patch:
        patch.setenv(DBT_LINK, str(link))
        patch.setenv(DBT_TARGET, str(target))
        yield


@pytest.fixture(scope="session")
def pipeline_home(tmp_path_factory, worker_id, dbt_step_parses_partially) -> Path:
    """The whole pipeline run once per session, offline, as `make run` runs it; tests read what
    it built and published, and copy it to change it (`pipeline_copy`). Under pytest-xdist
    the workers share one build (the first to need it builds it, under a file lock, while the
    other waits): after each worker's tests, a file of its landing zone or warehouse that
    changed fails the session."""
    from orchestration.publish import exclusive_lock

    base = tmp_path_factory.getbasetemp()
    shared = base if worker_id == "master" else base.parent  # xdist: the workers' common root
    home, states = shared / "pipeline", shared / "pipeline.json"
    failure = shared / "pipeline.failed"
    with exclusive_lock(shared / "pipeline.lock"):
        if failure.exists():
            pytest.fail(failure.read_text(encoding="utf-8"))
        if not states.exists():
            try:
                build_pipeline_home(home)
            except Exception as exc:
                failure.write_text(str(exc), encoding="utf-8")
                raise
            states.write_text(json.dumps(_file_states(home)), encoding="utf-8")
    built = {name: tuple(state) for name, state in json.loads(states.read_text()).items()}
    yield home
    changed = sorted(set(built.items()) ^ set(_file_states(home).items()))
    if changed:
        pytest.fail(f"a test changed the session's pipeline home {home} (copy it instead: "
                    f"pipeline_copy): {sorted({name for name, _ in changed})[:5]}")


@pytest.fixture
def pipeline_copy(twresas_home, pipeline_home) -> Path:
    """A whole home after a good run (landing zone, work and published databases, GX), copied
    file by file from the session's run, for a test that changes it."""
    for name in ("landing", "warehouse", "expectations"):
        shutil.copytree(pipeline_home / name, twresas_home / name, symlinks=True)
    return twresas_home


@pytest.fixture(scope="session")
def dbt_cli(tmp_path_factory):
    """dbt_cli(home, *args): a dbt command against the working database under `home`, in this
    process (dbt's programmatic entry point) on the manifest parsed at the first call: a dbt
    process per command took 6 s, half of it starting the interpreter and reading the saved
    parse, against about 3 s here. dbt sees every home through one symlink, so the connection
    the manifest was parsed with is every home's. With --select, the indirect selection is
    cautious: a singular test that also reads models outside the selection is not run."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.cli.main import dbtRunner
    from warehouse_runs import point_link

    from orchestration.dbt_project import DBT_PROJECT_DIR

    root = tmp_path_factory.mktemp("dbt")
    link = root / "home"
    paths = ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
             "--target-path", str(root / "target"), "--log-path", str(root / "logs")]
    parsed = []

    def invoke(runner, args: list[str]):
        try:
            outcome = runner.invoke([*args, "--quiet", *paths])
        finally:
            # dbt-duckdb keeps its database open for the next command with the same profile:
            # the next home is another file behind the same path
            DuckDBConnectionManager.close_all_connections()
        failed = [f"{r.node.name}: {r.message}" for r in getattr(outcome.result, "results", [])
                  if r.status in ("error", "fail")]
        assert outcome.success, f"dbt {' '.join(args)}: {outcome.exception or failed}"
        return outcome.result

    def run(home: Path, *args: str):
        point_link(link, home)
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("TWRESAS_HOME", str(link))
            if not parsed:
                parsed.append(invoke(dbtRunner(), ["parse"]))
            return invoke(dbtRunner(manifest=parsed[0]), [
                *args, *(["--indirect-selection", "cautious"] if "--select" in args else [])])

    return run


@pytest.fixture(scope="session")
def published(pipeline_home):
    """A read-only connection to the published database, as a BI tool opens it."""
    con = duckdb.connect(str(pipeline_home / "warehouse" / "tw_resas.duckdb"), read_only=True)
    yield con
    con.close()


# ------------------------------------------------------------------ the `pipeline` marker

UNMARKED_PIPELINE_WORK = UnmarkedPipelineWork()


def pytest_configure(config):
    sys.addaudithook(UNMARKED_PIPELINE_WORK)
    collect_garbage_less_often()  # the runs and dbt builds tests start in process, too


# The pipeline files whose tests take longest (make test's --durations), longest first.
# pytest-xdist hands whole files to its two workers in collection order (make test: --dist
# loadfile --no-loadscope-reorder), so a long file never starts last while the other idles.
SLOWEST_FILES = ("test_value_history.py", "faults/test_faults_kill.py",
                 "faults/test_faults_pipeline.py", "test_real_estate_warehouse.py",
                 "test_tourism_warehouse.py", "faults/test_faults_readers.py")


def schedule_rank(item, pipeline_files: set[Path]) -> tuple[int, int]:
    """The slowest pipeline file first: the first worker starts the session's build at once
    and goes on with that file, while the other runs the files that need no pipeline; then
    the other slow pipeline files, then the rest, each group in its collected order."""
    path = item.path.relative_to(Path(__file__).parent).as_posix()
    slowest = SLOWEST_FILES.index(path) if path in SLOWEST_FILES else len(SLOWEST_FILES)
    if item.path not in pipeline_files:
        return (1, 0)
    return (0, 0) if slowest == 0 else (2, slowest)


# Files pytest-xdist hands to one worker together, as one work unit:
# - those that read the fault suite's damaged build (damaged_run, tests/faults/conftest.py), so
#   one worker builds it, once (as a file each, every worker that got one of them built its
#   own, about a minute each);
# - those whose tests run GX in the worker, so one worker imports GX (3-6 s), not both. Every
#   worker collects every file, so these import expectations.gate (and so GX) where they
#   use it, not at collection (`gxe` imports GX's expectations on first use).
WORK_UNITS = {
    **{f"tests/faults/test_faults_{name}.py": "damaged_run"
       for name in ("pipeline", "township", "population_counts", "repeats")},
    **{f"tests/{name}.py": "gx_in_worker"
       for name in ("expectations/test_gate_frame", "expectations/test_generated_rules",
                    "expectations/test_lazy_gx", "expectations/test_owners",
                    "orchestration/test_data_docs")},
}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class WorkUnits(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = super()._split_scope(nodeid)
            return WORK_UNITS.get(path, path)

    return WorkUnits(config, log)


def pytest_collection_modifyitems(config, items):
    unmarked = unmarked_pipeline_tests(items)
    if unmarked:
        raise pytest.UsageError(
            f"{len(unmarked)} test(s) use the pipeline run without the `pipeline` marker "
            f"(add pytestmark = pytest.mark.pipeline): {', '.join(unmarked[:5])}")
    pipeline_files = {item.path for item in items if item.get_closest_marker("pipeline")}
    items.sort(key=lambda item: schedule_rank(item, pipeline_files))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    UNMARKED_PIPELINE_WORK.running.append(item)
    try:
        return (yield)
    finally:
        UNMARKED_PIPELINE_WORK.running.pop()


# ------------------------------------------------------------------ the fault suite's summary

FAULT_CASES: list[dict] = []  # from the reports (tests/faults/conftest.py), xdist's workers' too


def pytest_runtest_logreport(report):
    FAULT_CASES.extend(value for name, value in report.user_properties if name == "fault_case")


def pytest_terminal_summary(terminalreporter):
    if not FAULT_CASES:
        return
    survived = [c for c in FAULT_CASES if c["survived"]]
    checks: dict[str, int] = {}
    for fault_case in FAULT_CASES:
        for check in fault_case["checked"]:
            checks[check] = checks.get(check, 0) + 1
    rows_in = sum(c["rows_in"] for c in FAULT_CASES)
    write = terminalreporter.write_line
    terminalreporter.section("fault injection (issue 5)")
    write(
        f"faults injected: {len(FAULT_CASES)}, survived: {len(survived)}, rows in: {rows_in:,}, "
        f"rows lost: {rows_in - sum(c['rows_accounted'] for c in FAULT_CASES):,}"
    )
    write("invariant checks passed: " + ", ".join(f"{k} {v}" for k, v in sorted(checks.items())))
    for fault_case in FAULT_CASES:
        if not fault_case["survived"]:
            write(f"NOT SURVIVED: {fault_case['fault']}")
