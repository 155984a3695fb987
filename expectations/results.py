"""A gate's verdict as the orchestration reads it: plain data, without GX (the process that
runs Dagster never imports GX; the gate processes do)."""

from dataclasses import dataclass, field


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
