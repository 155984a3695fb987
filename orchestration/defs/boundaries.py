"""Region boundaries (內政部 鄉鎮市區界線 as TopoJSON): one geometry per region code, for the
published `dim_region_geometry`, its GeoJSON export and the atlas maps."""

from orchestration.raw import raw_asset
from sources import boundaries

boundaries_raw = raw_asset(
    boundaries.BOUNDARIES,
    boundaries.parse_boundaries,
    group="reference",
    description="MOI township boundaries (TopoJSON, with county and nation merges) as GeoJSON "
    "text, one row per nation, county and township code.",
)
