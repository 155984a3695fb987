"""DGBAS 縣市重要統計指標 (issue 6): land the 34 PC-Axis files as two raw tables, the values and
the indicator notes (unit, definition). The export serves every domain, hence group reference."""

import dagster as dg
import pandas as pd

from orchestration.lib import (
    FETCH_RETRY,
    RAW_SCHEMA,
    known_releases,
    raw_asset_key,
    with_lineage,
    write_raw_table,
)
from sources import dgbas, mof, mol

SOURCE = dgbas.COUNTY_INDICATORS
NOTES_TABLE = "dgbas_county_indicator_notes"
VALUES_KEY = dg.AssetKey([RAW_SCHEMA, SOURCE.id])
NOTES_KEY = dg.AssetKey([RAW_SCHEMA, NOTES_TABLE])


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            VALUES_KEY,
            group_name="reference",
            kinds={"python", "duckdb"},
            description="DGBAS county indicators, long: one row per indicator, year and region "
            "(總計, 臺灣地區, 22 counties), 1998-2014.",
            metadata={"source_id": SOURCE.id, "publisher": SOURCE.publisher},
        ),
        dg.AssetSpec(
            NOTES_KEY,
            group_name="reference",
            kinds={"python", "duckdb"},
            description="Unit and definition of each of the 664 DGBAS indicators (PX NOTE blocks).",
            metadata={"source_id": SOURCE.id, "publisher": SOURCE.publisher},
        ),
    ],
    retry_policy=FETCH_RETRY,
)
def dgbas_county_indicators():
    from sources.http import fetch, make_session

    session = make_session()
    values, notes, landed = [], [], []
    # the parser needs the category: it names the file in the notes and in errors
    for params in known_releases(SOURCE):
        result = fetch(SOURCE, session=session, **params)
        frame, indicators = dgbas.parse_county_px(result.read_bytes(), params["category"])
        values.append(with_lineage(frame, result, **params))
        notes.append(with_lineage(indicators, result, **params))
        landed.append(result)
    yield dg.MaterializeResult(
        asset_key=VALUES_KEY,
        metadata=write_raw_table(SOURCE, pd.concat(values, ignore_index=True), landed),
    )
    yield dg.MaterializeResult(
        asset_key=NOTES_KEY,
        metadata=write_raw_table(
            SOURCE, pd.concat(notes, ignore_index=True), landed, table=NOTES_TABLE
        ),
    )


county_indicators_job = dg.define_asset_job(
    "county_indicators_yearly",
    selection=dg.AssetSelection.assets(
        VALUES_KEY,
        NOTES_KEY,
        raw_asset_key(mol.MANPOWER_BY_AREA),
        raw_asset_key(mol.HOUSEHOLD_INCOME_BY_AREA),
        raw_asset_key(mof.TAX_REVENUE),
    ).downstream(),
    description="Re-fetch the yearly county releases (DGBAS, MOL, MOF) and rebuild what they feed.",
)

# DGBAS updates the county indicators once a year, after the fiscal and survey figures of the
# previous year are final (mid-year); the job is unpartitioned because each export carries the
# whole 1998- history, revised.
county_indicators_schedule = dg.ScheduleDefinition(
    name="county_indicators_yearly_schedule",
    job=county_indicators_job,
    cron_schedule="0 9 1 7 *",
    execution_timezone="Asia/Taipei",
    description="Yearly, 1 July 09:00 Taipei time.",
)
