"""Gate of the region boundaries (dim_region_geometry): one geometry per nation, county and
township code, every one an area in lon/lat around Taiwan."""

import great_expectations.expectations as gxe

from expectations.suites import MartGate

GEOMETRY_COLUMNS = ["region_code", "region_level", "name_zh", "name_en", "geometry_geojson",
                    "is_synthetic", "source_id"]


def _geometry_expectations():
    return [
        gxe.ExpectTableColumnsToMatchOrderedList(column_list=GEOMETRY_COLUMNS),
        gxe.ExpectColumnValuesToBeUnique(column="region_code"),
        *[gxe.ExpectColumnValuesToNotBeNull(column=c) for c in GEOMETRY_COLUMNS[:5]],
        gxe.ExpectColumnValuesToBeInSet(column="region_level",
                                        value_set=["nation", "county", "township"]),
        # every county and township of the code table has its shape (22 + 368 + the nation)
        gxe.ExpectTableRowCountToEqual(value=391),
        gxe.ExpectColumnValuesToMatchRegex(
            column="geometry_geojson",
            regex=r'^\{"type":"(Multi)?Polygon","coordinates":\[\[\[?\[1[12]\d\.\d+,2[1-6]\.\d+\]',
        ),
    ]


REGION_GEOMETRY = MartGate(mart="dim_region_geometry", key=("region_code",),
                           expectations=_geometry_expectations)
