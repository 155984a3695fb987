"""Validate a published mart with its GX suite through a Checkpoint that updates Data Docs.

Marts are small, so they are validated as pandas frames (GX 1.24's SQL path through
duckdb-engine fails here); large staging tables are covered by dbt tests instead.
"""

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import duckdb
import great_expectations as gx
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from great_expectations.checkpoint import UpdateDataDocsAction
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context.types.base import ProgressBarsConfig
from pandas.errors import OutOfBoundsDatetime

from expectations.data_docs import make_offline
from sources.jsonsafe import json_safe

DATASOURCE = "tw_resas_marts"
DATA_DOCS_SITE = "local_site"  # GX's default site, under gx/uncommitted/data_docs/


def data_docs_index(gx_root: Path) -> Path:
    """The Data Docs of the GX project at `gx_root`, whose `gx/` folder (config, validation
    history, Data Docs) is output."""
    return gx_root / "gx" / "uncommitted" / "data_docs" / DATA_DOCS_SITE / "index.html"


def gate_frame(table: pa.Table) -> pd.DataFrame:
    """A mart as the gate validates it: as DuckDB's pandas export gives it, with two changes
    that keep the verdict and make GX take its vectorised path on large marts (its per-value
    Python path took 8 of the 18 s of fct_indicator_value_history's gate):
    - a floating-point column that holds a NaN keeps its Arrow type, in which NaN is a value
      and not missing (numpy floats would make it missing), so the finiteness rule sees it;
      a column without NaN stays numpy, on which the same rule runs vectorised;
    - dates and timestamps in nanoseconds, GX's vectorised type; a value pandas cannot hold
      in nanoseconds (before 1677 or after 2262) keeps its type, and the slower path judges it.
    """
    with duckdb.connect() as con:  # not the module's default connection, which others share
        frame = con.from_arrow(table).df()
    for column in frame.columns:
        arrow_column = table.column(column)
        if pa.types.is_floating(arrow_column.type) and pc.any(pc.is_nan(arrow_column)).as_py():
            frame[column] = pd.Series(pd.arrays.ArrowExtensionArray(arrow_column),
                                      index=frame.index)
        elif pd.api.types.is_datetime64_dtype(frame[column]):
            try:
                frame[column] = frame[column].astype("datetime64[ns]")
            except (OutOfBoundsDatetime, OverflowError):
                pass
    return frame


@dataclass
class ExpectationOutcome:
    expectation: str
    column: str | None
    success: bool
    unexpected_count: int | None
    unexpected_sample: list = field(default_factory=list)
    rule: str = ""  # the expectation with its bounds or condition, as a person reads it


def describe_rule(expectation_type: str, kwargs: dict) -> str:
    """'expect_column_values_to_be_between(column=value, min_value=0, max_value=100,
    row_condition=indicator_code=="x")': the rule, its bounds and its condition."""
    shown = {k: v for k, v in kwargs.items() if k not in _NOT_RULE and v is not None}
    return f"{expectation_type}({', '.join(f'{k}={v}' for k, v in shown.items())})"


_NOT_RULE = {"batch_id", "result_format", "include_config", "catch_exceptions", "meta",
             "condition_parser"}


@dataclass
class GateResult:
    mart: str
    success: bool
    rows: int
    outcomes: list[ExpectationOutcome]
    data_docs: str  # the validation page of this run in the Data Docs

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success]

    def describe_failures(self) -> str:
        """Every failed rule in full, with its failing rows (by primary key) and values."""
        return "; ".join(
            f"{o.rule} failed"
            + (f" on {o.unexpected_count} rows, e.g. {o.unexpected_sample[:3]}"
               if o.unexpected_count is not None else "")
            for o in self.failures
        )


def validate_mart(
    mart: str, frame: pd.DataFrame, suite: gx.ExpectationSuite, *, gx_root: Path,
    key: tuple[str, ...] = (), run_name: str | None = None,
) -> GateResult:
    """Validate `frame` with `suite` in the GX project at `gx_root` (validation history and
    Data Docs are kept there), in a GX run named `run_name` (the Dagster run id: the Data Docs
    index lists the runs by it); GateResult.data_docs is the run's validation page."""
    context = gx.get_context(mode="file", project_root_dir=str(gx_root))
    # metric progress bars would interleave with Dagster's and dbt's output on the console
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    datasource = context.data_sources.add_or_update_pandas(DATASOURCE)
    asset = next((a for a in datasource.assets if a.name == mart), None)
    if asset is None:
        asset = datasource.add_dataframe_asset(name=mart)
    batch = next((b for b in asset.batch_definitions if b.name == "whole_mart"), None)
    if batch is None:
        batch = asset.add_batch_definition_whole_dataframe("whole_mart")
    suite = context.suites.add_or_update(suite)
    validation = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=f"{mart}_validation", data=batch, suite=suite)
    )
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(
            name=f"{mart}_gate",
            validation_definitions=[validation],
            actions=[UpdateDataDocsAction(name="update_data_docs")],
            result_format={
                "result_format": "SUMMARY",
                "partial_unexpected_count": 5,
                # failures are reported by primary key, so an engineer can find the rows
                "unexpected_index_column_names": list(key),
            },
        )
    )
    started = time.time()
    result = checkpoint.run(batch_parameters={"dataframe": frame},
                            run_id=RunIdentifier(run_name=run_name,
                                                 run_time=datetime.now(UTC)))
    make_offline(data_docs_index(gx_root).parent, written_since=started)
    (validation,) = result.run_results
    (page,) = [site["site_url"] for site in context.get_docs_sites_urls(
        resource_identifier=validation) if site["site_name"] == DATA_DOCS_SITE]
    outcomes = []
    for run_result in result.run_results.values():
        for r in run_result.results:
            config = r.expectation_config
            outcomes.append(
                ExpectationOutcome(
                    expectation=config.type,
                    column=config.kwargs.get("column"),
                    success=bool(r.success),
                    unexpected_count=r.result.get("unexpected_count"),
                    unexpected_sample=json_safe(list(
                        r.result.get("partial_unexpected_index_list")
                        or r.result.get("partial_unexpected_list")
                        or []
                    )),
                    rule=describe_rule(config.type, dict(config.kwargs)),
                )
            )
    return GateResult(
        mart=mart,
        success=bool(result.success),
        rows=len(frame),
        outcomes=outcomes,
        data_docs=url2pathname(urlparse(page).path),
    )
