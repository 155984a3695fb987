"""`make spark-check`: does the dbt project build the same warehouse on Apache Spark?

The models are built from the bundled snapshots on the `spark` target (dbt_project/profiles.yml:
pyspark's session in this machine's JVM), reading the raw tables from the Parquet files the raw
loads wrote, and every published mart of the DuckDB build is compared with Spark's table of the
same name: row count, an order-independent hash of all rows, and the same per indicator where
the mart has an `indicator_code`. Spark's tables are Parquet folders under
`warehouse/spark/tables/<schema>.db/`, which DuckDB reads directly.

Floating values are compared to FLOAT_DIGITS significant digits in the hash (two engines sum
floats in different orders); rows whose hash differs only there are paired on their other
columns and pass when every float is within RELATIVE_TOLERANCE. The history mart records the
build's start time (dbt's run_started_at) as `recorded_at` and as the `valid_from` of what the
build adds; that time is compared as one token, since two builds never start together.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from tabulate import tabulate

from orchestration.cli import run_all
from orchestration.dbt_project import DBT_PROJECT_DIR, dbt_executable, dbt_variables
from orchestration.publish import sql_literal
from orchestration.resources import Warehouse, bound_resources
from sources.settings import read_settings

FLOAT_DIGITS = 9
RELATIVE_TOLERANCE = 1e-9
HISTORY_MART = "fct_indicator_value_history"
BUILD_TIME = "<build start>"
FLOAT_TYPES = ("DOUBLE", "FLOAT", "REAL", "DECIMAL")


class DbtFailed(RuntimeError):
    """dbt failed; the message names the target and the first failing node."""


# seeds and models from scratch: what both engines build (the data tests run on DuckDB's)
BUILD_MODELS = ["build", "--full-refresh", "--resource-type", "seed", "--resource-type", "model"]


def build_on_spark(warehouse: Warehouse, run_id: str) -> float:
    """BUILD_MODELS on the spark target, the old Spark warehouse removed first (a check of
    what the current code builds, not of a leftover); returns seconds. `run_id` is the
    DuckDB build's, so the history marts record the same run."""
    shutil.rmtree(warehouse.spark_dir, ignore_errors=True)
    return run_dbt(warehouse, "spark", BUILD_MODELS, run_id)


def run_dbt(warehouse: Warehouse, target: str, args: list[str], run_id: str) -> float:
    """`dbt <args>` on `target` for `warehouse` (on spark: reading its raw Parquet files and
    writing its spark folder), its output in <folder>/build.log, the folder being spark/ or
    duckdb_check/; returns seconds, or raises DbtFailed naming the first node that failed."""
    folder = warehouse.spark_dir if target == "spark" else warehouse.warehouse_dir / "duckdb_check"
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "build.log"
    command = [
        dbt_executable(), *args, "--no-use-colors", "--target", target,
        "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(folder / "dbt_target"), "--log-path", str(folder / "logs"),
    ]
    variables = dbt_variables(warehouse.root, run_id, warehouse.spark_driver_memory)
    started = time.monotonic()
    with open(log, "w") as output:
        finished = subprocess.run(command, cwd=DBT_PROJECT_DIR, stdout=output,
                                  stderr=subprocess.STDOUT, check=False,
                                  env={**os.environ, **variables})
    seconds = time.monotonic() - started
    if finished.returncode != 0:
        raise DbtFailed(f"dbt {args[0]} on {target} failed: {first_failure(log)} (log: {log})")
    return seconds


def first_failure(log: Path) -> str:
    """The first 'Failure in …' of a dbt log with the line of its error after it."""
    lines = [line.strip() for line in log.read_text(errors="replace").splitlines()]
    for number, line in enumerate(lines):
        if "Failure in " in line:
            detail = next((text for text in lines[number + 1:number + 6]
                           if text and "Runtime Error" not in text
                           and "Compilation Error" not in text), "")
            return f"{line.split('Failure in ')[-1]}: {detail}".strip(": ")
    return "no failing node named in the log"


@dataclass
class MartComparison:
    mart: str
    duckdb_rows: int
    spark_rows: int | None = None
    duckdb_hash: str = ""
    spark_hash: str | None = None
    indicators: int = 0
    indicators_differing: list[str] = field(default_factory=list)
    rows_within_tolerance: int = 0
    problem: str | None = None

    @property
    def matches(self) -> bool:
        return self.problem is None


def compare_marts(published_db: Path, spark: Warehouse) -> list[MartComparison]:
    """Every mart of the published DuckDB file against the table of the same name that the
    spark target built in `spark`'s warehouse."""
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    con.execute(f"attach {sql_literal(str(published_db))} as published (read_only)")
    marts = [row[0] for row in con.execute(
        "select distinct mart from published.meta.publication order by mart").fetchall()]
    comparisons = []
    for mart in marts:
        folder = spark.spark_dir / "tables" / "marts.db" / mart
        con.execute(f"create or replace temp view duckdb_side as "
                    f"select * from published.marts.{mart}")
        rows = con.execute("select count(*) from duckdb_side").fetchone()[0]
        comparison = MartComparison(mart, rows)
        comparisons.append(comparison)
        if not any(folder.glob("*.parquet")):
            comparison.problem = "no table on Spark"
            continue
        con.execute(f"create or replace temp view spark_side as select * from "
                    f"read_parquet({sql_literal(str(folder / '*.parquet'))})")
        compare_views(con, comparison)
    con.close()
    return comparisons


def column_types(con, view: str) -> dict[str, str]:
    return {name: data_type for name, data_type, *_ in con.execute(f"describe {view}").fetchall()}


def compare_views(con, comparison: MartComparison) -> None:
    """Fill `comparison` from the temp views duckdb_side and spark_side."""
    duckdb_types = column_types(con, "duckdb_side")
    spark_types = column_types(con, "spark_side")
    comparison.spark_rows = con.execute("select count(*) from spark_side").fetchone()[0]
    if set(duckdb_types) != set(spark_types):
        missing = sorted(set(duckdb_types) - set(spark_types))
        extra = sorted(set(spark_types) - set(duckdb_types))
        comparison.problem = f"columns differ (missing on Spark: {missing}, extra: {extra})"
        return
    columns = list(duckdb_types)
    floats = {column for column in columns
              if duckdb_types[column].startswith(FLOAT_TYPES)
              or spark_types[column].startswith(FLOAT_TYPES)}
    for side in ("duckdb_side", "spark_side"):
        build_start = (f"select max(recorded_at) from {side}"
                       if comparison.mart == HISTORY_MART else None)
        texts = [normalised(column, column in floats, build_start) for column in columns]
        exact = [text for column, text in zip(columns, texts, strict=True) if column not in floats]
        con.execute(
            f"create or replace temp table {side}_rows as select *, "
            f"{row_hash(texts)} as row_hash, {row_hash(exact)} as exact_hash from {side}"
        )
    comparison.duckdb_hash, comparison.spark_hash = (
        con.execute(f"select {HASH_OF_ROWS} from {side}_rows").fetchone()[0]
        for side in ("duckdb_side", "spark_side")
    )
    if "indicator_code" in columns:
        indicators = con.execute(f"""
            with duckdb_indicators as (
                select indicator_code, {HASH_OF_ROWS} as content from duckdb_side_rows
                group by indicator_code
            ),
            spark_indicators as (
                select indicator_code, {HASH_OF_ROWS} as content from spark_side_rows
                group by indicator_code
            )
            select coalesce(d.indicator_code, s.indicator_code), d.content = s.content
            from duckdb_indicators as d
            full join spark_indicators as s
                on d.indicator_code is not distinct from s.indicator_code
            order by 1
        """).fetchall()
        comparison.indicators = len(indicators)
        comparison.indicators_differing = [str(code) for code, same in indicators if not same]
    if comparison.spark_rows != comparison.duckdb_rows:
        comparison.problem = "row counts differ"
    elif comparison.duckdb_hash != comparison.spark_hash:
        comparison.rows_within_tolerance, unmatched = pair_within_tolerance(con, floats)
        if unmatched:
            comparison.problem = f"{unmatched} rows differ beyond the tolerance"
        else:
            comparison.indicators_differing = []  # only rounding straddled a digit there


# order-independent: the rows' hashes sorted, then hashed together
HASH_OF_ROWS = "coalesce(md5(string_agg(row_hash, ',' order by row_hash)), md5(''))"


def row_hash(texts: list[str]) -> str:
    return f"md5(concat_ws(chr(31), {', '.join(texts) or chr(39) * 2}))"


def normalised(column: str, is_float: bool, build_start: str | None) -> str:
    """A column as text, the same for both engines: floats to FLOAT_DIGITS significant digits,
    the build's start time as one token, null as a marker."""
    quoted = f'"{column}"'
    if is_float:
        text = f"printf('%.{FLOAT_DIGITS}g', cast({quoted} as double))"
    elif build_start is not None and column in ("recorded_at", "valid_from", "valid_to"):
        text = (f"case when {quoted} = ({build_start}) then '{BUILD_TIME}' "
                f"else cast({quoted} as varchar) end")
    else:
        text = f"cast({quoted} as varchar)"
    return f"coalesce({text}, '<null>')"


def pair_within_tolerance(con, floats: set[str]) -> tuple[int, int]:
    """Rows on one side only, paired with a row of the other side equal in every other column:
    (rows whose floats are all within RELATIVE_TOLERANCE of their partner's, rows left over)."""
    close = " and ".join(
        f'(a."{c}" is not distinct from b."{c}" or abs(a."{c}" - b."{c}") '
        f'<= {RELATIVE_TOLERANCE} * greatest(abs(a."{c}"), abs(b."{c}")))'
        for c in sorted(floats)
    ) or "true"
    counts = []
    for one, other in (("duckdb_side_rows", "spark_side_rows"),
                       ("spark_side_rows", "duckdb_side_rows")):
        counts.append(con.execute(f"""
            with only_here as (
                select * from {one} where row_hash not in (select row_hash from {other})
            ),
            only_there as (
                select * from {other} where row_hash not in (select row_hash from {one})
            )
            select count(*) filter (where exists (
                       select 1 from only_there as b
                       where b.exact_hash = a.exact_hash and {close}
                   )),
                   count(*)
            from only_here as a
        """).fetchone())
    (paired, only_duckdb), (paired_back, only_spark) = counts
    return paired, (only_duckdb - paired) + (only_spark - paired_back)


def format_comparisons(comparisons: list[MartComparison]) -> str:
    return tabulate(
        [
            [c.mart, c.duckdb_rows, c.spark_rows if c.spark_rows is not None else "-",
             c.duckdb_hash[:8], (c.spark_hash or "-")[:8],
             f"{c.indicators - len(c.indicators_differing)}/{c.indicators}" if c.indicators
             else "",
             c.rows_within_tolerance or "",
             "match" if c.matches else f"DIFFERS: {c.problem}"
             + (f" (indicators: {', '.join(c.indicators_differing[:5])}"
                f"{' …' if len(c.indicators_differing) > 5 else ''})"
                if c.indicators_differing else "")]
            for c in comparisons
        ],
        headers=["mart", "rows DuckDB", "rows Spark", "hash DuckDB", "hash Spark",
                 "indicators equal", "rows within tolerance", "result"],
    )


def published_run_id(published_db: Path) -> str:
    with duckdb.connect(str(published_db), read_only=True) as con:
        return con.execute("select any_value(run_id) from meta.publication").fetchone()[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--home", type=Path,
        help="TWRESAS_HOME to build in (default: a temporary folder, removed afterwards)")
    args = parser.parse_args(argv)
    home = (args.home or Path(tempfile.mkdtemp(prefix="twresas-spark-check-"))).resolve()
    # the bundled snapshots, the usual DuckDB pipeline first, whatever the environment says
    settings = read_settings({**os.environ, "TWRESAS_HOME": str(home),
                              "TWRESAS_GX_ROOT": str(home / "expectations"),
                              "TWRESAS_SOURCE_MODE": "snapshot", "TWRESAS_DBT_TARGET": "duckdb"})
    resources = bound_resources(settings)
    warehouse = resources["warehouse"]
    try:
        started = time.monotonic()
        if not run_all(resources).success:
            print("spark-check: the DuckDB pipeline run failed; nothing to compare",
                  file=sys.stderr)
            return 1
        print(f"DuckDB pipeline (raw loads, dbt build, gates, publication): "
              f"{time.monotonic() - started:.0f} s")
        run_id = published_run_id(warehouse.published_db)
        try:
            # the same nodes on both engines, one after the other on this machine
            duckdb_seconds = run_dbt(warehouse, "duckdb", BUILD_MODELS, run_id)
            spark_seconds = build_on_spark(warehouse, run_id)
        except DbtFailed as exc:
            print(f"spark-check: {exc}", file=sys.stderr)
            return 1
        print(f"dbt seeds and models from scratch: DuckDB {duckdb_seconds:.0f} s, "
              f"Spark {spark_seconds:.0f} s")
        comparisons = compare_marts(warehouse.published_db, warehouse)
        print(format_comparisons(comparisons))
        differing = [c.mart for c in comparisons if not c.matches]
        print(f"floats compared to {FLOAT_DIGITS} significant digits, else within a relative "
              f"{RELATIVE_TOLERANCE:g}; {len(comparisons) - len(differing)} of "
              f"{len(comparisons)} marts match")
        return 1 if differing else 0
    finally:
        if args.home is None:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
