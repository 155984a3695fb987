"""The value history (marts.fct_indicator_value_history) builds on the history last published,
not on the working database's previous build: this asset reads it back from
warehouse/tw_resas.duckdb into raw, so a build the gates refuse leaves no trace in the history
and a lost working database loses none."""

import dagster as dg

from orchestration.policies import OWNERS
from orchestration.publish import sql_literal
from orchestration.raw import RAW_SCHEMA, write_raw_parquet
from orchestration.resources import Warehouse

HISTORY_MART = "fct_indicator_value_history"
TABLE = "published_indicator_value_history"
# The mart's contract columns (dbt_project/models/marts/history/*.yml), for the empty table
# before the first publication
COLUMNS = (
    "mart varchar, indicator_code varchar, region_code varchar, period date, grain varchar, "
    "scenario varchar, value double, previous_value double, valid_from timestamp, "
    "valid_to timestamp, is_current boolean, valid_from_basis varchar, source_id varchar, "
    "raw_sha256 varchar, run_id varchar, recorded_at timestamp"
)


@dg.asset(
    key=dg.AssetKey([RAW_SCHEMA, TABLE]),
    group_name="core",
    owners=OWNERS,
    kinds={"duckdb"},
    description="The value history as last published (empty before the first publication).",
)
def published_indicator_value_history(warehouse: Warehouse) -> dg.MaterializeResult:
    published = warehouse.published_db
    with warehouse.connect_work_db() as con:
        con.execute(f"create schema if not exists {RAW_SCHEMA}")
        con.execute(f"create or replace table {RAW_SCHEMA}.{TABLE} ({COLUMNS})")
        found = False
        if published.exists():
            con.execute(f"attach {sql_literal(str(published))} as published (read_only)")
            found = con.execute(
                "select count(*) > 0 from information_schema.tables where table_catalog = "
                "'published' and table_schema = 'marts' and table_name = ?",
                [HISTORY_MART],
            ).fetchone()[0]
            if found:
                con.execute(
                    f"insert into {RAW_SCHEMA}.{TABLE} by name "
                    f"select * from published.marts.{HISTORY_MART}"
                )
            con.execute("detach published")
        rows = con.execute(f"select count(*) from {RAW_SCHEMA}.{TABLE}").fetchone()[0]
        write_raw_parquet(warehouse, con, TABLE)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": dg.MetadataValue.int(rows),
            "published_file": dg.MetadataValue.path(str(published)),
            "history_found": found,
        }
    )
