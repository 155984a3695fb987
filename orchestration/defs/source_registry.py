"""The source registry as a table: who publishes each source, what kind of file it is, under
which licence. `marts.dim_source` joins it with what the warehouse actually holds from each."""

import dagster as dg
import pandas as pd

from orchestration.policies import OWNERS
from orchestration.raw import RAW_SCHEMA, write_raw_parquet
from orchestration.resources import Warehouse
from sources.catalog import Source, all_sources

TABLE = "source_registry"
COLUMNS = [
    "source_id", "publisher", "dataset", "kind", "licence", "attribution", "url_template",
    "format", "cadence", "snapshot_files", "synthetic_snapshot_files", "notes",
]  # fmt: skip


def registry_frame(sources: dict[str, Source]) -> pd.DataFrame:
    """One row per source, from the `Source` objects in sources/ (the one description of each)."""
    return pd.DataFrame(
        [
            (
                source.id, source.publisher, source.dataset, source.kind, source.licence,
                source.attribution or source.publisher, source.base_url + source.path,
                source.format, source.cadence, len(source.snapshots),
                sum(snapshot.synthetic for snapshot in source.snapshots), source.notes,
            )
            for source in sources.values()
        ],
        columns=COLUMNS,
    )


@dg.asset(
    key=dg.AssetKey([RAW_SCHEMA, TABLE]),
    group_name="reference",
    owners=OWNERS,
    kinds={"python", "duckdb"},
    description="Every source defined in sources/: publisher, dataset, kind, licence, URL.",
)
def source_registry(warehouse: Warehouse) -> dg.MaterializeResult:
    frame = registry_frame(all_sources())
    with warehouse.connect_work_db() as con:
        con.execute(f"create schema if not exists {RAW_SCHEMA}")
        con.register("incoming_frame", frame)
        con.execute(f"create or replace table {RAW_SCHEMA}.{TABLE} as select * from incoming_frame")
        con.unregister("incoming_frame")
        write_raw_parquet(warehouse, con, TABLE)
    return dg.MaterializeResult(metadata={"dagster/row_count": dg.MetadataValue.int(len(frame))})
