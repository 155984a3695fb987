"""The same dbt project on Apache Spark (issue 16): built from the Parquet files the session's
raw loads wrote, every published mart of the session's DuckDB build equal to Spark's, as
`make spark-check` compares them (orchestration.spark_check). Spark builds in a home of its
own beside the session's (a copy of its raw Parquet files), which stays as it was built."""

import csv
import shutil

import duckdb
import pytest

from orchestration import spark_check
from orchestration.resources import Warehouse
from sources.settings import PROJECT_ROOT

pytestmark = [pytest.mark.pipeline, pytest.mark.spark]

SEEDS = PROJECT_ROOT / "dbt_project" / "seeds"


def query(sql: str) -> list[tuple]:
    """All rows, on a connection of its own (the module's default one is shared)."""
    with duckdb.connect() as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def spark_warehouse(pipeline_home, tmp_path_factory) -> Warehouse:
    home = tmp_path_factory.mktemp("spark")
    shutil.copytree(pipeline_home / "warehouse" / "raw_parquet", home / "warehouse" / "raw_parquet")
    return Warehouse(home=str(home), dbt_target="spark")


@pytest.fixture(scope="module")
def spark_comparisons(pipeline_home, spark_warehouse):
    published = pipeline_home / "warehouse" / "tw_resas.duckdb"
    spark_check.build_on_spark(spark_warehouse, spark_check.published_run_id(published))
    return spark_check.compare_marts(published, spark_warehouse)


def test_every_published_mart_is_the_same_on_spark(spark_comparisons):
    differing = [c.mart for c in spark_comparisons if not c.matches]
    assert not differing, "\n" + spark_check.format_comparisons(spark_comparisons)


def test_the_comparison_covers_every_published_mart_and_indicator(spark_comparisons, published):
    marts = {row[0] for row in published.execute("select mart from meta.publication").fetchall()}
    by_mart = {c.mart: c for c in spark_comparisons}
    assert set(by_mart) == marts
    indicators = published.execute(
        "select count(distinct indicator_code) from marts.fct_indicator_value").fetchone()[0]
    assert by_mart["fct_indicator_value"].indicators == indicators > 100


def test_seed_text_with_quotes_and_empty_cells_reaches_spark_as_published(
        spark_comparisons, spark_warehouse):
    """dbt-spark's session loader wrote Su'ao's quote into broken SQL and empty cells as 'None'."""
    seeds = spark_warehouse.spark_dir / "tables" / "reference.db"
    towns = query(f"select TOWNENG from read_parquet('{seeds}/town_codes_moi_20200324/*.parquet')")
    assert ("Su'ao Township",) in towns
    catalogue = query(
        "select count(*) filter (where dgbas_indicator_zh is null), "
        "count(*) filter (where dgbas_indicator_zh = 'None') "
        f"from read_parquet('{seeds}/indicator_catalogue/*.parquet')")
    with open(SEEDS / "indicator_catalogue.csv", encoding="utf-8", newline="") as handle:
        empty = sum(1 for row in csv.DictReader(handle) if row["dgbas_indicator_zh"] == "")
    assert empty > 100
    assert catalogue == [(empty, 0)]


def spark_table(warehouse: Warehouse, schema: str, table: str) -> str:
    return f"read_parquet('{warehouse.spark_dir}/tables/{schema}.db/{table}/**/*.parquet', " \
           "hive_partitioning = true)"


def content(source: str, excluded: list[str]) -> str:
    return query(
        "select md5(string_agg(row_hash, ',' order by row_hash)) from (select "
        f"md5(cast(t as varchar)) as row_hash from (select * exclude ({', '.join(excluded)}) "
        f"from {source}) as t)")[0][0]


def test_an_incremental_run_on_spark_replaces_a_reloaded_release_and_nothing_else(
        spark_comparisons, pipeline_home, spark_warehouse):
    """Spark has no delete+insert: the 實價登錄 models overwrite the partitions of their key.
    Reloading one season (a newer load time) must reprocess that season alone and give the
    rows a full build gave (this is where Spark once resolved a correlated name differently)."""
    checked = spark_table(spark_warehouse, "intermediate", "int_real_estate__transactions_checked")
    quarterly = spark_table(spark_warehouse, "intermediate", "int_real_estate__quarterly")
    volatile = ["loaded_at", "processed_at"]
    before = content(checked, volatile), content(quarterly, ["processed_at"])
    files = spark_warehouse.raw_parquet_dir / "lvr_land_files" / "table.parquet"
    original = files.read_bytes()
    try:
        query(
            "copy (select * replace (case when release = '109S3' then loaded_at + interval 1 hour"
            f" else loaded_at end as loaded_at) from read_parquet('{files}')) "
            f"to '{files}.new' (format parquet)")
        files.with_name(files.name + ".new").rename(files)
        run_id = spark_check.published_run_id(pipeline_home / "warehouse" / "tw_resas.duckdb")
        spark_check.run_dbt(spark_warehouse, "spark", ["run", "-s",
                            "int_real_estate__transactions_checked",
                            "int_real_estate__quarterly"], run_id)
    finally:
        files.write_bytes(original)

    reprocessed = query(
        f"select release, count(distinct processed_at) from {checked} group by release "
        "order by release")
    newest = query(f"select release from {checked} order by processed_at desc limit 1")
    assert newest == [("109S3",)]
    assert all(processed_times == 1 for _, processed_times in reprocessed)
    assert (content(checked, volatile), content(quarterly, ["processed_at"])) == before
