"""Population (domain 1): land and load the MOI and NDC releases into raw tables."""

import dagster as dg
import pandas as pd

from orchestration.policies import (
    FETCH_RETRY,
    OWNERS,
    PARTITIONED_TAG,
    TIMEZONE,
    freshness_policy,
)
from orchestration.raw import raw_asset, raw_asset_key, with_lineage, write_raw_partition
from orchestration.releases import release_job, release_sensor
from orchestration.resources import Http, Warehouse
from sources import population
from sources.http import Fetcher
from sources.roc_calendar import roc_year

GROUP = "population"

township_pop_density = raw_asset(
    population.TOWNSHIP_DENSITY,
    population.parse_township_density,
    group=GROUP,
    description="MOI township population and area at year end (opendata{yyy}N010).",
)

population_projection = raw_asset(
    population.POPULATION_PROJECTION,
    population.parse_population_projection,
    group=GROUP,
    description="NDC population by scenario, sex and five-year age group, 1992-2075.",
)

county_population_by_sex = raw_asset(
    population.COUNTY_POPULATION_BY_SEX,
    population.parse_county_population_by_sex,
    group=GROUP,
    description="MOI county population by sex, 2018.03 (seed article Table 1).",
)

village_households = raw_asset(
    population.VILLAGE_HOUSEHOLDS,
    population.parse_village_households,
    group=GROUP,
    description="MOI village (村里) households and population.",
)

village_education = raw_asset(
    population.VILLAGE_EDUCATION,
    population.parse_education_by_village,
    group=GROUP,
    description="MOI 15+ population by education level and sex, by village, year end "
    "(opendata{yyy}Y020), one row per village and cell.",
)

segis_village_population = raw_asset(
    population.SEGIS_VILLAGE_POPULATION,
    population.parse_segis_village_population,
    group=GROUP,
    description="SEGIS households, population by sex and density by village (2021-06).",
)

segis_village_age = raw_asset(
    population.SEGIS_VILLAGE_AGE,
    population.parse_segis_village_age,
    group=GROUP,
    description="SEGIS five-year age bands by sex and village (2021-06), one row per cell.",
)

segis_village_indigenous = raw_asset(
    population.SEGIS_VILLAGE_INDIGENOUS,
    population.parse_segis_village_indigenous,
    group=GROUP,
    description="SEGIS indigenous population by village (2021-06).",
)


# ODRP019 publishes one month at a time, around the 10th of the next month
registration_months = dg.MonthlyPartitionsDefinition(
    start_date="2018-01-01", timezone=TIMEZONE, end_offset=0
)


def roc_yyymm(partition_key: str) -> str:
    """'2026-09-01' -> '11509' (ROC year and month, as the API's URL takes it)."""
    year, month = int(partition_key[:4]), int(partition_key[5:7])
    return f"{roc_year(year)}{month:02d}"


def registration_months_to_run(fetcher: Fetcher) -> list[str]:
    if fetcher.http.mode == "snapshot":
        bundled = {s.params["yyymm"] for s in population.HOUSEHOLD_REGISTRATION_API.snapshots}
        return [k for k in registration_months.get_partition_keys() if roc_yyymm(k) in bundled]
    return registration_months.get_partition_keys()[-1:]


@dg.asset(
    key=raw_asset_key(population.HOUSEHOLD_REGISTRATION_API),
    group_name=GROUP,
    owners=OWNERS,
    kinds={"python", "duckdb"},
    partitions_def=registration_months,
    tags={PARTITIONED_TAG: "true"},
    retry_policy=FETCH_RETRY,
    freshness_policy=freshness_policy(population.HOUSEHOLD_REGISTRATION_API),
    description="MOI household registration open API (ODRP019): every page of one month.",
)
def household_registration_api(
    context: dg.AssetExecutionContext, warehouse: Warehouse, http: Http
) -> dg.MaterializeResult:
    with http.failures_final_offline():
        source = population.HOUSEHOLD_REGISTRATION_API
        yyymm = roc_yyymm(context.partition_key)
        frame, landed = population.fetch_household_registration(
            yyymm, http.fetcher(warehouse.landing_zone())
        )
        frames = [
            with_lineage(frame[frame["_page"] == page], result)
            for page, result in enumerate(landed, start=1)
        ]
        metadata = write_raw_partition(
            warehouse, source, pd.concat(frames, ignore_index=True), landed, "statistic_yyymm",
            yyymm,
        )
        return dg.MaterializeResult(metadata=metadata)


household_registration_job = release_job(
    "household_registration_monthly",
    selection=dg.AssetSelection.assets(household_registration_api),
    partitions_def=registration_months,
    keys_to_run=registration_months_to_run,
    description="Fetch one month of the ODRP019 household registration API.",
)

household_registration_schedule = dg.build_schedule_from_partitioned_job(
    household_registration_job, hour_of_day=9, day_of_month=12,
    description="Monthly, after MOI publishes the previous month (around the 10th).",
)


def registration_candidates(fetcher: Fetcher) -> list[tuple[str, dict[str, str]]]:
    """The last three months: a month appears around the 10th and may be revised after."""
    keys = registration_months.get_partition_keys()[-3:]
    return [(key, {"yyymm": roc_yyymm(key), "page": "1"}) for key in keys]


household_registration_sensor = release_sensor(
    "household_registration_release_sensor",
    population.HOUSEHOLD_REGISTRATION_API,
    household_registration_job,
    registration_candidates,
)
