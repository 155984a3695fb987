"""Gates of the analysis marts (comparisons, pyramid, population change, aging outlook,
industry specialisation, income distribution, region profile)."""

import yaml

from expectations.suites import MartGate, gxe
from sources.settings import PROJECT_ROOT

PARTIAL_PERIOD_FLAGS = ["partial_period", "preliminary"]  # macro partial_period_flags()


def _dbt_var(name: str):
    """A var of dbt_project.yml: marts whose input another branch delivers are switched on
    there, and their gate with them (a gate on a disabled mart would fail the run)."""
    with (PROJECT_ROOT / "dbt_project" / "dbt_project.yml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)["vars"][name]


MIN_COUNT_BASIS = _dbt_var("min_count_basis")


def _between(column: str, low: float | None, high: float | None, condition: str | None = None):
    extra = {"row_condition": condition, "condition_parser": "pandas"} if condition else {}
    return gxe.ExpectColumnValuesToBeBetween(column=column, min_value=low, max_value=high, **extra)


def _null_where(column: str, condition: str):
    return gxe.ExpectColumnValuesToBeNull(column=column, row_condition=condition,
                                          condition_parser="pandas")


def _comparison_expectations():
    thin = f"count_basis < {MIN_COUNT_BASIS}"
    partial = f"quality_flag in {PARTIAL_PERIOD_FLAGS}"
    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=1),
        _between("rank_in_level", 1, None),
        _between("rank_in_county", 1, None),
        _between("percentile_in_level", 0, 100),
        _between("percentile_in_county", 0, 100),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="peers_in_level", column_B="rank_in_level", or_equal=True,
            ignore_row_if="either_value_is_missing",
        ),
        # no comparison from thin data or from a period still filling up
        *[_null_where(column, thin) for column in
          ["change_abs", "change_pct", "cagr_5y_pct", "rank_in_level", "rank_in_county"]],
        *[_null_where(column, partial) for column in ["change_abs", "change_pct", "cagr_5y_pct"]],
        # a comparison withheld always says why
        _null_where("rank_null_reason", "rank_in_level.notna()"),
        gxe.ExpectColumnValuesToNotBeNull(
            column="rank_null_reason", row_condition="rank_in_level.isna()",
            condition_parser="pandas",
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="change_null_reason", row_condition="change_pct.isna()",
            condition_parser="pandas",
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="cagr_null_reason", row_condition="cagr_5y_pct.isna()",
            condition_parser="pandas",
        ),
    ]


def _pyramid_expectations():
    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=1),
        gxe.ExpectColumnValuesToMatchRegex(column="age_band", regex=r"^\d{1,3}(-\d{1,3}|\+)$"),
        _between("population", 0, None),
        _between("share_pct", 0, 100),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="region_total",
                                                    column_B="population", or_equal=True),
    ]


def _aging_outlook_expectations():
    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=1),
        _between("pop_65plus_share", 0, 100),
        *[gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A=later, column_B=earlier, or_equal=True,
            ignore_row_if="either_value_is_missing")
          for later, earlier in [("first_year_aged", "first_year_aging"),
                                 ("first_year_super_aged", "first_year_aged")]],
    ]


def _population_change_expectations():
    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=1),
        *[_between(c, 0, None) for c in ["births", "deaths", "migrants_in", "migrants_out",
                                         "start_population", "end_population"]],
        # per mille; small islands swing hard (as pop_growth_rate in fct_indicator_value)
        *[_between(c, -500, 500) for c in ["natural_change_per_1000", "social_change_per_1000",
                                           "total_change_per_1000"]],
        gxe.ExpectColumnValuesToNotBeNull(
            column="classification_null_reason", row_condition="change_class.isna()",
            condition_parser="pandas",
        ),
    ]


def _profile_expectations():
    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=1),
        gxe.ExpectColumnValuesToNotBeInSet(column="quality_flag", value_set=["synthetic"]),
        _between("percentile_in_level", 0, 100),
    ]


INDICATOR_COMPARISON = MartGate(
    mart="fct_indicator_comparison",
    key=("indicator_code", "region_code", "period", "grain"),
    expectations=_comparison_expectations,
)
POPULATION_PYRAMID = MartGate(
    mart="fct_population_pyramid",
    key=("region_code", "period", "grain", "scenario", "sex", "age_band"),
    expectations=_pyramid_expectations,
)
AGING_OUTLOOK = MartGate(
    mart="fct_aging_outlook",
    key=("region_code", "scenario", "grain", "period"),
    expectations=_aging_outlook_expectations,
)
POPULATION_CHANGE = MartGate(
    mart="fct_population_change",
    key=("region_code", "period", "grain"),
    expectations=_population_change_expectations,
)
REGION_PROFILE = MartGate(
    mart="rpt_region_profile",
    key=("region_code", "indicator_code"),
    expectations=_profile_expectations,
)


def _industry_expectations():
    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=1),
        _between("value", 0, None),
        _between("share_pct", 0, 100),
        _between("specialisation_coefficient", 0, None),
        # the nation's own share over the nation's share
        _between("specialisation_coefficient", 1 - 1e-9, 1 + 1e-9, 'region_level=="nation"'),
        _between("rank_in_region", 1, 19),
    ]


def _income_expectations():
    thin = f"filing_units < {MIN_COUNT_BASIS}"
    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=1),
        _between("filing_units", 0, None),
        _between("q3_q1_ratio", 1, None),
        _between("salary_share_pct", 0, 100),
        *[_null_where(column, thin) for column in ["median_rank_in_nation",
                                                   "median_rank_in_county"]],
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="peers_in_nation", column_B="median_rank_in_nation", or_equal=True,
            ignore_row_if="either_value_is_missing",
        ),
    ]


INDUSTRY_SPECIALISATION = MartGate(
    mart="fct_industry_specialisation",
    key=("region_code", "period", "grain", "section", "measure"),
    expectations=_industry_expectations,
)
INCOME_DISTRIBUTION = MartGate(
    mart="fct_income_distribution",
    key=("region_code", "period", "grain"),
    expectations=_income_expectations,
)
