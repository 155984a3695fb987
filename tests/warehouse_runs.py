"""Part of a run, for tests that need a step of the pipeline, not all of it.

`narrowed(selection)` makes `orchestration.cli.run_all` (and so `python -m orchestration.cli
run`) run no release job and a warehouse job of `selection` alone: on a copy of a built home,
whose raw tables and models are there already, a test reaches the dbt build of the marts, a
gate or the publication in seconds, through the same lock, run report and console output as a
whole run. Run as a script (`python tests/warehouse_runs.py <selection name>`, with the
checkout on PYTHONPATH: tests/sources would shadow the `sources` package), it is that CLI run
narrowed to one of SELECTIONS, for the cases that kill or signal a run in a subprocess.
"""

import os
import shutil
import sys
from contextlib import contextmanager, nullcontext
from pathlib import Path

import dagster as dg
import pytest

PUBLISHED = dg.AssetKey(["published", "tw_resas"])
# the value history as last published, read back before the history mart is rebuilt
PUBLISHED_HISTORY = dg.AssetKey(["raw", "published_indicator_value_history"])


def gate_checks() -> dg.AssetSelection:
    from orchestration.defs.quality import gx_gates

    return dg.AssetSelection.checks(gx_gates)


def marts_selection() -> dg.AssetSelection:
    """The marts rebuilt by dbt from the models under them (their dbt tests and GX gates come
    with them), then published."""
    return (dg.AssetSelection.key_prefixes("marts") | dg.AssetSelection.assets(PUBLISHED_HISTORY)
            | dg.AssetSelection.assets(PUBLISHED))


SELECTIONS = {
    "publish": lambda: dg.AssetSelection.assets(PUBLISHED),
    "gate_and_publish": lambda: gate_checks() | dg.AssetSelection.assets(PUBLISHED),
    "marts": marts_selection,
}


def narrowed_definitions(definitions: dg.Definitions,
                         selection: dg.AssetSelection) -> dg.Definitions:
    """`definitions` with its jobs replaced by a `warehouse` job of `selection` (and so no
    release job)."""
    from orchestration.progress import report_failure, report_progress

    return dg.Definitions(
        assets=definitions.assets,
        asset_checks=definitions.asset_checks,
        resources=definitions.resources,
        jobs=[dg.define_asset_job("warehouse", selection=selection,
                                  hooks={report_progress, report_failure})],
    )


@contextmanager
def narrowed(selection: dg.AssetSelection):
    import orchestration.definitions

    build_whole = orchestration.definitions.build_definitions
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(orchestration.definitions, "build_definitions",
                      lambda resources: narrowed_definitions(build_whole(resources), selection))
        yield


# the symlink and target folder of dbt_through_link, for a run in a subprocess (main)
DBT_LINK, DBT_TARGET = "TWRESAS_TEST_DBT_LINK", "TWRESAS_TEST_DBT_TARGET"


def point_link(link: Path, home: Path) -> None:
    """The symlink through which dbt sees every home, pointed at `home`: the profile's
    connection stays one path, so dbt's saved parse stays valid."""
    link.unlink(missing_ok=True)
    link.symlink_to(home, target_is_directory=True)


@contextmanager
def dbt_through_link(link: Path, target: Path):
    """The dbt step of this process's runs writes its target folders under `target`, not into
    the checkout, and hands dbt every home through the symlink `link`. dbt parses partially
    only when the profile's connection (the warehouse path in it) is the one its saved parse
    had, so with one path every build after the first parses partially; the newest saved parse
    is put where dagster-dbt copies it from (DBT_TARGET_PATH, set while dbt starts)."""
    import orchestration.defs.dbt as dbt_step

    through_home = dbt_step.dbt_environment

    @contextmanager
    def through_link(home: Path, *args):
        point_link(link, home)
        saved = sorted(target.glob("*/partial_parse.msgpack"), key=lambda p: p.stat().st_mtime)
        if saved:
            shutil.copy2(saved[-1], target / "partial_parse.msgpack")
        with through_home(link, *args), pytest.MonkeyPatch.context() as patch:
            patch.setenv("DBT_TARGET_PATH", str(target))  # read when dbt starts
            yield

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dbt_step, "dbt_environment", through_link)
        yield


def main(argv: list[str]) -> int:
    from orchestration.cli import main as cli_main

    (name,) = argv
    through_link = (dbt_through_link(Path(os.environ[DBT_LINK]), Path(os.environ[DBT_TARGET]))
                    if DBT_LINK in os.environ else nullcontext())
    with narrowed(SELECTIONS[name]()), through_link:
        return cli_main(["run"])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
