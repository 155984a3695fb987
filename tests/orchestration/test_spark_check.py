"""The comparison behind `make spark-check` (orchestration.spark_check), on small marts: a
published DuckDB file against Parquet folders laid out as Spark writes its tables."""

from datetime import datetime

import duckdb

from orchestration import spark_check
from orchestration.dbt_project import expose_spark_marts

VALUES = [("population", "A", 1.0), ("population", "B", 2.5), ("births", "A", 1 / 3)]


def publish(warehouse, marts: dict[str, str]) -> None:
    """A published file with `marts` (name -> select) and their meta.publication rows."""
    warehouse.warehouse_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse.published_db)) as con:
        con.execute("create schema marts; create schema meta")
        con.execute("create table meta.publication (run_id varchar, mart varchar)")
        for mart, select in marts.items():
            con.execute(f"create table marts.{mart} as {select}")
            con.execute("insert into meta.publication values ('run-1', ?)", [mart])


def write_spark_table(warehouse, mart: str, select: str, files: int = 2) -> None:
    """`select` as Spark leaves a table: several part files in marts.db/<mart>/."""
    folder = warehouse.spark_dir / "tables" / "marts.db" / mart
    folder.mkdir(parents=True)
    with duckdb.connect() as con:
        con.execute(f"create table rows as {select}")
        for part in range(files):
            con.execute(f"copy (select * from rows where hash(rows) % {files} = {part}) "
                        f"to '{folder}/part-{part:05d}.snappy.parquet' (format parquet)")


def values_select(rows) -> str:
    return "select * from (values " + ", ".join(
        f"('{code}', '{region}', {value!r}::double)" for code, region, value in rows
    ) + ") as t(indicator_code, region_code, value)"


def compare(warehouse) -> dict[str, spark_check.MartComparison]:
    return {c.mart: c for c in spark_check.compare_marts(warehouse.published_db, warehouse)}


def test_the_same_rows_in_another_order_and_files_match(warehouse):
    publish(warehouse, {"fct_values": values_select(VALUES)})
    write_spark_table(warehouse, "fct_values", values_select(reversed(VALUES)), files=3)

    result = compare(warehouse)["fct_values"]

    assert result.matches
    assert (result.duckdb_rows, result.spark_rows) == (3, 3)
    assert result.duckdb_hash == result.spark_hash
    assert (result.indicators, result.indicators_differing) == (2, [])


def test_floats_summed_in_another_order_match_within_the_tolerance(warehouse):
    # 0.1 + 0.2 + 0.3 in two orders: equal to 15 digits, not to the last bit
    left, right = (0.1 + 0.2) + 0.3, 0.1 + (0.2 + 0.3)
    assert left != right
    publish(warehouse, {"fct_values": values_select([("births", "A", left),
                                                     ("births", "B", 0.6000000005)])})
    write_spark_table(warehouse, "fct_values",
                      values_select([("births", "A", right), ("births", "B", 0.6000000005)]))

    assert compare(warehouse)["fct_values"].matches


def test_a_value_beyond_the_tolerance_names_its_indicator(warehouse):
    publish(warehouse, {"fct_values": values_select(VALUES)})
    changed = [("births", "A", 1 / 3 * (1 + 1e-6)), *VALUES[:2]]
    write_spark_table(warehouse, "fct_values", values_select(changed))

    result = compare(warehouse)["fct_values"]

    assert not result.matches
    assert result.problem == "2 rows differ beyond the tolerance"  # one on each side
    assert result.indicators_differing == ["births"]
    assert "births" in spark_check.format_comparisons([result])


def test_a_rounding_straddle_is_paired_not_reported(warehouse):
    # neighbouring doubles that round to different 9th digits (…788 and …789)
    publish(warehouse, {"fct_values": values_select([("births", "A", 0.1234567885)])})
    write_spark_table(warehouse, "fct_values",
                      values_select([("births", "A", 0.12345678850000001)]))

    straddle = compare(warehouse)["fct_values"]

    assert straddle.duckdb_hash != straddle.spark_hash
    assert straddle.rows_within_tolerance == 1
    assert straddle.matches
    assert straddle.indicators_differing == []


def test_a_missing_row_or_table_or_column_differs(warehouse):
    publish(warehouse, {"fct_values": values_select(VALUES), "dim_things": "select 1 as id",
             "fct_wide": "select 1 as id, 'x' as label"})
    write_spark_table(warehouse, "fct_values", values_select(VALUES[:2]))
    write_spark_table(warehouse, "fct_wide", "select 1 as id", files=1)

    results = compare(warehouse)

    assert results["fct_values"].problem == "row counts differ"
    assert results["fct_values"].indicators_differing == ["births"]
    assert results["dim_things"].problem == "no table on Spark"
    assert results["fct_wide"].problem.startswith("columns differ (missing on Spark: ['label']")


def test_the_build_start_of_each_history_build_compares_as_one_token(warehouse):
    def history(build_start: datetime, withdrawn_at: datetime) -> str:
        return (
            "select * from (values "
            f"('births', 1.0, timestamp '2020-01-01', timestamp '{withdrawn_at}', "
            "  timestamp '2020-01-01'), "
            f"('births', 2.0, timestamp '{build_start}', null, timestamp '{build_start}')"
            ") as t(indicator_code, value, valid_from, valid_to, recorded_at)"
        )

    duckdb_start, spark_start = datetime(2026, 11, 30, 10), datetime(2026, 11, 30, 11)
    publish(warehouse, {spark_check.HISTORY_MART: history(duckdb_start, datetime(2021, 1, 1))})
    write_spark_table(warehouse, spark_check.HISTORY_MART,
                      history(spark_start, datetime(2021, 1, 1)))
    assert compare(warehouse)[spark_check.HISTORY_MART].matches

    # any other time is compared as it is
    tables = warehouse.spark_dir / "tables"
    (tables / "marts.db" / spark_check.HISTORY_MART).rename(tables / "old")
    write_spark_table(warehouse, spark_check.HISTORY_MART,
                      history(spark_start, datetime(2021, 1, 2)))
    assert not compare(warehouse)[spark_check.HISTORY_MART].matches


def test_a_failed_spark_build_names_the_model_and_the_error(tmp_path):
    log = tmp_path / "dbt.log"
    log.write_text(
        "12:01:01  1 of 1 ERROR creating sql view model staging.fct_x\n"
        "12:01:02  Failure in model fct_x (models/marts/fct_x.sql)\n"
        "12:01:02    Runtime Error in model fct_x (models/marts/fct_x.sql)\n"
        "  Runtime Error\n    [PARSE_SYNTAX_ERROR] Syntax error at or near 'by'\n")
    assert spark_check.first_failure(log) == (
        "model fct_x (models/marts/fct_x.sql): "
        "[PARSE_SYNTAX_ERROR] Syntax error at or near 'by'")


def test_on_the_spark_target_the_gates_and_the_publication_read_what_spark_built(warehouse):
    with warehouse.connect_work_db() as con:  # DuckDB's earlier build of one mart
        con.execute("create schema marts")
        con.execute("create table marts.fct_values as select 'old' as indicator_code")
    write_spark_table(warehouse, "fct_values", values_select(VALUES))

    assert expose_spark_marts(warehouse, ["fct_values", "fct_not_built"]) == ["fct_values"]

    with warehouse.connect_work_db(read_only=True) as con:
        assert sorted(con.execute("select indicator_code from marts.fct_values").fetchall()) \
            == [("births",), ("population",), ("population",)]
        assert con.execute("select table_type from information_schema.tables "
                           "where table_name = 'fct_not_built'").fetchall() == []
