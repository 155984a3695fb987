"""The raw loads also write Parquet (orchestration.raw.write_raw_parquet): the same rows and
lineage columns as raw.<source>, which the Spark target reads as its sources."""

import duckdb
import pandas as pd
import pytest

from orchestration import raw
from sources.catalog import Source
from sources.landing import Landed

SOURCE = Source(id="test_counts", publisher="test", dataset="counts",
                base_url="https://example.test", path="/counts.csv", format="csv",
                encoding="utf-8", cadence="yearly")


def landed(sha256: str) -> Landed:
    return Landed(source_id=SOURCE.id, url="https://example.test/counts.csv",
                  retrieved_at="2026-11-30T00:00:00Z", http_status=200, bytes=1, sha256=sha256,
                  mode="snapshot", path=None, synthetic=False, accepted=True, problem=None)


def read_folder(warehouse, table: str) -> pd.DataFrame:
    folder = warehouse.raw_parquet_dir / table
    return duckdb.sql(f"select * from read_parquet('{folder}/*.parquet')").df()


def raw_table(warehouse, table: str) -> pd.DataFrame:
    with warehouse.connect_work_db(read_only=True) as con:
        return con.execute(f'select * from raw."{table}"').df()


def test_a_whole_raw_table_is_one_file_with_its_lineage_columns(warehouse):
    frame = pd.DataFrame({"region": ["臺北市", "Su'ao"], "count": [1, 2]})
    raw.write_raw_table(warehouse, SOURCE, raw.with_lineage(frame, landed("a" * 64)),
                        [landed("a" * 64)])

    assert [p.name for p in (warehouse.raw_parquet_dir / SOURCE.id).iterdir()] == ["table.parquet"]
    written = read_folder(warehouse, SOURCE.id)
    assert list(written.columns) == ["region", "count", "_source_id", "_raw_sha256",
                                     "_is_synthetic"]
    pd.testing.assert_frame_equal(written, raw_table(warehouse, SOURCE.id))


def test_a_release_rewrites_its_own_file_and_keeps_the_others(warehouse):
    def load(month: str, counts: list[int]):
        frame = pd.DataFrame({"month": month, "count": counts})
        raw.write_raw_partition(warehouse, SOURCE, frame, [landed(month * 16)], "month", month)

    load("2025", [1, 2])
    load("2026", [3])
    first_2025 = (warehouse.raw_parquet_dir / SOURCE.id / "release-2025.parquet").stat().st_mtime_ns
    load("2026", [4, 5])

    folder = warehouse.raw_parquet_dir / SOURCE.id
    assert sorted(p.name for p in folder.iterdir()) == ["release-2025.parquet",
                                                        "release-2026.parquet"]
    assert (folder / "release-2025.parquet").stat().st_mtime_ns == first_2025
    assert sorted(read_folder(warehouse, SOURCE.id)["count"]) == [1, 2, 4, 5]


def test_an_empty_table_still_tells_its_columns_and_a_lost_release_loses_its_file(warehouse):
    with warehouse.connect_work_db() as con:
        con.execute("create schema raw")
        con.execute("create table raw.files (release varchar, rows_read bigint)")
        raw.write_raw_parquet(warehouse, con, "files", "release")
        folder = warehouse.raw_parquet_dir / "files"
        assert [p.name for p in folder.iterdir()] == ["table.parquet"]
        assert list(read_folder(warehouse, "files").columns) == ["release", "rows_read"]

        con.execute("insert into raw.files values ('109S3', 10), ('115S1', 20)")
        raw.write_raw_parquet(warehouse, con, "files", "release", "115S1")
        assert sorted(p.name for p in folder.iterdir()) == ["release-109S3.parquet",
                                                            "release-115S1.parquet"]

        con.execute("delete from raw.files where release = '109S3'")
        raw.write_raw_parquet(warehouse, con, "files", "release", "115S1")
        assert [p.name for p in folder.iterdir()] == ["release-115S1.parquet"]


def test_a_release_that_cannot_name_a_file_is_refused(warehouse):
    with warehouse.connect_work_db() as con:
        con.execute("create schema raw")
        con.execute("create table raw.files as select '../x' as release")
        with pytest.raises(ValueError, match=r"raw.files: release '../x' cannot name a Parquet"):
            raw.write_raw_parquet(warehouse, con, "files", "release", "../x")
