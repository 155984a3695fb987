"""DGBAS 縣市重要統計指標 (issue 6): land each export's PC-Axis files as two raw tables, the
values and the indicator notes (unit, definition). Two exports are loaded (2016 and 2020): the
newer one's figures are current, the older one's are kept as revisions. The export serves every
domain, hence group reference."""

import dagster as dg
import pandas as pd

from orchestration.policies import FETCH_RETRY, OWNERS, TIMEZONE
from orchestration.raw import (
    RAW_SCHEMA,
    known_releases,
    load_fingerprint,
    raw_asset_key,
    reused_load,
    with_lineage,
    write_raw_table,
)
from orchestration.resources import Http, Warehouse
from sources import dgbas, mof, mol
from sources.catalog import Source
from sources.errors import SourceError
from sources.http import fetch

EXPORTS = [
    # source, notes table, years, indicators
    (dgbas.COUNTY_INDICATORS, "dgbas_county_indicator_notes", "1998-2014", 664),
    (dgbas.COUNTY_INDICATORS_2020, "dgbas_county_indicator_notes_2020", "1998-2018", 658),
]


def export_assets(source: Source, notes_table: str, years: str, indicators: int):
    values_key = dg.AssetKey([RAW_SCHEMA, source.id])
    notes_key = dg.AssetKey([RAW_SCHEMA, notes_table])
    empty_as_published = dgbas.EMPTY_AS_PUBLISHED.get(source.id, frozenset())

    @dg.multi_asset(
        name=source.id,
        specs=[
            dg.AssetSpec(
                values_key,
                group_name="reference",
                owners=OWNERS,
                kinds={"python", "duckdb"},
                description=f"DGBAS county indicators, long: one row per indicator, year and "
                f"region (總計, 臺灣地區, 22 counties), {years}.",
                metadata={"source_id": source.id, "publisher": source.publisher},
            ),
            dg.AssetSpec(
                notes_key,
                group_name="reference",
                owners=OWNERS,
                kinds={"python", "duckdb"},
                description=f"Unit and definition of each of the {indicators} DGBAS indicators "
                "(PX NOTE blocks).",
                metadata={"source_id": source.id, "publisher": source.publisher},
            ),
        ],
        retry_policy=FETCH_RETRY,
    )
    def _export(context: dg.AssetExecutionContext, warehouse: Warehouse, http: Http):
        with http.failures_final_offline():
            fetcher = http.fetcher(warehouse.landing_zone())
            landed, empty = [], []
            for params in known_releases(source):
                try:
                    landed.append((params, fetch(source, fetcher=fetcher, **params)))
                except SourceError as exc:
                    # landed with its problem in the manifest; declared empty: a recorded state
                    if params["category"] in empty_as_published and exc.problem == "empty body":
                        context.log.info(
                            f"{source.id} {params['category']}.px is empty, as published")
                        empty.append(params["category"])
                        continue
                    raise
            files = [result for _, result in landed]
            extra = {"empty_as_published": dg.MetadataValue.json(empty)}
            loads = {key: (table, load_fingerprint(table, files, empty=empty))
                     for key, table in ((values_key, source.id), (notes_key, notes_table))}
            reused = {key: reused_load(warehouse, source, files, fingerprint, table)
                      for key, (table, fingerprint) in loads.items()}
            if all(metadata is not None for metadata in reused.values()):
                for key, metadata in reused.items():
                    yield dg.MaterializeResult(asset_key=key, metadata=metadata | extra)
                return
            values, notes = [], []
            for params, result in landed:
                # the parser needs the category: it names the file in the notes and in errors
                frame, indicators = dgbas.parse_county_px(result.read_bytes(), params["category"],
                                                          source)
                values.append(with_lineage(frame, result, **params))
                notes.append(with_lineage(indicators, result, **params))
            for key, frames in ((values_key, values), (notes_key, notes)):
                table, fingerprint = loads[key]
                yield dg.MaterializeResult(
                    asset_key=key,
                    metadata=write_raw_table(
                        warehouse, source, pd.concat(frames, ignore_index=True), files,
                        table=table, fingerprint=fingerprint,
                    ) | extra,
                )

    return _export, values_key, notes_key


_built = [export_assets(*export) for export in EXPORTS]
dgbas_county_indicators, dgbas_county_indicators_2020 = (assets for assets, _, _ in _built)

county_indicators_job = dg.define_asset_job(
    "county_indicators_yearly",
    selection=dg.AssetSelection.assets(
        *(key for _, values_key, notes_key in _built for key in (values_key, notes_key)),
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
    execution_timezone=TIMEZONE,
    description="Yearly, 1 July 09:00 Taipei time.",
)
