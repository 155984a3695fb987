"""Validate the marts of a run with their GX suites, then render the run's Data Docs once.

Marts are small, so they are validated as pandas frames (GX 1.24's SQL path through
duckdb-engine fails here); large staging tables are covered by dbt tests instead.
"""

import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import great_expectations as gx
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from great_expectations.checkpoint.checkpoint import CheckpointResult
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.data_context.types.resource_identifiers import (
    ExpectationSuiteIdentifier,
    ValidationResultIdentifier,
)
from pandas.errors import OutOfBoundsDatetime

from expectations.data_docs import DATA_DOCS_SITE, data_docs_index, make_offline
from expectations.results import ExpectationOutcome, GateResult, describe_rule
from sources.jsonsafe import json_safe

DATASOURCE = "tw_resas_marts"
# The Data Docs index lists the newest validation results, about the last 25 runs of the
# gates: GX reads every result the index lists (3.6 s of a run's gate step with 1,400 kept),
# so an unbounded index made every run slower than the one before. Older runs' pages stay.
INDEX_RESULTS = 500


# pandas' nullable types, for an Arrow integer or boolean column that holds a null (numpy's
# types would make the integers floats and the booleans objects)
_NULLABLE = {pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(),
             pa.int64(): pd.Int64Dtype(), pa.uint8(): pd.UInt8Dtype(),
             pa.uint16(): pd.UInt16Dtype(), pa.uint32(): pd.UInt32Dtype(),
             pa.uint64(): pd.UInt64Dtype(), pa.bool_(): pd.BooleanDtype()}


def gate_frame(table: pa.Table) -> pd.DataFrame:
    """A mart as the gate validates it: the types DuckDB's own pandas export gives (a nullable
    integer or boolean where a null is present, decimals as floats), converted from Arrow
    column by column (DuckDB's export took 3 s for fct_indicator_value_history, this 0.1 s),
    with three choices that keep the verdict and make GX take its vectorised path on large marts
    (its per-value Python path took 8 of the 18 s of that mart's gate):
    - a floating-point column that holds a NaN keeps its Arrow type, in which NaN is a value
      and not missing (numpy floats would make it missing), so the finiteness rule sees it;
      a column without NaN is numpy, on which the same rule runs vectorised;
    - dates and timestamps in nanoseconds, GX's vectorised type; a value pandas cannot hold
      in nanoseconds (before 1677 or after 2262) keeps its type, and the slower path judges it.
    - text as pandas categoricals: GX filters the whole frame once per conditional rule, and a
      filter copies every text value of an Arrow string column, but only the integer codes of a
      categorical (the marts' gates: 18.3 s -> 10.4 s, fct_indicator_value_history's 4.4 s ->
      1.1 s; every verdict the same, tests/expectations/test_gate_frame.py; a rule comparing
      two text columns would fail closed, so the suites compare numbers and dates only).
    One chunk per column: a filter of a column in many chunks is slower. Text is encoded chunk by
    chunk and only its codes are combined (the same categories in the same order): combining
    the text first copied every string.
    """
    columns = {}
    for name in table.column_names:
        column = table.column(name)
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            columns[name] = (column.dictionary_encode().unify_dictionaries().combine_chunks()
                             .to_pandas())
        else:
            columns[name] = _series(column.combine_chunks())
    return pd.DataFrame(columns)


def _series(column: pa.Array) -> pd.Series:
    """A column of a mart other than text, as gate_frame converts it."""
    if pa.types.is_decimal(column.type):
        column = column.cast(pa.float64())
    if pa.types.is_floating(column.type) and pc.any(pc.is_nan(column)).as_py():
        series = pd.Series(pd.arrays.ArrowExtensionArray(column))
    elif column.type in _NULLABLE and column.null_count:
        series = column.to_pandas(types_mapper=_NULLABLE.get)
    else:
        series = column.to_pandas(date_as_object=False)
    if pd.api.types.is_datetime64_dtype(series):
        try:
            series = series.astype("datetime64[ns]")
        except (OutOfBoundsDatetime, OverflowError):
            pass
    return series


class GateRun:
    """The gates of one run (`run_name`: the Dagster run id, by which the Data Docs index lists
    runs) in the GX project at `gx_root`, where validation history and Data Docs are kept.
    `validate` checks one mart and stores its result; `build_data_docs` then renders the run's
    validation pages and the index once: GX's action after each validation rebuilt the index,
    which reads every stored result, 1.5 to 3 s a mart with a few hundred results kept."""

    def __init__(self, gx_root: Path, run_name: str | None = None,
                 run_time: datetime | None = None):
        self.context = gx.get_context(mode="file", project_root_dir=str(gx_root))
        # metric progress bars would interleave with Dagster's and dbt's output on the console
        self.context.variables.progress_bars = ProgressBarsConfig(
            globally=False, metric_calculations=False)
        # the project's file (great_expectations.yml) is written only when something is added
        # to it: processes that validate marts of one run side by side only read it
        try:
            self.datasource = self.context.data_sources.get(DATASOURCE)
        except KeyError:
            self.datasource = self.context.data_sources.add_pandas(DATASOURCE)
        site = self.context.list_data_docs_sites()[DATA_DOCS_SITE]
        index = site.setdefault("site_index_builder", {"class_name": "DefaultSiteIndexBuilder"})
        if index.get("validation_results_limit") != INDEX_RESULTS:
            index["validation_results_limit"] = INDEX_RESULTS
            self.context.update_data_docs_site(DATA_DOCS_SITE, site)
        # one run time for every process validating a part of the run: Data Docs list one run
        self.run_id = RunIdentifier(run_name=run_name, run_time=run_time or datetime.now(UTC))
        self.site = data_docs_index(gx_root).parent
        # what GX's own Data Docs action renders after a validation: its page and the suite's
        self._pages: dict[str, list[ValidationResultIdentifier | ExpectationSuiteIdentifier]] = {}

    def validate(self, mart: str, frame: pd.DataFrame, suite: gx.ExpectationSuite,
                 key: tuple[str, ...] = ()) -> GateResult:
        """`frame` against `suite`; failing rows are reported by the primary key `key`.
        The result's `data_docs` page exists once `build_data_docs` has run."""
        # registered by the checkpoint (`_run`), which adds or updates its validation definition
        # and that one's suite: each registration compares every expectation with the stored
        # ones, and registering the suite and the definition first as well did that three times
        validation = gx.ValidationDefinition(name=f"{mart}_validation",
                                             data=self.prepare(mart), suite=suite)
        # Every rule's counts and observed values (what Data Docs shows) first; finding the
        # failing rows by primary key makes a validation a third slower, and only a failed gate
        # needs them: then a second pass reports them (its result replaces the first).
        result = self._run(mart, validation, frame, {"result_format": "BASIC"})
        if not result.success:
            result = self._run(mart, validation, frame, {
                "result_format": "SUMMARY",
                "partial_unexpected_count": 5,
                "unexpected_index_column_names": list(key),
            })
        ((identifier, run_result),) = result.run_results.items()
        # GX 1.x's page header reads the asset name from the batch spec, where a dataframe
        # batch has none ("Data asset: None"): the stored result names the mart
        run_result.meta["batch_spec"]["data_asset_name"] = mart
        self.context.validation_results_store.set(identifier, run_result)
        self._pages[mart] = [identifier, ExpectationSuiteIdentifier(name=suite.name)]
        outcomes = []
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
        (page,) = [site["site_url"] for site in self.context.get_docs_sites_urls(
            resource_identifier=identifier, only_if_exists=False)
            if site["site_name"] == DATA_DOCS_SITE]
        return GateResult(
            mart=mart,
            success=bool(result.success),
            rows=len(frame),
            outcomes=outcomes,
            data_docs=url2pathname(urlparse(page).path),
        )

    def prepare(self, mart: str) -> gx.core.batch_definition.BatchDefinition:
        """The mart's data asset and batch definition, added to the project file when missing:
        done for every mart before processes validate them side by side, so that they never
        write that shared file."""
        if mart in self.datasource.get_asset_names():
            asset = self.datasource.get_asset(mart)  # tied to this context, unlike .assets
        else:
            asset = self.datasource.add_dataframe_asset(name=mart)
        if "whole_mart" in {batch.name for batch in asset.batch_definitions}:
            return asset.get_batch_definition("whole_mart")
        return asset.add_batch_definition_whole_dataframe("whole_mart")

    def pages(self, mart: str) -> list:
        """The Data Docs pages of the mart's validation in this run (for `add_pages`)."""
        return self._pages[mart]

    def add_pages(self, mart: str, pages: list) -> None:
        """Pages of a mart of this run validated by another process, rendered with this run's."""
        self._pages[mart] = pages

    def _run(self, mart: str, validation: gx.ValidationDefinition, frame: pd.DataFrame,
             result_format: dict) -> CheckpointResult:
        checkpoint = self.context.checkpoints.add_or_update(
            gx.Checkpoint(name=f"{mart}_gate", validation_definitions=[validation],
                          result_format=result_format)
        )
        return checkpoint.run(batch_parameters={"dataframe": frame}, run_id=self.run_id)

    def build_data_docs(self) -> None:
        """The validation pages of this run's gates and the index, pointed at the vendored
        scripts and styles so that they work offline."""
        if not self._pages:
            return
        started = time.time()
        self.context.build_data_docs(
            site_names=[DATA_DOCS_SITE],
            resource_identifiers=[page for pages in self._pages.values() for page in pages])
        make_offline(self.site, written_since=started)
