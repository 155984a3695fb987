"""Part of a run, for tests that need a step of the pipeline, not all of it.

`narrowed(selection)` makes `orchestration.cli.run_all` (and so `python -m orchestration.cli
run`) run no release job and a warehouse job of `selection` alone: on a copy of a built home,
whose raw tables and models are there already, a test reaches the dbt build of the marts, a
gate or the publication in seconds, through the same lock, run report and console output as a
whole run. Run as a script (`python tests/warehouse_runs.py <selection name>`, with the
checkout on PYTHONPATH: tests/sources would shadow the `sources` package), it is that CLI run
narrowed to one of SELECTIONS, for the cases that kill or signal a run in a subprocess.
"""

import sys
from contextlib import contextmanager

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


def main(argv: list[str]) -> int:
    from orchestration.cli import main as cli_main

    (name,) = argv
    with narrowed(SELECTIONS[name]()):
        return cli_main(["run"])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
