"""One module per domain; each defines `MartGate`s for the marts it publishes. `all_gates()`
discovers them, so the Dagster gate and the publish step never list marts by hand.

Listing the gates imports no GX: the process that runs Dagster never imports it (3-6 s of
every `make run`'s start); the gate processes, forked from a server that imported it while
the run began (expectations.processes), build the suites. So the domain modules write their
expectations as `gxe.Expect...` with `gxe` from here, which imports GX's expectations on
first use."""

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import great_expectations as gx
    import pandas as pd


class _Expectations(ModuleType):
    """`great_expectations.expectations`, imported when an expectation is first built."""

    def __getattr__(self, name: str):
        # what inspectors ask any object (pytest, collecting a test module that names `gxe`,
        # asks for `__pytest_wrapped__`) is not an expectation: answering it imported GX
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(importlib.import_module("great_expectations.expectations"), name)


gxe = _Expectations("great_expectations.expectations (on first use)")


@dataclass(frozen=True)
class MartGate:
    mart: str  # model name in schema `marts`
    key: tuple[str, ...]  # primary key; unexpected rows are reported by it
    expectations: Callable[[], list]  # builds the suite's expectations

    def suite(self, dtypes: "pd.Series") -> "gx.ExpectationSuite":
        """The mart's own expectations and those generated from its columns' dtypes
        (finiteness, range, no future period: expectations.suites.generated)."""
        import great_expectations as gx

        from expectations.suites.generated import generated_expectations

        return gx.ExpectationSuite(
            name=f"{self.mart}_suite",
            expectations=[*self.expectations(), *generated_expectations(dtypes)],
        )


def all_gates() -> dict[str, MartGate]:
    from expectations import suites

    found = {}
    for module_info in pkgutil.iter_modules(suites.__path__):
        module = importlib.import_module(f"expectations.suites.{module_info.name}")
        for value in vars(module).values():
            if isinstance(value, MartGate):
                found[value.mart] = value
    return dict(sorted(found.items()))
