"""Township depth: MOI household-registration mirror tables (2020-2026) and SEGIS 2021-06
township statistics, landed into raw tables one per source."""

from orchestration.raw import raw_asset
from sources import township

township_panel = raw_asset(
    township.TOWNSHIP_PANEL,
    township.parse_panel,
    group="population",
    description="Township and county panel 2020-2024 (mirror table): year-end population, "
    "area, births, deaths, households, age groups.",
)

township_age = raw_asset(
    township.TOWNSHIP_AGE,
    township.parse_age_structure,
    group="population",
    description="Township five-year age groups by sex, 2026-06 (ODRP014 aggregated; mirror).",
)

township_migration = raw_asset(
    township.TOWNSHIP_MIGRATION,
    township.parse_migration,
    group="population",
    description="Township year-end population 2020, 2025 and migration, births, deaths over "
    "2025-07...2026-06 (mirror).",
)

township_population = raw_asset(
    township.TOWNSHIP_POPULATION,
    township.parse_population,
    group="population",
    description="Township households, population and land area, 2026-06 (mirror).",
)

segis_poi = raw_asset(
    township.SEGIS_POI,
    township.parse_segis_poi,
    group="industry",
    description="SEGIS 2021-06: businesses by industry section, community care points, "
    "medical and nursing institutions and beds, per township.",
)

segis_low_income = raw_asset(
    township.SEGIS_LOW_INCOME,
    township.parse_segis_low_income,
    group="welfare",
    description="SEGIS 2021-06: low-income and middle-low-income households and persons.",
)
