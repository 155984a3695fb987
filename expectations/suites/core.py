"""Gates of the cross-domain marts: the long indicator table and the two dimensions."""


from expectations.suites import MartGate, gxe

INCOME_CATEGORIES = ["salary", "business", "dividends", "interest", "rent",
                     "property_transactions", "professional_practice", "prizes", "retirement",
                     "other", "manuscript_fees"]
DOMAINS = ["population", "economy", "industry", "enterprise", "tourism", "town", "welfare",
           "finance"]


def _indicator_between(code: str, low: float | None, high: float | None):
    return gxe.ExpectColumnValuesToBeBetween(
        column="value",
        min_value=low,
        max_value=high,
        row_condition=f'indicator_code=="{code}"',
        condition_parser="pandas",
    )


def _indicator_value_expectations():
    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=1),
        gxe.ExpectColumnValuesToMatchRegex(column="indicator_code", regex=r"^[a-z][a-z0-9_]*$"),
        # percentages and ratios that cannot leave their range whatever the region
        _indicator_between("pop_share_of_nation", 0, 100),
        _indicator_between("pop_0_14_share", 0, 100),
        _indicator_between("pop_15_64_share", 0, 100),
        _indicator_between("pop_65plus_share", 0, 100),
        _indicator_between("pop_total", 0, 30_000_000),
        # villages are small: one with a barracks or a care home reaches 243 (SEGIS 2021-06)
        _indicator_between("sex_ratio", 50, 400),
        # per mille; small islands swing hard (連江縣 +314.57 ‰ in 2001 as registrations moved)
        _indicator_between("pop_growth_rate", -500, 500),
        # FIA income (千元, filing units, CV in %): counts and amounts never negative
        _indicator_between("income_tax_units", 0, 10_000_000),
        _indicator_between("income_total", 0, 20_000_000_000),
        *[_indicator_between(code, 0, 100_000)
          for code in ("income_mean", "income_median", "income_q1", "income_q3")],
        _indicator_between("income_sd", 0, 1_000_000),
        _indicator_between("income_cv", 0, 10_000),
        *[_indicator_between(f"income_{category}", 0, 20_000_000_000)
          for category in INCOME_CATEGORIES],
        gxe.ExpectColumnValuesToBeInSet(
            column="quality_flag",
            value_set=["preliminary", "preliminary_unplaced_remainder", "unplaced_remainder"],
            row_condition='indicator_code.str.startswith("income_")',
            condition_parser="pandas",
        ),
    ]


def _indicator_expectations():
    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=81),
        # every domain has indicators (dbt's accepted_values only says none is unknown)
        gxe.ExpectColumnDistinctValuesToEqualSet(column="domain", value_set=DOMAINS),
    ]


def _region_expectations():
    return [
        # MOI codes: 5-digit counties, 8-digit townships, 11-digit villages; 臺灣地區 TW-TA
        *[
            gxe.ExpectColumnValuesToMatchRegex(
                column="region_code", regex=regex, row_condition=f'region_level=="{level}"',
                condition_parser="pandas",
            )
            for level, regex in [("nation", r"^TW$"), ("area", r"^TW-TA$"), ("county", r"^\d{5}$"),
                                 ("township", r"^\d{8}$"), ("village", r"^\d{11}$"),
                                 # FIA income not placed below its county or township
                                 ("unplaced", r"^(\d{5}|\d{8})-unplaced$")]
        ],
        gxe.ExpectColumnValuesToNotBeNull(
            column="name_en", row_condition='region_level!="village"', condition_parser="pandas"
        ),
    ]


INDICATOR_VALUES = MartGate(
    mart="fct_indicator_value",
    key=("indicator_code", "region_code", "period", "grain", "scenario"),
    expectations=_indicator_value_expectations,
)
INDICATORS = MartGate(mart="dim_indicator", key=("indicator_code",),
                      expectations=_indicator_expectations)
REGIONS = MartGate(mart="dim_region", key=("region_code",), expectations=_region_expectations)


def _source_expectations():
    return [
        gxe.ExpectColumnValuesToBeBetween(column="first_year", min_value=1900),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="last_year", column_B="first_year", or_equal=True,
            ignore_row_if="either_value_is_missing",
        ),
        # a synthetic source yields synthetic values only, and only it may
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="synthetic_value_rows", column_B="value_rows",
            row_condition='kind=="synthetic"', condition_parser="pandas",
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="synthetic_value_rows", min_value=0, max_value=0,
            row_condition='synthetic_snapshot_files==0', condition_parser="pandas",
        ),
    ]


SOURCES = MartGate(mart="dim_source", key=("source_id",), expectations=_source_expectations)
