"""Gates of the DGBAS county-indicator mart (the whole 縣市重要統計指標 system, tidy) and of the
value history (fct_indicator_value_history), whose revisions are mostly DGBAS's."""


from expectations.suites import MartGate, gxe

# The exports' years (2016 export: 1998-2014; 2020 export: to 2018), and the nation, 臺灣地區
# (TW-TA, the Taiwan area: never relabelled as the nation) and the 22 counties of
# dbt_project/seeds/reference
YEARS = range(1998, 2019)
LAST_YEAR_2016_EXPORT = 2014
REGIONS = ["TW", "TW-TA", "65000", "63000", "68000", "66000", "67000", "64000", "10002", "10004",
           "10005", "10007", "10008", "10009", "10010", "10013", "10014", "10015", "10016", "10017",
           "10018", "10020", "09020", "09007"]
# 664 in the 2016 export, 658 in the 2020 one (SOURCES.md); 641 share a name or were renamed
# (seed dgbas_indicator_renames, 15), so 664 + 22 new names - 15 renames = 671
INDICATORS = 671
INDICATORS_2020 = 658
SOURCES = ["dgbas_county_indicators", "dgbas_county_indicators_2020"]
# Units of counts and stocks that cannot be negative
COUNT_UNITS = ["人", "戶", "家", "所", "件", "床", "輛", "班", "人次", "平方公里", "公頃"]


def _between(indicator_zh: str, low: float, high: float):
    return gxe.ExpectColumnValuesToBeBetween(
        column="value", min_value=low, max_value=high,
        row_condition=f'indicator_zh=="{indicator_zh}"', condition_parser="pandas",
    )


def _dgbas_indicator_expectations():
    return [
        gxe.ExpectColumnUniqueValueCountToBeBetween(
            column="indicator_zh", min_value=INDICATORS, max_value=INDICATORS
        ),
        gxe.ExpectColumnValuesToBeBetween(column="year", min_value=min(YEARS),
                                          max_value=max(YEARS)),
        # the 2016 export's figures are current only where the 2020 export has no such
        # indicator (its empty 25-1, dropped ones): they end in 2014
        gxe.ExpectColumnValuesToBeBetween(
            column="year", max_value=LAST_YEAR_2016_EXPORT,
            row_condition=f'source_id=="{SOURCES[0]}"', condition_parser="pandas",
        ),
        # after 2014 only the 2020 export's indicators
        gxe.ExpectColumnUniqueValueCountToBeBetween(
            column="indicator_zh", min_value=1, max_value=INDICATORS_2020,
            row_condition=f"year>{LAST_YEAR_2016_EXPORT}", condition_parser="pandas",
        ),
        # every year has the nation, the Taiwan area and all 22 counties
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


HISTORY_KEY = ("mart", "indicator_code", "region_code", "period", "grain", "scenario")


def _history_expectations():
    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=1),
        # one current figure per key, and current means open
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=list(HISTORY_KEY), ignore_row_if="never",
            row_condition="is_current==True", condition_parser="pandas",
        ),
        gxe.ExpectColumnValuesToBeNull(
            column="valid_to", row_condition="is_current==True", condition_parser="pandas"
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="valid_to", row_condition="is_current==False", condition_parser="pandas"
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="valid_to", column_B="valid_from", ignore_row_if="either_value_is_missing"
        ),
    ]


VALUE_HISTORY = MartGate(
    mart="fct_indicator_value_history",
    key=(*HISTORY_KEY, "valid_from"),
    expectations=_history_expectations,
)
