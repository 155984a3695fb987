"""How assets are run and watched: their owners, the retry policy of a fetch, freshness by
cadence, the timezone of every schedule, and the tag that keeps partitioned assets to their
release jobs."""

from datetime import timedelta

import dagster as dg

from sources.catalog import Source

# Whom to ask about an asset (the UI shows it in the catalogue and lineage): every asset has one.
OWNERS = ["team:tw-resas-data"]
# For a publisher's passing trouble; in snapshot mode a fetching asset's failure is final
# (orchestration.resources.Http.failures_final_offline).
FETCH_RETRY = dg.RetryPolicy(
    max_retries=2, delay=5, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)
TIMEZONE = "Asia/Taipei"
PARTITIONED_TAG = "tw_resas/partitioned"

# How late a source may be before the UI shows it stale: its cadence plus the publisher's lag.
_FRESHNESS_DAYS = {"monthly": (35, 45), "quarterly": (100, 120), "yearly": (380, 430),
                   "biennial": (740, 800)}


def freshness_policy(source: Source) -> dg.FreshnessPolicy | None:
    if source.cadence not in _FRESHNESS_DAYS:
        return None
    warn, fail = _FRESHNESS_DAYS[source.cadence]
    return dg.FreshnessPolicy.time_window(
        fail_window=timedelta(days=fail), warn_window=timedelta(days=warn)
    )
