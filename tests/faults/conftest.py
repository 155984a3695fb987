"""Fixtures of the fault-injection suite (issue 5) and the summary it prints.

Every case runs in its own TWRESAS_HOME holding a last good publication, so invariant 3 always
has something to protect: a small one made by the publisher itself (`home`), or a copy of the
session's whole run (`pipeline_copy`, tests/conftest.py) where the case needs the warehouse.
"""

import dataclasses
import shutil
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from damaged_snapshots import DAMAGED_SOURCES, DamagedBodies, damage_all
from invariants import FaultCase
from mart_samples import mart_samples
from warehouse_runs import PUBLISHED_HISTORY, gate_checks, narrowed

from orchestration.defs.atlas import atlas
from orchestration.defs.publish import GATED_MARTS
from orchestration.publish import publish_marts
from sources import catalog
from sources.settings import SNAPSHOT_DIR

# Three marts of a few rows, with the columns the cases write to (test_faults_security)
SMALL_MARTS = {
    "dim_region": "select * from (values ('TW', 'nation', '臺灣'), ('63000', 'county', '臺北市'))"
                  " as t(region_code, region_level, name_zh)",
    "dim_indicator": "select * from (values ('pop_total', 'population', '人口數'))"
                     " as t(indicator_code, domain, name_zh)",
    "fct_indicator_value": "select * from (values ('pop_total', 'TW', date '2024-01-01',"
                           " 23400220.0)) as t(indicator_code, region_code, period, value)",
}


@pytest.fixture(scope="session")
def last_good_publication(tmp_path_factory) -> Path:
    """A small last good publication, written by the publisher (publish_marts) as a run writes
    one: what the cases that never reach the build protect, without a pipeline run."""
    warehouse = tmp_path_factory.mktemp("last_good") / "warehouse"
    warehouse.mkdir()
    work = warehouse / "work.duckdb"
    with duckdb.connect(str(work)) as con:
        con.execute("create schema marts")
        for mart, rows in SMALL_MARTS.items():
            con.execute(f"create table marts.{mart} as {rows}")
    publish_marts(work, warehouse / "tw_resas.duckdb", list(SMALL_MARTS), "last-good-small")
    return warehouse / "tw_resas.duckdb"


@pytest.fixture(scope="session")
def mart_samples_db(pipeline_home, tmp_path_factory) -> Path:
    """mart_samples() of the session's build: every gated mart, of every shape, in a few rows,
    for cases that publish (copy it to change it)."""
    return mart_samples(pipeline_home / "warehouse" / "work.duckdb",
                       tmp_path_factory.mktemp("mart_samples") / "work.duckdb")


@pytest.fixture
def samples_home(twresas_home, mart_samples_db) -> Path:
    """A home whose working database holds the mart samples, and a last good publication of
    them (run id `last-good`)."""
    warehouse = twresas_home / "warehouse"
    warehouse.mkdir()
    work = shutil.copy2(mart_samples_db, warehouse / "work.duckdb")
    publish_marts(work, warehouse / "tw_resas.duckdb", GATED_MARTS, "last-good")
    return twresas_home


@dataclass(frozen=True)
class DamagedRun:
    home: Path
    result: dg.ExecuteInProcessResult
    bodies: DamagedBodies


@pytest.fixture(scope="session")
def damaged_run(pipeline_home, tmp_path_factory) -> DamagedRun:
    """One build on snapshots carrying every quarantine case's damage (damaged_snapshots.py), in
    a copy of the session's home: run_all reloads the damaged sources and rebuilds, gates and
    publishes everything downstream of them but the atlas (the other raw tables are loaded from
    the same bundled files already)."""
    snapshots = tmp_path_factory.mktemp("damaged_snapshots") / "snapshots"
    shutil.copytree(SNAPSHOT_DIR, snapshots)
    bodies = damage_all(snapshots)
    home = tmp_path_factory.mktemp("damaged_run")
    for name in ("landing", "warehouse", "expectations"):
        shutil.copytree(pipeline_home / name, home / name, symlinks=True)
    from orchestration.cli import run_all
    from orchestration.raw import raw_asset_key

    # no case reads the atlas, rebuilt after every publication
    rebuilt = (dg.AssetSelection.assets(*map(raw_asset_key, DAMAGED_SOURCES)).downstream()
               - dg.AssetSelection.assets(atlas))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(catalog, "SNAPSHOT_DIR", snapshots)
        patch.setenv("TWRESAS_HOME", str(home))
        patch.setenv("TWRESAS_GX_ROOT", str(home / "expectations"))
        patch.setenv("TWRESAS_SOURCE_MODE", "snapshot")
        patch.delenv("DAGSTER_HOME", raising=False)
        with narrowed(rebuilt | dg.AssetSelection.assets(PUBLISHED_HISTORY) | gate_checks()):
            result = run_all()
    return DamagedRun(home, result, bodies)


@pytest.fixture
def new_case(request):
    """new_case(fault) -> the record of one fault case of this test, for the summary; the
    test's outcome decides whether it survived."""
    request.node.fault_cases = []

    def _new_case(fault: str) -> FaultCase:
        fault_case = FaultCase(fault=fault)
        request.node.fault_cases.append(fault_case)
        return fault_case

    return _new_case


@pytest.fixture
def case(request, new_case) -> FaultCase:
    """The record of this test's one fault case."""
    return new_case(request.node.name)


@pytest.fixture
def home(twresas_home, last_good_publication) -> Path:
    """A home whose warehouse holds (a copy of) a last good published database."""
    (twresas_home / "warehouse").mkdir()
    shutil.copy2(last_good_publication, twresas_home / "warehouse")
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
    """Each fault case of the test goes with its report, survived if the test passed, for the
    summary (tests/conftest.py, which also sees the reports of xdist's workers)."""
    report = yield
    if report.when == "call" or (report.when == "setup" and report.failed):
        for fault_case in getattr(item, "fault_cases", []):
            fault_case.survived = report.passed
            report.user_properties.append(("fault_case", dataclasses.asdict(fault_case)))
    return report
