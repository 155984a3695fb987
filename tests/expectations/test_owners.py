"""One owner per rule (expectations/owners.py): dbt owns the structural rules of a mart, the GX
suites what dbt does not do well, and no rule is checked in both."""

from expectations.owners import dbt_owner, dbt_rules, gx_rules
from expectations.suites import MartGate, all_gates, gxe


def test_gx_suites_hold_no_structural_rule():
    dbt = dbt_rules()
    misplaced = [
        f"{rule.mart}: {rule.written} "
        + (f"repeats dbt's {owner.written}" if (owner := dbt_owner(rule, dbt))
           else "belongs in the mart's dbt YAML")
        for rule in gx_rules() if rule.kind != "gx"
    ]
    assert misplaced == []


def test_every_gated_mart_is_a_dbt_contract():
    """Column names, types and order are the contract's: no gate lists them again."""
    dbt = dbt_rules()
    assert [mart for mart in all_gates()
            if not any(rule.kind == "contract" for rule in dbt.get(mart, []))] == []


def test_a_structural_rule_in_a_suite_is_told_from_a_conditional_one():
    gate = MartGate(mart="dim_region", key=("region_code",), expectations=lambda: [
        gxe.ExpectColumnValuesToBeUnique(column="region_code"),
        gxe.ExpectColumnValuesToNotBeNull(column="name_zh"),
        gxe.ExpectColumnValuesToBeInSet(column="region_level", value_set=["nation"]),
        gxe.ExpectColumnValuesToNotBeNull(column="name_en", row_condition='region_level!="village"',
                                          condition_parser="pandas"),
    ])
    repeated, not_null, narrower_set, conditional = gx_rules({"dim_region": gate})
    dbt = dbt_rules()
    assert dbt_owner(repeated, dbt).written == "unique(region_code)"
    assert dbt_owner(not_null, dbt).written == "not_null(name_zh)"
    # dbt accepts five levels: a set of one is another rule, still structural, not dbt's
    assert narrower_set.kind == "accepted_values" and dbt_owner(narrower_set, dbt) is None
    assert conditional.kind == "gx"
