"""Real estate (domain 6, 實價登錄): one partition per season zip, as the publisher ships them.

A season (109S3 = 民國109年第3季) is a publication quarter: its zip holds what the publisher
released in that quarter, whatever the transaction dates. Each run fetches one season, loads
`raw.lvr_land` with DuckDB's own CSV reader (delete-then-insert of that season, so re-runs and
re-releases are idempotent) and records the rows read per file in `raw.lvr_land_files`, which
dbt reconciles against what it staged and quarantined.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import dagster as dg

from orchestration.lib import (
    FETCH_RETRY,
    PARTITIONED_TAG,
    RAW_SCHEMA,
    TIMEZONE,
    connect_work_db,
    freshness_policy,
    release_job,
    release_sensor,
    settings,
)
from sources import real_estate
from sources.errors import SourceError
from sources.http import fetch, fetch_url
from sources.landing import Landed

GROUP = "town"
SOURCE = real_estate.LVR_LAND
RAW_TABLE = SOURCE.id
FILES_TABLE = "lvr_land_files"


def today_in_taipei() -> date:
    return datetime.now(ZoneInfo(TIMEZONE)).date()


# Every season from the first (101S3) to the one in progress: the list is the calendar's, so a
# season exists as a partition before the publisher lists it, and the sensor can ask for it.
lvr_seasons = dg.StaticPartitionsDefinition(
    real_estate.seasons_through(real_estate.season_of(today_in_taipei()))
)


def fetch_season_list() -> list[str]:
    """The seasons the publisher's download page offers now (live mode). The list is landed
    like any body, so a refusal names the file that was answered."""
    landed = fetch_url(SOURCE, real_estate.season_list_url(), expected="html")
    try:
        return real_estate.parse_season_list(landed.read_bytes())
    except SourceError as exc:
        raise SourceError(exc.source_id, f"{landed.url} landed as {landed.path}",
                          exc.problem) from exc


def seasons_to_run() -> list[str]:
    """Snapshot mode: the bundled seasons. Live: the newest season the publisher lists."""
    known = set(lvr_seasons.get_partition_keys())
    if settings.source_mode() == "snapshot":
        bundled = {s.params["season"] for s in SOURCE.snapshots}
        return [key for key in lvr_seasons.get_partition_keys() if key in bundled]
    return [season for season in fetch_season_list() if season in known][-1:]


def load_raw_season(landed: Landed, season: str) -> list[real_estate.FileStats]:
    """Replace one season in raw.lvr_land and its row counts in raw.lvr_land_files."""
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    with connect_work_db() as con:
        con.execute("set enable_progress_bar = false")  # it would draw into the run's log
        con.execute(f"create schema if not exists {RAW_SCHEMA}")
        con.execute(f"use {RAW_SCHEMA}")
        stats = real_estate.load_season(con, landed.path, season, RAW_TABLE)
        con.execute(
            f"""
            create table if not exists {FILES_TABLE} (
                season varchar, source_file varchar, kind varchar, rows_read bigint,
                raw_sha256 varchar, url varchar, is_synthetic boolean, loaded_at timestamp
            )
            """
        )
        con.execute("begin")
        con.execute(f"delete from {FILES_TABLE} where season = ?", [season])
        con.executemany(
            f"insert into {FILES_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [season, s.file, real_estate.MEMBER.fullmatch(s.file)[2].lower(), s.rows_read,
                 landed.sha256, landed.url, landed.synthetic, loaded_at]
                for s in stats
            ],
        )
        con.execute("commit")
    return stats


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key=dg.AssetKey([RAW_SCHEMA, RAW_TABLE]),
            group_name=GROUP,
            kinds={"python", "duckdb"},
            tags={PARTITIONED_TAG: "true"},
            freshness_policy=freshness_policy(SOURCE),
            metadata={"source_id": SOURCE.id, "publisher": SOURCE.publisher,
                      "cadence": SOURCE.cadence},
            description="實價登錄 transactions of one season, every column as published (text).",
        ),
        dg.AssetSpec(
            key=dg.AssetKey([RAW_SCHEMA, FILES_TABLE]),
            group_name=GROUP,
            kinds={"duckdb"},
            tags={PARTITIONED_TAG: "true"},
            description="Rows read per file of each season, for the reconciliation in dbt.",
        ),
    ],
    name="raw__lvr_land",
    partitions_def=lvr_seasons,
    retry_policy=FETCH_RETRY,
)
def lvr_land(context: dg.AssetExecutionContext):
    season = context.partition_key
    landed = fetch(SOURCE, season=season)
    stats = load_raw_season(landed, season)
    rows = sum(s.rows_read for s in stats)
    lineage = {
        "source_id": SOURCE.id,
        "attribution": SOURCE.attribution,
        "urls": dg.MetadataValue.json([landed.url]),
        "raw_sha256": dg.MetadataValue.json([landed.sha256]),
        "mode": landed.mode,
        "synthetic": landed.synthetic,
    }
    yield dg.MaterializeResult(
        asset_key=dg.AssetKey([RAW_SCHEMA, RAW_TABLE]),
        metadata={
            "dagster/row_count": dg.MetadataValue.int(rows),
            "rows_read_per_file": dg.MetadataValue.json({s.file: s.rows_read for s in stats}),
            **lineage,
        },
    )
    yield dg.MaterializeResult(
        asset_key=dg.AssetKey([RAW_SCHEMA, FILES_TABLE]),
        metadata={"dagster/row_count": dg.MetadataValue.int(len(stats)), **lineage},
    )


lvr_land_job = release_job(
    "lvr_land_seasonal",
    selection=dg.AssetSelection.assets(lvr_land),
    partitions_def=lvr_seasons,
    keys_to_run=seasons_to_run,
    description="Fetch one 實價登錄 season zip and load it into raw.lvr_land.",
)


@dg.schedule(
    cron_schedule="0 10 11 1,4,7,10 *",
    job=lvr_land_job,
    execution_timezone=TIMEZONE,
    description="Quarterly, on the 11th release day after a season closes (see README).",
)
def lvr_land_seasonal_schedule(context: dg.ScheduleEvaluationContext):
    # A season closes with the publisher's release of the 21st of its last month; the season
    # zip appears in the list in the following days. The 11th (itself a 實價登錄 2.0 release
    # day: 1st, 11th, 21st) leaves a margin; the sensor picks up anything later.
    day = context.scheduled_execution_time.date()
    season = real_estate.season_of(day - timedelta(days=20))
    return dg.RunRequest(run_key=f"{season}@{day.isoformat()}", partition_key=season)


def season_candidates() -> list[tuple[str, dict[str, str]]]:
    """The two newest listed seasons: a new one appears, the one before may be re-released."""
    known = set(lvr_seasons.get_partition_keys())
    listed = [season for season in fetch_season_list() if season in known]
    return [(season, {"season": season}) for season in listed[-2:]]


lvr_land_sensor = release_sensor(
    "lvr_land_release_sensor", SOURCE, lvr_land_job, season_candidates
)


@dg.asset_check(
    asset=dg.AssetKey(["marts", "fct_real_estate_file_reconciliation"]),
    name="rows_read_equal_staged_plus_quarantined",
    description="Every row read from every 實價登錄 file is either staged or quarantined.",
)
def lvr_land_reconciliation(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
    with connect_work_db(read_only=True) as con:
        frame = con.execute(
            "select * from marts.fct_real_estate_file_reconciliation order by season, source_file"
        ).df()
    unbalanced = frame[frame["rows_unaccounted"] != 0]
    return dg.AssetCheckResult(
        passed=unbalanced.empty,
        metadata={
            "files": len(frame),
            "rows_read": int(frame["rows_read"].sum()),
            "rows_quarantined": int(frame["rows_quarantined"].sum()),
            "quarantined_by_file": dg.MetadataValue.md(frame.to_markdown(index=False)),
        },
        description=None if unbalanced.empty else f"unbalanced: {unbalanced.to_dict('records')}",
    )
