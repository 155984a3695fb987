"""The run summary's coverage table, on a small published-shaped database; which runs start
the GX gates' server."""

import duckdb
from warehouse_runs import SELECTIONS, narrowed_definitions

from orchestration.cli import coverage_lines, runs_gates


def test_coverage_counts_real_values_per_domain_and_level():
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(
        "create table marts.dim_indicator as select * from (values ('a', 'population'),"
        " ('b', 'population'), ('c', 'finance')) t(indicator_code, domain)"
    )
    con.execute(
        "create table marts.dim_region as select * from (values ('TW', 'nation'),"
        " ('63000', 'county'), ('63000010', 'township')) t(region_code, region_level)"
    )
    con.execute(
        """
        create table marts.fct_indicator_value as select * from (values
            ('a', 'TW', date '2024-01-01', null, false),
            ('a', '63000010', date '2026-06-01', null, false),
            ('b', '63000010', date '2027-01-01', null, true),      -- synthetic: not counted
            ('b', 'TW', date '2070-01-01', 'medium', false),       -- projection: not counted
            ('c', '63000', date '2014-01-01', null, false)
        ) t(indicator_code, region_code, period, scenario, is_synthetic)
        """
    )
    lines = coverage_lines(con)
    finance = next(line for line in lines if line.strip().startswith("finance"))
    population = next(line for line in lines if line.strip().startswith("population"))
    assert finance.split()[1:6] == ["1", "0", "1", "0", "0"]
    assert population.split()[1:6] == ["2", "1", "0", "1", "0"]
    assert population.endswith("2026-06-01")


def test_only_a_run_with_gates_starts_the_gate_server():
    from orchestration.definitions import defs

    definitions = defs()
    assert runs_gates(definitions)
    assert runs_gates(narrowed_definitions(definitions, SELECTIONS["gate_and_publish"]()))
    assert not runs_gates(narrowed_definitions(definitions, SELECTIONS["publish"]()))
