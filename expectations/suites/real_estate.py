"""Gates of the 實價登錄 marts: quarterly sales and the per-file reconciliation."""


from expectations.suites import MartGate, gxe

KIND_COLUMNS = ["transactions_land", "transactions_building", "transactions_land_building",
                "transactions_parking"]


def _quarterly_expectations():
    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=1),
        *[
            gxe.ExpectColumnValuesToMatchRegex(
                column="region_code", regex=regex, row_condition=f'region_level=="{level}"',
                condition_parser="pandas",
            )
            for level, regex in [("county", r"^\d{5}$"), ("township", r"^\d{8}$")]
        ],
        gxe.ExpectColumnValuesToBeBetween(column="transactions", min_value=1),
        *[gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="transactions", column_B=c,
                                                      or_equal=True) for c in KIND_COLUMNS],
        gxe.ExpectColumnValuesToBeBetween(column="transaction_value_ntd", min_value=0),
        # 臺北市 peaks near NT$1.5M/坪 (about 450,000/m²); a unit slip (元 vs 萬元) lands far off
        gxe.ExpectColumnValuesToBeBetween(column="median_unit_price_ntd_per_m2", min_value=100,
                                          max_value=5_000_000),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="median_unit_price_ntd_per_ping", column_B="median_unit_price_ntd_per_m2",
            ignore_row_if="either_value_is_missing",
        ),
        gxe.ExpectColumnValuesToBeBetween(column="median_unit_price_yoy_pct", min_value=-100),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="transactions", column_B="unit_prices_counted", or_equal=True
        ),
        # a sale left out of the medians is still a sale: counted, and never more than the sales
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="transactions", column_B="special_relationship_sales", or_equal=True
        ),
    ]


def _reconciliation_expectations():
    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=1),
        gxe.ExpectColumnValuesToMatchRegex(column="season", regex=r"^\d{2,3}S[1-4]$"),
        gxe.ExpectColumnValuesToMatchRegex(column="release", regex=r"^(?:\d{2,3}S[1-4]|20\d{6})$"),
        gxe.ExpectColumnValuesToMatchRegex(column="raw_sha256", regex=r"^[0-9a-f]{64}$"),
        *[gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0)
          for c in ["rows_read", "rows_accepted", "rows_quarantined", "rows_not_modelled"]],
    ]


QUARTERLY_SALES = MartGate(
    mart="fct_real_estate_quarterly",
    key=("region_code", "quarter"),
    expectations=_quarterly_expectations,
)
FILE_RECONCILIATION = MartGate(
    mart="fct_real_estate_file_reconciliation",
    key=("source_id", "release", "source_file"),
    expectations=_reconciliation_expectations,
)
