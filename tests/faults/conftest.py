"""Fixtures of the fault-injection suite (issue 5) and the summary it prints.

Every case runs in its own TWRESAS_HOME holding a copy of the last good publication (from
the offline pipeline run of tests/conftest.py), so invariant 3 always has something to protect.
"""

import shutil
from pathlib import Path

import pytest
from invariants import CASES, FaultCase

from sources import catalog
from sources.settings import SNAPSHOT_DIR


@pytest.fixture(scope="session")
def last_good_home(pipeline_home, tmp_path_factory) -> Path:
    """A copy of the offline run's home, taken before any case can touch it."""
    home = tmp_path_factory.mktemp("last_good")
    for name in ("landing", "warehouse", "expectations"):
        shutil.copytree(pipeline_home / name, home / name, symlinks=True)
    return home


@pytest.fixture
def new_case(request):
    """new_case(fault) -> the record of one fault case of this test, for the summary; the
    test's outcome decides whether it survived."""
    request.node.fault_cases = []

    def _new_case(fault: str) -> FaultCase:
        fault_case = FaultCase(fault=fault)
        CASES.append(fault_case)
        request.node.fault_cases.append(fault_case)
        return fault_case

    return _new_case


@pytest.fixture
def case(request, new_case) -> FaultCase:
    """The record of this test's one fault case."""
    return new_case(request.node.name)


@pytest.fixture
def home(twresas_home, last_good_home) -> Path:
    """A home whose warehouse holds (a copy of) the last good published database."""
    (twresas_home / "warehouse").mkdir()
    shutil.copy2(last_good_home / "warehouse" / "tw_resas.duckdb", twresas_home / "warehouse")
    return twresas_home


@pytest.fixture
def pipeline_copy(twresas_home, last_good_home) -> Path:
    """A whole home after a good run (landing zone, work and published databases, GX)."""
    for name in ("landing", "warehouse", "expectations"):
        shutil.copytree(last_good_home / name, twresas_home / name, symlinks=True)
    return twresas_home


@pytest.fixture
def live(home, live_mode) -> Path:
    """Live mode (no back-off, 2 s read timeout) in a home with a last good publication."""
    return home


@pytest.fixture
def snapshots(tmp_path, monkeypatch) -> Path:
    """A copy of the bundled snapshots that snapshot mode serves, for a case to damage."""
    root = tmp_path / "snapshots"
    shutil.copytree(SNAPSHOT_DIR, root)
    monkeypatch.setattr(catalog, "SNAPSHOT_DIR", root)
    return root


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        for fault_case in getattr(item, "fault_cases", []):
            fault_case.survived = report.passed
    return report


def pytest_terminal_summary(terminalreporter):
    if not CASES:
        return
    survived = [c for c in CASES if c.survived]
    checks: dict[str, int] = {}
    for fault_case in CASES:
        for check in fault_case.checked:
            checks[check] = checks.get(check, 0) + 1
    write = terminalreporter.write_line
    terminalreporter.section("fault injection (issue 5)")
    write(
        f"faults injected: {len(CASES)}, survived: {len(survived)}, "
        f"rows in: {sum(c.rows_in for c in CASES):,}, "
        f"rows lost: {sum(c.rows_lost for c in CASES):,}"
    )
    write("invariant checks passed: " + ", ".join(f"{k} {v}" for k, v in sorted(checks.items())))
    for fault_case in CASES:
        if not fault_case.survived:
            write(f"NOT SURVIVED: {fault_case.fault}")
