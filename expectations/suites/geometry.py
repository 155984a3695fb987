"""Gate of the region boundaries (dim_region_geometry): one geometry per nation, county and
township code, every one an area in lon/lat around Taiwan."""


from expectations.suites import MartGate, gxe


def _geometry_expectations():
    return [
        # every county and township of the code table has its shape (22 + 368 + the nation)
        gxe.ExpectTableRowCountToEqual(value=391),
        gxe.ExpectColumnValuesToMatchRegex(
            column="geometry_geojson",
            regex=r'^\{"type":"(Multi)?Polygon","coordinates":\[\[\[?\[1[12]\d\.\d+,2[1-6]\.\d+\]',
        ),
    ]


REGION_GEOMETRY = MartGate(mart="dim_region_geometry", key=("region_code",),
                           expectations=_geometry_expectations)
