"""parse_boundaries: TopoJSON decoding (delta-encoded quantised arcs, reversed arcs) and the
publisher's bad days."""

import json

import pytest

from sources.boundaries import BOUNDARIES, parse_boundaries
from sources.errors import SourceError


def topology(**changes) -> dict:
    """A square township (two arcs, the second walked backwards) in a county and the nation."""
    county = {"COUNTYCODE": "63000", "COUNTYNAME": "台北市", "COUNTYENG": "Taipei City"}
    doc = {
        "type": "Topology",
        "transform": {"scale": [0.5, 0.25], "translate": [121.0, 25.0]},
        # arc 0: (0,0) -> (2,0) -> (2,4); arc 1 (delta-encoded): (0,0) -> (0,4) -> (2,4)
        "arcs": [[[0, 0], [2, 0], [0, 4]], [[0, 0], [0, 4], [2, 0]]],
        "objects": {
            "towns": {"type": "GeometryCollection", "geometries": [
                {"type": "Polygon", "arcs": [[0, -2]],
                 "properties": {**county, "TOWNCODE": "63000030", "TOWNNAME": "大安區",
                                "TOWNENG": "Da'an District"}}]},
            "counties": {"type": "GeometryCollection", "geometries": [
                {"type": "MultiPolygon", "arcs": [[[0, -2]]], "properties": county}]},
            "nation": {"type": "GeometryCollection", "geometries": [
                {"type": "Polygon", "arcs": [[0, -2]],
                 "properties": {"ID": "TW", "NAME": "Taiwan"}}]},
        },
    }
    doc.update(changes)
    return doc


def encode(doc: dict) -> bytes:
    return json.dumps(doc, ensure_ascii=False).encode()


def test_decodes_arcs_into_closed_lon_lat_rings():
    frame = parse_boundaries(encode(topology()))
    assert sorted(frame["region_level"]) == ["county", "nation", "township"]
    town = frame.set_index("region_code").loc["63000030"]
    assert (town["name_zh"], town["parent_code"]) == ("大安區", "63000")
    ring = json.loads(town["geometry"])["coordinates"][0]
    assert ring == [[121.0, 25.0], [122.0, 25.0], [122.0, 26.0], [121.0, 26.0], [121.0, 25.0]]
    county = json.loads(frame.set_index("region_code").loc["63000", "geometry"])
    assert county["type"] == "MultiPolygon" and county["coordinates"][0][0] == ring


def test_the_bundled_file_has_every_county_and_township():
    raw = BOUNDARIES.snapshot_path(BOUNDARIES.snapshots[0]).read_bytes()
    frame = parse_boundaries(raw)
    assert frame["region_level"].value_counts().to_dict() == {
        "township": 368, "county": 22, "nation": 1}


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"<!doctype html><html>maintenance</html>", "not a JSON document"),
        (encode({"type": "FeatureCollection", "features": []}), "not a TopoJSON Topology"),
        (encode(topology(objects={"towns": {"geometries": []}})), "missing object(s)"),
        (encode({k: v for k, v in topology().items() if k != "transform"}), "transform"),
    ],
)
def test_refuses_what_is_not_the_boundary_topology(body, problem):
    with pytest.raises(SourceError, match="moi_boundaries") as error:
        parse_boundaries(body)
    assert problem in str(error.value)


def test_refuses_a_bad_code_a_missing_arc_and_a_duplicate():
    doc = topology()
    doc["objects"]["towns"]["geometries"][0]["properties"]["TOWNCODE"] = "6300003"
    with pytest.raises(SourceError, match="'6300003' is not a township code"):
        parse_boundaries(encode(doc))
    doc = topology()
    doc["objects"]["towns"]["geometries"][0]["arcs"] = [[0, 7]]
    with pytest.raises(SourceError, match="arc 7 does not exist"):
        parse_boundaries(encode(doc))
    doc = topology()
    towns = doc["objects"]["towns"]["geometries"]
    towns.append(towns[0])
    with pytest.raises(SourceError, match="drawn twice"):
        parse_boundaries(encode(doc))
    doc = topology()
    doc["objects"]["towns"]["geometries"][0]["arcs"] = [[0]]
    with pytest.raises(SourceError, match="does not close"):
        parse_boundaries(encode(doc))
