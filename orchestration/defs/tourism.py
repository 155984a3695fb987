"""Tourism (domain 5): 觀光署 visitors to the principal recreation spots, one partition per year.

The publisher serves ONE national CSV holding every year (one row per spot and year, months
across), re-issued as months are added. Partitions are years, not months: a spot-year row with
its 合計 is the publisher's unit (a month is a column of it, and the 合計 check needs the whole
row), revisions arrive as a re-issued year, and the monthly schedule only ever has to reload the
year in progress. A run lands the whole file (stored once, by hash) and loads the rows of its
years into raw.tourism_spot_visitors, replacing only those years. A range of years is one run
(a single-run backfill policy): the file is parsed once for all of them, and `make run` loads
the ten bundled years in one run instead of ten.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import dagster as dg
import pandas as pd

from orchestration.policies import (
    FETCH_RETRY,
    OWNERS,
    PARTITIONED_TAG,
    TIMEZONE,
    freshness_policy,
)
from orchestration.raw import (
    RAW_SCHEMA,
    load_fingerprint,
    raw_asset_key,
    reused_load,
    with_lineage,
    write_raw_partition,
)
from orchestration.releases import release_job, release_sensor
from orchestration.resources import Http, Warehouse
from sources import tourism
from sources.http import Fetcher, fetch, parse_landed

GROUP = "tourism"
SOURCE = tourism.VISITORS

# The bundled release starts in 2012; end_offset=1 makes the year in progress a partition.
visitor_years = dg.TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1 *", start="2012", fmt="%Y", timezone=TIMEZONE, end_offset=1
)


def years_to_run(fetcher: Fetcher) -> list[str]:
    """Snapshot mode: every year of the bundled release. Live: the two newest years in the
    file (the year in progress, and the one before, which the publisher still revises)."""
    snapshot = fetcher.http.mode == "snapshot"
    if snapshot:
        visitors = tourism.parse_visitors(SOURCE.snapshot_path(SOURCE.snapshots[0]).read_bytes())
    else:
        visitors = parse_landed(fetch(SOURCE, fetcher=fetcher), tourism.parse_visitors)
    years = {str(year) for year in visitors["year"].unique()}
    keys = [key for key in visitor_years.get_partition_keys() if key in years]
    return keys if snapshot else keys[-2:]


@dg.asset(
    key=raw_asset_key(SOURCE),
    group_name=GROUP,
    owners=OWNERS,
    kinds={"python", "duckdb"},
    partitions_def=visitor_years,
    backfill_policy=dg.BackfillPolicy.single_run(),
    tags={PARTITIONED_TAG: "true"},
    retry_policy=FETCH_RETRY,
    freshness_policy=freshness_policy(SOURCE),
    description="觀光署 visitors per spot and month, the rows of the run's years of the national"
                " file.",
)
def tourism_spot_visitors(
    context: dg.AssetExecutionContext, warehouse: Warehouse, http: Http
) -> dg.MaterializeResult:
    with http.failures_final_offline():
        landed = fetch(SOURCE, fetcher=http.fetcher(warehouse.landing_zone()))
        visitors = None  # the whole file, parsed once and only if a year is not reused
        loads, not_adding_up = [], []
        for year in context.partition_keys:
            fingerprint = load_fingerprint(SOURCE.id, [landed], year=year)
            metadata = reused_load(warehouse, SOURCE, [landed], fingerprint, release=("year", year))
            if metadata is not None:  # the year's rows and load time stay: dbt re-processes nothing
                of_year = loaded_year(warehouse, year)
            else:
                if visitors is None:
                    visitors = parse_landed(landed, tourism.parse_visitors)
                of_year = visitors[visitors["year"] == int(year)]
                # the load time tells dbt's incremental models which years to re-process
                frame = with_lineage(of_year, landed, loaded_at=datetime.now(UTC).isoformat())
                metadata = write_raw_partition(warehouse, SOURCE, frame, [landed], "year", year,
                                               fingerprint=fingerprint)
            mismatches = tourism.reconcile_annual_totals(of_year)
            metadata["spot_rows_read"] = dg.MetadataValue.int(len(of_year) // 12)
            metadata["rows_not_adding_up_to_合計"] = dg.MetadataValue.int(len(mismatches))
            loads.append((year, metadata))
            if not mismatches.empty:
                not_adding_up.append(mismatches.assign(year=int(year)))
        return dg.MaterializeResult(metadata=run_metadata(loads, not_adding_up))


def run_metadata(loads: list[tuple[str, dict]], not_adding_up: list[pd.DataFrame]) -> dict:
    """The materialisation's metadata: a one-year run's own; a range's (which every year of
    the range carries) sums the counts and lists each year's."""
    if len(loads) == 1:
        ((_, metadata),) = loads
    else:
        counts = ("spot_rows_read", "rows_not_adding_up_to_合計")
        metadata = {name: dg.MetadataValue.int(sum(m[name].value for _, m in loads))
                    for name in counts}
        metadata["years"] = dg.MetadataValue.md(pd.DataFrame(
            [{"year": year, **{name: m[name].value for name in counts}} for year, m in loads]
        ).to_markdown(index=False))
    if not_adding_up:
        metadata["not_adding_up"] = dg.MetadataValue.md(
            pd.concat(not_adding_up).to_markdown(index=False))
    return metadata


def loaded_year(warehouse: Warehouse, year: str) -> pd.DataFrame:
    """The parsed rows of `year` as loaded (raw.tourism_spot_visitors without its lineage)."""
    with warehouse.connect_work_db() as con:
        return con.execute(
            "select columns(lambda c: not starts_with(c, '_'))"
            f' from {RAW_SCHEMA}."{SOURCE.id}" where year = ?',
            [int(year)]).df()


tourism_visitors_job = release_job(
    "tourism_visitors_yearly",
    selection=dg.AssetSelection.assets(tourism_spot_visitors),
    partitions_def=visitor_years,
    keys_to_run=years_to_run,
    description="Load years of the 觀光署 spot visitor file (a range of years is one run).",
)


def year_of_last_month(day) -> str:
    return str((day.replace(day=1) - timedelta(days=1)).year)


@dg.schedule(
    cron_schedule="0 9 25 * *",
    job=tourism_visitors_job,
    execution_timezone=TIMEZONE,
    description="Monthly, once the previous month is in the re-issued file; loads its year.",
)
def tourism_visitors_monthly_schedule(context: dg.ScheduleEvaluationContext):
    # The file gains a month in the weeks after it ends; on 25 January the month added is
    # December, so the year to reload is the previous one.
    day = context.scheduled_execution_time.date()
    year = year_of_last_month(day)
    return dg.RunRequest(run_key=f"{year}@{day.isoformat()}", partition_key=year)


def visitor_candidates(fetcher: Fetcher) -> list[tuple[str, dict[str, str]]]:
    """One URL for every year: a changed file reloads the year its newest month belongs to."""
    return [(year_of_last_month(datetime.now(ZoneInfo(TIMEZONE)).date()), {})]


tourism_visitors_sensor = release_sensor(
    "tourism_visitors_release_sensor", SOURCE, tourism_visitors_job, visitor_candidates
)
