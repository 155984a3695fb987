"""財政部財政資訊中心 綜合所得稅 (issue "Current and township-deep data"): land and load the four
FIA income mirror tables into raw tables."""

import dagster as dg
import pandas as pd

from orchestration.policies import FETCH_RETRY, OWNERS, freshness_policy
from orchestration.raw import raw_asset, raw_asset_key, with_lineage, write_raw_table
from orchestration.resources import Http, Warehouse
from sources import income

GROUP = "economy"

income_distribution = raw_asset(
    income.INCOME_DISTRIBUTION,
    income.parse_income_distribution,
    group=GROUP,
    description="FIA 綜合所得總額 by county, township and village, 2012-2018 (pscdata .rda).",
)

income_by_category = raw_asset(
    income.INCOME_BY_CATEGORY,
    income.parse_income_by_category,
    group=GROUP,
    description="FIA income by category (薪資, 營利, 股利 …) by county and township, 2012-2018.",
)

township_income_2023 = raw_asset(
    income.TOWNSHIP_INCOME_2023,
    income.parse_township_income_2023,
    group=GROUP,
    description="FIA 綜合所得總額 and its distribution per township, income year 2023.",
)


@dg.asset(
    key=raw_asset_key(income.INCOME_2024_PRELIMINARY),
    group_name=GROUP,
    owners=OWNERS,
    kinds={"python", "duckdb"},
    retry_policy=FETCH_RETRY,
    freshness_policy=freshness_policy(income.INCOME_2024_PRELIMINARY),
    metadata={"source_id": income.INCOME_2024_PRELIMINARY.id,
              "publisher": income.INCOME_2024_PRELIMINARY.publisher},
    description="FIA income year 2024 (preliminary): county 表6-1 and township 表165 rows.",
)
def income_2024_preliminary(warehouse: Warehouse, http: Http) -> dg.MaterializeResult:
    with http.failures_final_offline():
        frames, landed = income.fetch_income_2024(http.fetcher(warehouse.landing_zone()))
        frame = pd.concat(
            [with_lineage(frame, result) for frame, result in frames], ignore_index=True
        )
        return dg.MaterializeResult(
            metadata=write_raw_table(warehouse, income.INCOME_2024_PRELIMINARY, frame, landed)
        )
