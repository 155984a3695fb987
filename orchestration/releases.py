"""Partitioned sources, one release (month, season, year) per run, or a range of them for an
asset with a single-run backfill policy: the release job, which `make run` finds in the
definitions and runs for the releases to load, and the live-mode sensor that notices a new or
changed release."""

import hashlib
import importlib
import json
from collections.abc import Callable

import dagster as dg
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)

from orchestration.resources import Http, Warehouse
from sources.catalog import Source
from sources.http import Fetcher

# Job metadata: "module:function" giving the partition keys `make run` loads (snapshot mode:
# the bundled releases; live: the latest), called with the run's Fetcher.
KEYS_TO_RUN = "tw_resas/keys_to_run"

KeysToRun = Callable[[Fetcher], list[str]]


def release_job(
    name: str,
    selection: dg.AssetSelection,
    partitions_def: dg.PartitionsDefinition,
    keys_to_run: KeysToRun,
    description: str,
):
    """A partitioned job fetching one release per run, for schedules, sensors and backfills;
    `make run` runs it for `keys_to_run(fetcher)` before building the warehouse."""
    return dg.define_asset_job(
        name, selection=selection, partitions_def=partitions_def, description=description,
        metadata={KEYS_TO_RUN: f"{keys_to_run.__module__}:{keys_to_run.__qualname__}"},
    )


def release_jobs(definitions: dg.Definitions) -> list[tuple[str, KeysToRun]]:
    """(job name, keys_to_run) of every release job of `definitions`, in their order."""
    found = []
    for job in definitions.jobs or []:
        reference = (job.metadata or {}).get(KEYS_TO_RUN)
        if reference is None:
            continue
        module, _, function = getattr(reference, "value", reference).partition(":")
        found.append((job.name, getattr(importlib.import_module(module), function)))
    return found


def release_runs(job: dg.JobDefinition, keys: list[str]) -> list[tuple[str, dict]]:
    """The runs that load the partitions `keys` of `job`, each as (label, arguments of
    `execute_in_process`): one run per key, except for a job whose assets load a range of
    partitions in one run (a single-run backfill policy), which gets one run per stretch of
    consecutive keys, as Dagster's own backfill would launch it."""
    graph = job.asset_layer.asset_graph
    policies = {graph.get(key).backfill_policy for key in job.asset_layer.executable_asset_keys}
    if policies != {dg.BackfillPolicy.single_run()}:
        return [(key, {"partition_key": key}) for key in keys]
    order = {key: position for position, key in enumerate(job.partitions_def.get_partition_keys())}
    stretches: list[list[str]] = []
    for key in sorted(keys, key=order.__getitem__):
        if stretches and order[key] == order[stretches[-1][-1]] + 1:
            stretches[-1].append(key)
        else:
            stretches.append([key])
    return [
        (first, {"partition_key": first}) if first == last
        else (f"{first}...{last}", {"tags": {ASSET_PARTITION_RANGE_START_TAG: first,
                                             ASSET_PARTITION_RANGE_END_TAG: last}})
        for first, last in ((stretch[0], stretch[-1]) for stretch in stretches)
    ]


def release_fingerprint(fetcher: Fetcher, source: Source, params: dict[str, str]) -> str | None:
    """What tells us a published file changed without downloading it: ETag or Last-Modified
    from a HEAD request, else the sha256 of a GET. None when the release is not there (yet)."""
    url = fetcher.http.url(source, **params)
    timeout = (fetcher.http.connect_timeout, fetcher.http.read_timeout)
    head = fetcher.session.head(url, timeout=timeout, allow_redirects=True)
    if head.status_code == 404:
        return None
    validator = head.headers.get("ETag") or head.headers.get("Last-Modified")
    if head.ok and validator:
        return validator
    body = fetcher.session.get(url, timeout=timeout)
    return hashlib.sha256(body.content).hexdigest() if body.ok else None


def release_sensor(
    name: str,
    source: Source,
    job,
    candidates: Callable[[Fetcher], list[tuple[str | None, dict[str, str]]]],
    minimum_interval_seconds: int = 6 * 3600,
) -> dg.SensorDefinition:
    """Live mode: poll the publisher for each candidate release (partition key or None, URL
    params); request a run of only the releases whose fingerprint is new or changed."""

    @dg.sensor(name=name, job=job, minimum_interval_seconds=minimum_interval_seconds,
               description=f"Notices new or changed releases of {source.id} (live mode only).")
    def _sensor(context: dg.SensorEvaluationContext, http: Http, warehouse: Warehouse):
        if http.mode != "live":
            return dg.SkipReason("snapshot mode: there is no upstream to watch")
        fetcher = http.fetcher(warehouse.landing_zone())
        seen = json.loads(context.cursor) if context.cursor else {}
        requests, now_seen = [], dict(seen)
        for partition_key, params in candidates(fetcher):
            fingerprint = release_fingerprint(fetcher, source, params)
            marker = partition_key or json.dumps(params, sort_keys=True)
            if fingerprint is None or seen.get(marker) == fingerprint:
                continue
            now_seen[marker] = fingerprint
            requests.append(
                dg.RunRequest(run_key=f"{marker}:{fingerprint}", partition_key=partition_key)
            )
        context.update_cursor(json.dumps(now_seen, sort_keys=True))
        return requests or dg.SkipReason("no new or changed release")

    return _sensor
