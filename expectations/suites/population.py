"""Gate of the population structure mart."""


from expectations.suites import MartGate, gxe


def _structure_expectations():
    shares = ["pop_0_14_share", "pop_15_64_share", "pop_65plus_share", "pop_share_of_nation"]
    return [
        *[gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=100) for c in shares],
        # NDC low-fertility scenarios pass 1,000 after 2055, and a village of one child and
        # 31 elderly residents has 3,100 (SEGIS 2021-06): bound only against nonsense
        gxe.ExpectColumnValuesToBeBetween(column="aging_index", min_value=0, max_value=10_000),
        # the nation has a total in every observed year 1992-2025 (NDC)
        gxe.ExpectColumnValuesToNotBeNull(
            column="pop_total", row_condition='region_level=="nation"', condition_parser="pandas"
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="pop_total", column_B="pop_male", ignore_row_if="either_value_is_missing"
        ),
    ]


POPULATION_STRUCTURE = MartGate(
    mart="fct_population_structure",
    key=("region_code", "period", "grain", "scenario"),
    expectations=_structure_expectations,
)
