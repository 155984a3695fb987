"""Population (domain 1): land and load the MOI and NDC releases into raw tables."""

import dagster as dg
import pandas as pd

from orchestration.lib import (
    FETCH_RETRY,
    known_releases,
    raw_asset,
    raw_asset_key,
    with_lineage,
    write_raw_table,
)
from sources import population

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


@dg.asset(
    key=raw_asset_key(population.HOUSEHOLD_REGISTRATION_API),
    group_name=GROUP,
    kinds={"python", "duckdb"},
    retry_policy=FETCH_RETRY,
    description="MOI household registration open API (ODRP019), every page of each month.",
)
def household_registration_api() -> dg.MaterializeResult:
    source = population.HOUSEHOLD_REGISTRATION_API
    frames, landed = [], []
    for yyymm in sorted({release["yyymm"] for release in known_releases(source)}):
        frame, month_landed = population.fetch_household_registration(yyymm)
        frames.extend(
            with_lineage(frame[frame["_page"] == page], result)
            for page, result in enumerate(month_landed, start=1)
        )
        landed.extend(month_landed)
    return dg.MaterializeResult(
        metadata=write_raw_table(source, pd.concat(frames, ignore_index=True), landed)
    )
