"""BI tools read the published marts read-only, through SQLAlchemy + duckdb-engine or through
the Parquet export, and get the same rows."""

import json
import shutil

import duckdb
import pytest
import sqlalchemy

from orchestration.publish import content_hash_sql

pytestmark = pytest.mark.pipeline

# A mart up to this size is fetched whole both ways and compared row by row; a larger one by
# the publisher's order-independent content hash, computed through the driver and over the
# Parquet file (fetching the 3 million rows of all marts as Python tuples took 25 s).
FETCHED_WHOLE = 50_000


@pytest.fixture
def bi_engine(pipeline_home, tmp_path):
    """The engine a Superset/Metabase-style tool configures; disposed so no handle lingers.
    It opens a byte copy of the published file: DuckDB refuses a second in-process connection
    to a file with another configuration, and the session's `published` fixture holds one."""
    database = tmp_path / "tw_resas.duckdb"
    shutil.copyfile(pipeline_home / "warehouse" / "tw_resas.duckdb", database)
    engine = sqlalchemy.create_engine(f"duckdb:///{database}?access_mode=read_only")
    yield engine
    engine.dispose()


def test_sqlalchemy_read_only_and_parquet_agree(pipeline_home, bi_engine):
    parquet = pipeline_home / "warehouse" / "parquet" / "current"
    manifest = json.loads((parquet / "manifest.json").read_text())
    engine = bi_engine
    order = "order by all"
    fetched_whole = 0
    with engine.connect() as connection:
        for mart, entry in manifest["marts"].items():
            parquet_file = f"read_parquet('{parquet / entry['file']}')"
            assert entry["rows"] > 0
            if entry["rows"] > FETCHED_WHOLE:
                via_driver = connection.execute(
                    sqlalchemy.text(content_hash_sql(f"marts.{mart}"))).fetchall()
                assert via_driver == duckdb.sql(content_hash_sql(parquet_file)).fetchall(), mart
                assert via_driver[0][0] == entry["content_hash"], mart
                continue
            via_driver = connection.execute(
                sqlalchemy.text(f"select * from marts.{mart} {order}")
            ).fetchall()
            via_parquet = duckdb.sql(f"select * from {parquet_file} {order}").fetchall()
            assert len(via_driver) == entry["rows"]
            assert [tuple(r) for r in via_driver] == via_parquet, mart
            fetched_whole += 1
    assert fetched_whole >= 10  # most marts are compared row by row


def test_readers_cannot_write(bi_engine):
    with bi_engine.connect() as connection, pytest.raises(sqlalchemy.exc.DBAPIError):
        connection.execute(sqlalchemy.text("delete from marts.dim_region"))


def test_quality_report_records_gates_and_raw_files(pipeline_home):
    reports = sorted((pipeline_home / "warehouse" / "quality").glob("*/report.json"))
    report = json.loads(reports[0].read_text())
    assert report["published"] is True
    assert set(report["gates"]) >= {"fct_indicator_value", "dim_region", "dim_indicator"}
    assert all(gate["evaluated"] > 0 for gate in report["gates"].values())
    assert "moi_township_pop_density" in report["raw_files"]
    assert report["published_marts"]["dim_region"]["rows"] > 0
