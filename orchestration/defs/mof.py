"""財政部 賦稅收入實徵淨額 by county and tax item (issue 6); the bundled snapshot is SYNTHETIC."""

from orchestration.raw import raw_asset
from sources import mof

tax_revenue = raw_asset(
    mof.TAX_REVENUE,
    mof.parse_tax_revenue,
    group="finance",
    description="MOF net tax revenue by county and tax item, 千元 (offline: synthetic fixture).",
)
