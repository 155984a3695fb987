"""What parsing a column's distinct values once (sources.values.parse_cells) saves over parsing
every cell (parse_number per cell), on the published cells of the largest raw tables.

    python benchmarks/parse_cells.py [--database warehouse/work.duckdb] [--repeat K]

Reads the cells as published (the `*_text` columns) from the working database of the last
`make run`, read-only, then times both ways over each column, K times alternating; the fastest
of each counts (shared machines are noisy). Prints cells, distinct values, microseconds per
cell both ways and their ratio, and checks that both give the same cells.
"""

import argparse
import time
from pathlib import Path

import duckdb

from sources.values import Kind, parse_cells, parse_number

COLUMNS = [  # (raw table, column of published text, the rule its parser applies)
    ("dgbas_county_indicators", "value_text", Kind.SIGNED),
    ("dgbas_county_indicators_2020", "value_text", Kind.SIGNED),
    ("fia_income_distribution", "value_text", Kind.AMOUNT),
    ("moi_village_education", "persons_text", Kind.COUNT),
    ("segis_village_age", "population_text", Kind.COUNT),
]


def per_cell(values: list, kind: Kind) -> list:
    return [parse_number(value, kind) for value in values]


def seconds(function, values: list, kind: Kind) -> float:
    start = time.perf_counter()
    function(values, kind)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, default=Path("warehouse/work.duckdb"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with duckdb.connect(str(args.database), read_only=True) as con:
        columns = [(f"{table}.{column}", kind, [row[0] for row in con.execute(
            f'select "{column}" from raw."{table}"').fetchall()])
            for table, column, kind in COLUMNS]
    print(f"{'column':45s} {'cells':>9s} {'distinct':>9s} {'per cell':>9s} "
          f"{'columnwise':>10s} {'ratio':>6s}")
    total_cells = total_each = total_column = 0.0
    for name, kind, values in columns:
        each = column = float("inf")
        for _ in range(args.repeat):  # alternating, so both see the same machine
            each = min(each, seconds(per_cell, values, kind))
            column = min(column, seconds(parse_cells, values, kind))
        if parse_cells(values, kind) != per_cell(values, kind):
            raise SystemExit(f"{name}: parse_cells differs from parse_number per cell")
        total_cells += len(values)
        total_each += each
        total_column += column
        print(f"{name:45s} {len(values):9,d} {len(set(values)):9,d} "
              f"{each / len(values) * 1e6:7.2f}us {column / len(values) * 1e6:8.2f}us "
              f"{each / column:5.1f}x")
    print(f"{'all':45s} {int(total_cells):9,d} {'':9s} {total_each:8.2f}s {total_column:9.2f}s "
          f"{total_each / total_column:5.1f}x")


if __name__ == "__main__":
    main()
