"""Gate of the DGBAS county-indicator mart (the whole 縣市重要統計指標 system, tidy)."""

import great_expectations.expectations as gxe

from expectations.suites import MartGate

# The export's years, and the nation plus the 22 counties of dbt_project/seeds/reference
YEARS = range(1998, 2015)
REGIONS = ["TW", "65000", "63000", "68000", "66000", "67000", "64000", "10002", "10004", "10005",
           "10007", "10008", "10009", "10010", "10013", "10014", "10015", "10016", "10017",
           "10018", "10020", "09020", "09007"]
INDICATORS = 664  # SOURCES.md: the export's indicator count
# Units of counts and stocks that cannot be negative
COUNT_UNITS = ["人", "戶", "家", "所", "件", "床", "輛", "班", "人次", "平方公里", "公頃"]


def _between(indicator_zh: str, low: float, high: float):
    return gxe.ExpectColumnValuesToBeBetween(
        column="value", min_value=low, max_value=high,
        row_condition=f'indicator_zh=="{indicator_zh}"', condition_parser="pandas",
    )


def _dgbas_indicator_expectations():
    return [
        gxe.ExpectTableColumnsToMatchOrderedList(
            column_list=["indicator_zh", "category", "indicator_code", "region_code", "year",
                         "period", "value", "unit", "definition", "source_id"]
        ),
        *[gxe.ExpectColumnValuesToNotBeNull(column=c)
          for c in ["indicator_zh", "category", "region_code", "year", "period", "value", "unit"]],
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=["indicator_zh", "region_code", "year"], ignore_row_if="never"
        ),
        gxe.ExpectColumnUniqueValueCountToBeBetween(
            column="indicator_zh", min_value=INDICATORS, max_value=INDICATORS
        ),
        gxe.ExpectColumnValuesToBeBetween(column="year", min_value=min(YEARS),
                                          max_value=max(YEARS)),
        # every year has the nation and all 22 counties
        *[gxe.ExpectColumnDistinctValuesToEqualSet(
            column="region_code", value_set=REGIONS, row_condition=f"year=={year}",
            condition_parser="pandas")
          for year in YEARS],
        gxe.ExpectColumnValueLengthsToBeBetween(column="unit", min_value=1),
        gxe.ExpectColumnValuesToBeBetween(
            column="value", min_value=0,
            row_condition=f"unit in {COUNT_UNITS}", condition_parser="pandas",
        ),
        # percentages that cannot leave 0-100 whatever the county
        _between("失業率", 0, 100),
        _between("勞動力參與率", 0, 100),
        _between("老年人口比率(65歲以上)", 0, 100),
        _between("幼年人口比率(0-14歲)", 0, 100),
        _between("就業者之行業結構-服務業", 0, 100),
        _between("性比例", 50, 200),
    ]


DGBAS_INDICATORS = MartGate(
    mart="fct_dgbas_indicator",
    key=("indicator_zh", "region_code", "year"),
    expectations=_dgbas_indicator_expectations,
)
