"""Real estate (domain 6, 實價登錄): one partition per season zip, as the publisher ships them.

A season (109S3 = 民國109年第3季) is a publication quarter: its zip holds what the publisher
released in that quarter, whatever the transaction dates. Each run fetches one season and, unless
the same zip was loaded by the same code today (reused_release), has
`sources.real_estate.load_season` load it into `raw.lvr_land` with DuckDB's own CSV reader and
record the rows read per file in `raw.lvr_land_files` (delete-then-insert of that season, in
one transaction, so re-runs and re-releases are idempotent); dbt reconciles those counts with
what it staged and quarantined (a test of fct_real_estate_file_reconciliation).
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import dagster as dg

from orchestration.policies import (
    FETCH_RETRY,
    OWNERS,
    PARTITIONED_TAG,
    TIMEZONE,
    freshness_policy,
)
from orchestration.raw import (
    RAW_SCHEMA,
    forget_load,
    load_fingerprint,
    load_name,
    record_load,
    reused_load,
    write_raw_parquet,
)
from orchestration.releases import release_job, release_sensor
from orchestration.resources import Http, Warehouse
from sources import real_estate
from sources.errors import SourceError
from sources.http import Fetcher, fetch, fetch_url
from sources.landing import Landed

GROUP = "town"
SOURCE = real_estate.LVR_LAND


def today_in_taipei() -> date:
    return datetime.now(ZoneInfo(TIMEZONE)).date()


# Every season from the first (101S3) to the one in progress: the list is the calendar's, so a
# season exists as a partition before the publisher lists it, and the sensor can ask for it.
lvr_seasons = dg.StaticPartitionsDefinition(
    real_estate.seasons_through(real_estate.season_of(today_in_taipei()))
)


def fetch_season_list(fetcher: Fetcher) -> list[str]:
    """The seasons the publisher's download page offers now (live mode). The list is landed
    like any body, so a refusal names the file that was answered."""
    landed = fetch_url(SOURCE, real_estate.season_list_url(fetcher.http), expected="html",
                       fetcher=fetcher)
    try:
        return real_estate.parse_season_list(landed.read_bytes())
    except SourceError as exc:
        raise SourceError(exc.source_id, f"{landed.url} landed as {landed.path}",
                          exc.problem) from exc


def seasons_to_run(fetcher: Fetcher) -> list[str]:
    """Snapshot mode: the bundled seasons. Live: the newest season the publisher lists."""
    known = set(lvr_seasons.get_partition_keys())
    if fetcher.http.mode == "snapshot":
        bundled = {s.params["season"] for s in SOURCE.snapshots}
        return [key for key in lvr_seasons.get_partition_keys() if key in bundled]
    return [season for season in fetch_season_list(fetcher) if season in known][-1:]


def load_raw_release(
    warehouse: Warehouse, source, landed: Landed, release: str, fingerprint: str | None = None
) -> list[real_estate.FileStats]:
    """Replace one release in raw.<source id> and its row counts in raw.<source id>_files. Every
    source's tables are created, empty when never loaded, so dbt can union them whatever has
    been loaded. With `fingerprint`, the load is recorded in raw._loads (reused_release)."""
    snapshot = source.snapshot_for(**{PARAM[source.id]: release}) if landed.mode == "snapshot" \
        else None
    origin = real_estate.ReleaseOrigin(
        raw_sha256=landed.sha256, url=landed.url, is_synthetic=landed.synthetic,
        coverage=real_estate.release_coverage(source.id, snapshot and snapshot.file),
    )
    with warehouse.connect_work_db() as con:
        con.execute("set enable_progress_bar = false")  # it would draw into the run's log
        con.execute(f"create schema if not exists {RAW_SCHEMA}")
        con.execute(f"use {RAW_SCHEMA}")
        for each in real_estate.LVR_SOURCES:
            real_estate.create_table(con, each.id)
        forget_load(con, load_name(source.id, ("release", release)))
        stats = real_estate.load_season(
            con, landed.path, real_estate.release_season(release), source.id, release=release,
            source_id=source.id, origin=origin,
        )
        for each in real_estate.LVR_SOURCES:  # dbt unions them all, loaded or not
            write_raw_parquet(warehouse, con, each.id, "release",
                              release if each is source else None)
            write_raw_parquet(warehouse, con, real_estate.files_table(each.id))
        if fingerprint is not None:
            record_load(con, load_name(source.id, ("release", release)), fingerprint)
    return stats


def reused_release(warehouse: Warehouse, source, landed: Landed, fingerprint: str,
                   release: str) -> list[real_estate.FileStats] | None:
    """The row counts per file of `release` as its last load recorded them, when that load was
    parsed from `fingerprint` and its rows and Parquet mirror are there (else None: load it).
    Its rows keep their load time, so dbt's incremental models re-process nothing."""
    if reused_load(warehouse, source, [landed], fingerprint, release=("release", release)) is None:
        return None
    files = real_estate.files_table(source.id)
    with warehouse.connect_work_db() as con:
        rows = con.execute(
            "select source_file, kind, rows_read, header_fields, schema_file"
            f' from {RAW_SCHEMA}."{files}" where release = ? order by source_file', [release]
        ).fetchall()
    return [real_estate.FileStats(*row) for row in rows] or None


def load_raw_season(
    warehouse: Warehouse, landed: Landed, season: str
) -> list[real_estate.FileStats]:
    """Replace one season zip of the publisher in raw.lvr_land and raw.lvr_land_files."""
    return load_raw_release(warehouse, SOURCE, landed, season)


# The URL parameter naming each source's release (its partition key).
PARAM = {SOURCE.id: "season", real_estate.LVR_LAND_MIRROR.id: "season",
         real_estate.LVR_LAND_ISSUE.id: "issue"}


def release_raw_asset(source, partitions_def, description: str):
    """The raw and files tables of one 實價登錄 source, one partition per release zip."""

    @dg.multi_asset(
        specs=[
            dg.AssetSpec(
                key=dg.AssetKey([RAW_SCHEMA, source.id]),
                group_name=GROUP,
                owners=OWNERS,
                kinds={"python", "duckdb"},
                tags={PARTITIONED_TAG: "true"},
                freshness_policy=freshness_policy(source),
                metadata={"source_id": source.id, "publisher": source.publisher,
                          "cadence": source.cadence, "kind": source.kind},
                description=description,
            ),
            dg.AssetSpec(
                key=dg.AssetKey([RAW_SCHEMA, real_estate.files_table(source.id)]),
                group_name=GROUP,
                owners=OWNERS,
                kinds={"duckdb"},
                tags={PARTITIONED_TAG: "true"},
                description="Rows read per file of each release, its coverage (season, issue or"
                " subset), for the reconciliation in dbt.",
            ),
        ],
        name=f"raw__{source.id}",
        partitions_def=partitions_def,
        retry_policy=FETCH_RETRY,
    )
    def _asset(context: dg.AssetExecutionContext, warehouse: Warehouse, http: Http):
        with http.failures_final_offline():
            release = context.partition_key
            fetcher = http.fetcher(warehouse.landing_zone())
            landed = fetch(source, fetcher=fetcher, **{PARAM[source.id]: release})
            fingerprint = load_fingerprint(source.id, [landed], release=release)
            stats = reused_release(warehouse, source, landed, fingerprint, release)
            reused = stats is not None
            if not reused:
                stats = load_raw_release(warehouse, source, landed, release, fingerprint)
            rows = sum(s.rows_read for s in stats)
            lineage = {
                "source_id": source.id,
                "attribution": source.attribution,
                "urls": dg.MetadataValue.json([landed.url]),
                "raw_sha256": dg.MetadataValue.json([landed.sha256]),
                "mode": landed.mode,
                "synthetic": landed.synthetic,
                "reused_unchanged_load": reused,
            }
            yield dg.MaterializeResult(
                asset_key=dg.AssetKey([RAW_SCHEMA, source.id]),
                metadata={
                    "dagster/row_count": dg.MetadataValue.int(rows),
                    "rows_read_per_file": dg.MetadataValue.json(
                        {s.file: s.rows_read for s in stats}),
                    **lineage,
                },
            )
            yield dg.MaterializeResult(
                asset_key=dg.AssetKey([RAW_SCHEMA, real_estate.files_table(source.id)]),
                metadata={"dagster/row_count": dg.MetadataValue.int(len(stats)), **lineage},
            )

    return _asset


lvr_land = release_raw_asset(
    SOURCE, lvr_seasons,
    "實價登錄 transactions of one season, every column as published (text).",
)


def bundled(source) -> list[str]:
    return [s.params[PARAM[source.id]] for s in source.snapshots]


# The mirror is one commit of a third party's repository: its bundled seasons are all it has.
lvr_mirror_seasons = dg.StaticPartitionsDefinition(bundled(real_estate.LVR_LAND_MIRROR))
lvr_land_mirror = release_raw_asset(
    real_estate.LVR_LAND_MIRROR, lvr_mirror_seasons,
    "實價登錄 season files as a crawler re-wrote them (縣市 appended, commas dropped from 備註):"
    " a mirror, kept apart from the publisher's zips.",
)
# A 10-day release is named by its date; the publisher keeps the last few for download.
lvr_issues = dg.StaticPartitionsDefinition(real_estate.issue_days_through(today_in_taipei()))
lvr_land_issue = release_raw_asset(
    real_estate.LVR_LAND_ISSUE, lvr_issues,
    "實價登錄 transactions of one 10-day release (not a season), every column as published.",
)


def mirror_seasons_to_run(fetcher: Fetcher) -> list[str]:
    return bundled(real_estate.LVR_LAND_MIRROR)


def issues_to_run(fetcher: Fetcher) -> list[str]:
    """Snapshot mode: the bundled 10-day releases. Live: none; run one by hand or backfill
    (a season zip, once out, holds its releases' rows)."""
    return bundled(real_estate.LVR_LAND_ISSUE) if fetcher.http.mode == "snapshot" else []


lvr_land_mirror_job = release_job(
    "lvr_land_mirror_release",
    selection=dg.AssetSelection.assets(lvr_land_mirror),
    partitions_def=lvr_mirror_seasons,
    keys_to_run=mirror_seasons_to_run,
    description="Load a mirrored 實價登錄 season into raw.lvr_land_mirror.",
)
lvr_land_issue_job = release_job(
    "lvr_land_issue_release",
    selection=dg.AssetSelection.assets(lvr_land_issue),
    partitions_def=lvr_issues,
    keys_to_run=issues_to_run,
    description="Fetch one 實價登錄 10-day release and load it into raw.lvr_land_issue.",
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


def season_candidates(fetcher: Fetcher) -> list[tuple[str, dict[str, str]]]:
    """The two newest listed seasons: a new one appears, the one before may be re-released."""
    known = set(lvr_seasons.get_partition_keys())
    listed = [season for season in fetch_season_list(fetcher) if season in known]
    return [(season, {"season": season}) for season in listed[-2:]]


lvr_land_sensor = release_sensor(
    "lvr_land_release_sensor", SOURCE, lvr_land_job, season_candidates
)
