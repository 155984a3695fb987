"""One owner per rule. dbt owns the structural rules of a mart (its contract, primary key,
foreign keys, accepted values, not-null columns); the GX suites own what dbt does not do well
(ranges, conditional and column-pair rules, distributions, formats, row counts).

`python -m expectations.owners` lists every GX expectation of every gate with its kind and the
dbt test on the same mart and columns; tests/expectations/test_owners.py fails when a suite
holds a structural rule, so the two layers never check the same thing twice.
"""

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from expectations.results import describe_rule
from expectations.suites import MartGate, all_gates
from sources.settings import PROJECT_ROOT

MODELS_DIR = PROJECT_ROOT / "dbt_project" / "models"

# GX expectation type -> the structural kind it checks when it holds for every row. With a
# row_condition it is a conditional rule, which GX keeps.
STRUCTURAL_GX = {
    "expect_table_columns_to_match_ordered_list": "contract",
    "expect_column_values_to_be_unique": "unique",
    "expect_compound_columns_to_be_unique": "unique",
    "expect_column_values_to_not_be_null": "not_null",
    "expect_column_values_to_be_in_set": "accepted_values",
}
# dbt generic test -> the structural kind it owns
STRUCTURAL_DBT = {
    "not_null": "not_null",
    "not_null_columns": "not_null",  # ours: one scan for several columns, a rule per column
    "unique": "unique",
    "unique_combination_of_columns": "unique",
    "accepted_values": "accepted_values",
    "relationships": "foreign_key",
}


@dataclass(frozen=True)
class Rule:
    """A rule on a mart: its kind, the columns it covers (empty for the whole table), the values
    it accepts (accepted values only), and how the layer writes it."""

    mart: str
    kind: str
    columns: frozenset[str]
    written: str
    values: frozenset = frozenset()


def dbt_rules(models_dir: Path = MODELS_DIR) -> dict[str, list[Rule]]:
    """model -> the structural rules its YAML declares: an enforced contract, and the generic
    tests above that hold for every row (a test with a `where` is conditional)."""
    rules: dict[str, list[Rule]] = {}
    for path in sorted(models_dir.rglob("*.yml")):
        for model in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models", []):
            found = rules.setdefault(model["name"], [])
            if model.get("config", {}).get("contract", {}).get("enforced"):
                found.append(Rule(model["name"], "contract", frozenset(), "contract enforced"))
            for test in model.get("data_tests", []):
                found += _dbt_test_rules(model["name"], None, test)
            for column in model.get("columns", []):
                for test in column.get("data_tests", []):
                    found += _dbt_test_rules(model["name"], column["name"], test)
    return rules


def _dbt_test_rules(model: str, column: str | None, test) -> list[Rule]:
    name, settings = (test, {}) if isinstance(test, str) else next(iter(test.items()))
    settings = settings or {}
    if name not in STRUCTURAL_DBT or settings.get("config", {}).get("where"):
        return []
    arguments = settings.get("arguments", {})
    if name == "not_null_columns":
        return [Rule(model, "not_null", frozenset([listed]), f"not_null({listed})")
                for listed in arguments["columns"]]
    columns = arguments.get("combination_of_columns") or [column]
    written = f"{name}({', '.join(columns)})"
    values = frozenset(arguments.get("values", ()))
    return [Rule(model, STRUCTURAL_DBT[name], frozenset(columns), written, values)]


def gx_rules(gates: dict[str, MartGate] | None = None) -> list[Rule]:
    """Every expectation of every gate (default: all of them); kind "gx" for the kinds of rule
    GX owns."""
    listed = []
    for mart, gate in (all_gates() if gates is None else gates).items():
        for expectation in gate.expectations():
            config = expectation.configuration
            kwargs = dict(config.kwargs)
            kind = "gx" if kwargs.get("row_condition") else STRUCTURAL_GX.get(config.type, "gx")
            if kind == "contract":  # a rule on the table, not on its listed columns
                columns = []
            elif "column_list" in kwargs:
                columns = kwargs["column_list"]
            else:
                columns = [kwargs[name] for name in ("column", "column_A", "column_B")
                           if name in kwargs]
            listed.append(Rule(mart, kind, frozenset(columns), describe_rule(config.type, kwargs),
                               frozenset(kwargs.get("value_set", ()))))
    return listed


def dbt_owner(rule: Rule, dbt: dict[str, list[Rule]]) -> Rule | None:
    """The dbt rule that checks what `rule` checks, on the same mart and columns, if any."""
    return next(
        (owned for owned in dbt.get(rule.mart, [])
         if (owned.kind, owned.columns, owned.values) == (rule.kind, rule.columns, rule.values)),
        None,
    )


def main() -> None:
    """One tab-separated line per GX expectation: mart, kind, the rule, the dbt test on the same
    mart and columns (empty when none); then the counts."""
    dbt = dbt_rules()
    counts: Counter[str] = Counter()
    for rule in gx_rules():
        owner = dbt_owner(rule, dbt)
        counts["gx" if rule.kind == "gx" else "structural, also in dbt" if owner
               else "structural, only in gx"] += 1
        print(f"{rule.mart}\t{rule.kind}\t{rule.written}\t{owner.written if owner else ''}")
    print(", ".join(f"{count} {kind}" for kind, count in sorted(counts.items())))


if __name__ == "__main__":
    main()
