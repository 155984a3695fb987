"""Gate of the tourism spot ranking mart."""


from expectations.suites import MartGate, gxe


def _ranking_expectations():
    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=1),
        gxe.ExpectColumnValuesToMatchRegex(column="region_code", regex=r"^\d{5}$"),
        gxe.ExpectColumnValuesToBeBetween(column="visitors", min_value=0),
        gxe.ExpectColumnValuesToBeBetween(column="months_reported", min_value=1, max_value=12),
        gxe.ExpectColumnValuesToBeBetween(column="share_of_county_pct", min_value=0,
                                          max_value=100),
        gxe.ExpectColumnValuesToBeBetween(column="rank_in_county", min_value=1),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="spots_in_county", column_B="rank_in_county", or_equal=True
        ),
    ]


SPOT_RANKING = MartGate(
    mart="fct_tourism_spot_ranking",
    key=("region_code", "period", "spot_type", "spot_key"),
    expectations=_ranking_expectations,
)
