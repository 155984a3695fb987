"""The code location: every module under orchestration/defs is discovered, none listed here;
the `warehouse` and `http` resources are bound here, once, from the environment's settings."""

from collections.abc import Mapping
from pathlib import Path

import dagster as dg

from orchestration.raw import parsing_code_version
from orchestration.resources import bound_resources
from sources.settings import read_settings


def build_definitions(resources: Mapping[str, dg.ConfigurableResource]) -> dg.Definitions:
    """Everything under defs/ with `resources` (a test passes those of a temporary home)."""
    definitions = dg.Definitions.merge(
        dg.load_from_defs_folder(path_within_project=Path(__file__).parent),
        dg.Definitions(resources=dict(resources)),
    )
    # the version of the parsing code that raw loads record, taken now that the code is loaded:
    # a file edited later (in `make ui`) is not the code that parses until the location reloads
    parsing_code_version()
    return definitions


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions(bound_resources(read_settings()))
