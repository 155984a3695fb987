"""Gate of the quarantine mart: every rejected row says where it came from and why."""


from expectations.suites import MartGate, gxe


def _quarantine_expectations():
    return [
        *[gxe.ExpectColumnValueLengthsToBeBetween(column=c, min_value=1)
          for c in ["source_id", "record", "reason"]],
        # the raw file must be findable in the landing zone by its hash
        gxe.ExpectColumnValuesToMatchRegex(column="raw_sha256", regex=r"^[0-9a-f]{64}$"),
    ]


QUARANTINED_ROWS = MartGate(
    mart="fct_quarantined_row",
    key=("source_id", "raw_sha256", "record"),
    expectations=_quarantine_expectations,
)
