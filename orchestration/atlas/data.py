"""What the atlas reads: the published warehouse only (`marts.*`, opened read-only, as a BI tool).

Every section is driven by what is published. A section whose mart is absent, or has no rows
for a region, yields nothing and the page says so. Where an analysis mart has not been
published yet, the section falls back to `fct_indicator_value` / `fct_population_structure`
for the same content; each fallback is one branch of one function below (marked "switch"), so
moving to the mart is a small change.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

# The indicators a page headlines (in this order), each with its comparisons.
KEY_INDICATORS = (
    "pop_total", "pop_density", "area_km2", "pop_growth_rate", "pop_65plus_share",
    "aging_index", "household_size", "crude_birth_rate", "net_migration_rate",
    "income_median", "income_mean", "median_household_disposable_income", "establishments",
    "unemployment_rate", "low_income_share", "location_quotient_industry",
    "re_median_unit_price_m2", "spot_visitors",
)  # fmt: skip

# Index map layers: the first indicator of each list with values at a level is drawn.
MAP_LAYERS = (
    ("population_change", "人口增減", "Population change",
     ("pop_growth_rate", "net_migration_rate")),
    ("aging_index", "老化指數", "Ageing index", ("aging_index",)),
    ("median_income", "所得中位數", "Median income",
     ("income_median", "median_household_disposable_income")),
    ("manufacturing", "製造業特化", "Specialisation in manufacturing",
     ("specialisation_manufacturing", "location_quotient_industry")),
    ("unit_price", "不動產單價中位數", "Median unit price", ("re_median_unit_price_m2",)),
)


@dataclass
class Region:
    code: str
    level: str
    name_zh: str
    name_en: str | None
    parent_code: str | None
    children: list[str] = field(default_factory=list)


def connect(published_db: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(published_db), read_only=True)


class Warehouse:
    """The published marts, with the names of the tables present (for the existence checks)."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        self.tables = {name for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()}

    def has(self, mart: str) -> bool:
        return mart in self.tables

    def rows(self, sql: str, params: list | None = None) -> list[dict]:
        cursor = self.con.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def by_region(self, sql: str, params: list | None = None) -> dict[str, list[dict]]:
        grouped: dict[str, list[dict]] = defaultdict(list)
        for row in self.rows(sql, params):
            grouped[row["region_code"]].append(row)
        return grouped


def regions(wh: Warehouse) -> dict[str, Region]:
    found = {
        row["region_code"]: Region(row["region_code"], row["region_level"], row["name_zh"],
                                   row["name_en"], row["parent_code"])
        for row in wh.rows(
            "select region_code, region_level, name_zh, name_en, parent_code from marts.dim_region"
            " where region_level in ('nation', 'county', 'township') order by region_code"
        )
    }
    for region in found.values():
        if region.parent_code in found:
            found[region.parent_code].children.append(region.code)
    return found


def publication(wh: Warehouse) -> dict:
    row = wh.rows("select any_value(run_id) as run_id, max(published_at) as published_at"
                  " from meta.publication")[0]
    return row


def indicators(wh: Warehouse) -> dict[str, dict]:
    return {row["indicator_code"]: row for row in wh.rows(
        "select indicator_code, name_zh, name_en, unit, source_id, higher_is"
        " from marts.dim_indicator"
    )}


def sources(wh: Warehouse) -> dict[str, dict]:
    return {row["source_id"]: row for row in wh.rows(
        "select source_id, publisher, dataset, kind, attribution from marts.dim_source"
    )}


def geometry(wh: Warehouse) -> dict[str, dict[str, str]]:
    """level -> region_code -> GeoJSON geometry text (empty when no geometry is published)."""
    if not wh.has("dim_region_geometry"):
        return {}
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for row in wh.rows("select region_level, region_code, geometry_geojson"
                       " from marts.dim_region_geometry"):
        found[row["region_level"]][row["region_code"]] = row["geometry_geojson"]
    return found


def map_layers(wh: Warehouse) -> list[dict]:
    """Per layer and level: the latest observed period of the first candidate indicator with
    values at that level, and every region's value then.
    Switch: population_change -> fct_population_change.total_change_rate_per_1000,
    manufacturing -> fct_industry_specialisation, once published."""
    layers = []
    for key, name_zh, name_en, candidates in MAP_LAYERS:
        layer = {"key": key, "name_zh": name_zh, "name_en": name_en, "levels": {}}
        for level in ("county", "township"):
            for code in candidates:
                if code == SPECIALISATION_LAYER:
                    rows = _manufacturing_specialisation(wh, level)
                    if rows:
                        layer["levels"][level] = {"indicator_code": code, "rows": rows,
                                                  "indicator": SPECIALISATION_INDICATOR}
                        break
                    continue
                rows = wh.rows(
                    """
                    with latest as (
                        select max(v.period) as period
                        from marts.fct_indicator_value as v
                        inner join marts.dim_region as r using (region_code)
                        where v.indicator_code = ? and r.region_level = ? and v.scenario is null
                    )
                    select v.region_code, v.value, v.period, v.grain, v.is_synthetic,
                        v.quality_flag, v.source_id
                    from marts.fct_indicator_value as v
                    inner join marts.dim_region as r using (region_code)
                    inner join latest using (period)
                    where v.indicator_code = ? and r.region_level = ? and v.scenario is null
                    order by v.region_code
                    """,
                    [code, level, code, level],
                )
                if rows:
                    layer["levels"][level] = {"indicator_code": code, "rows": rows}
                    break
        layers.append(layer)
    return layers


# The manufacturing layer reads fct_industry_specialisation (section C), not an indicator code
SPECIALISATION_LAYER = "specialisation_manufacturing"
SPECIALISATION_INDICATOR = {
    "name_zh": "製造業特化係數（工商業家數）",
    "name_en": "Specialisation coefficient of manufacturing (establishments, section C)",
    "unit": "ratio (Taiwan = 1)", "higher_is": "neutral",
}


def _manufacturing_specialisation(wh: Warehouse, level: str) -> list[dict]:
    if not wh.has("fct_industry_specialisation"):
        return []
    return wh.rows(
        """
        select region_code, specialisation_coefficient as value, period, grain, is_synthetic,
            quality_flag, source_id
        from marts.fct_industry_specialisation
        where section = 'C' and measure = 'establishments' and region_level = ?
            and specialisation_coefficient is not null
        qualify period = max(period) over ()
        order by region_code
        """,
        [level],
    )


def key_indicators(wh: Warehouse) -> dict[str, list[dict]]:
    """Headline values with their comparison to the county, the peers and the nation, from
    `rpt_region_profile` (the latest real period of each indicator)."""
    if not wh.has("rpt_region_profile"):
        return {}
    return wh.by_region(
        """
        select region_code, indicator_code, indicator_name_zh as name_zh,
            indicator_name_en as name_en, unit, period, grain, value, nation_value,
            county_value, peer_mean_in_level as peer_mean, peer_median_in_level as peer_median,
            rank_in_level as rank, peers_in_level as peer_count,
            percentile_in_level as percentile, change_pct as change,
            coalesce(change_null_reason, rank_null_reason) as change_reason,
            is_synthetic, quality_flag, source_id
        from marts.rpt_region_profile
        where region_level in ('nation', 'county', 'township')
            and indicator_code in (select unnest(?::varchar[]))
        order by region_code, list_position(?::varchar[], indicator_code)
        """,
        [list(KEY_INDICATORS), list(KEY_INDICATORS)],
    )


def pyramids(wh: Warehouse) -> dict[str, list[dict]]:
    """Five-year age × sex bands of the latest observed period, from fct_population_pyramid.
    No fallback: without bands, `age_structure` draws the three broad groups instead."""
    if not wh.has("fct_population_pyramid"):
        return {}
    return wh.by_region(
        """
        select region_code, period, sex, age_band, age_from, population, share_pct as share,
            is_synthetic, quality_flag, source_id
        from marts.fct_population_pyramid
        where scenario is null and region_level in ('nation', 'county', 'township')
        qualify period = max(period) over (partition by region_code)
        order by region_code, age_from, sex
        """
    )


def age_structure(wh: Warehouse) -> dict[str, list[dict]]:
    """0-14 / 15-64 / 65+ and the aging stage of the latest observed period
    (fct_population_structure)."""
    if not wh.has("fct_population_structure"):
        return {}
    return wh.by_region(
        """
        select s.region_code, s.period, s.pop_0_14, s.pop_15_64, s.pop_65plus,
            s.pop_65plus_share, s.aging_stage, s.is_synthetic, v.source_id
        from marts.fct_population_structure as s
        left join marts.fct_indicator_value as v
            on v.indicator_code = 'pop_65plus' and v.region_code = s.region_code
            and v.period = s.period and v.grain = s.grain and v.scenario is null
        where s.scenario is null and s.pop_65plus is not null
        qualify s.period = max(s.period) over (partition by s.region_code)
        """
    )


def outlook(wh: Warehouse) -> dict[str, list[dict]]:
    """Population over time, observed and projected by scenario, with the aging stage
    (fct_population_structure, which fct_aging_outlook reads too)."""
    table = "marts.fct_population_structure"
    if not wh.has("fct_population_structure"):
        return {}
    # the structure marts carry no source: take the pop_total value's own
    return wh.by_region(
        f"""
        select o.region_code, o.period, coalesce(o.scenario, 'observed') as scenario,
            o.pop_total, o.pop_65plus_share, o.aging_stage, o.is_synthetic, v.source_id
        from {table} as o
        left join marts.fct_indicator_value as v
            on v.indicator_code = 'pop_total' and v.region_code = o.region_code
            and v.period = o.period and v.grain = o.grain
            and v.scenario is not distinct from o.scenario
        where o.pop_total is not null and o.grain = 'year'
        order by o.region_code, scenario, o.period
        """
    )


def population_change(wh: Warehouse) -> dict[str, list[dict]]:
    """Natural (births - deaths) and social (in - out migration) change per year.
    From fct_population_change when published; else births and deaths from
    fct_indicator_value (natural change only; social change needs the migration counts)."""
    if wh.has("fct_population_change"):
        return wh.by_region(
            """
            select region_code, period, grain, natural_change, social_change, total_change,
                change_class_zh as classification_zh, change_class_en as classification_en,
                is_synthetic, quality_flag, source_id
            from marts.fct_population_change
            where region_level in ('nation', 'county', 'township') and grain = 'year'
            order by region_code, period
            """
        )
    return wh.by_region(
        """
        select region_code, period, grain,
            max(value) filter (where indicator_code = 'births')
                - max(value) filter (where indicator_code = 'deaths') as natural_change,
            null as social_change, null as total_change,
            null as classification_zh, null as classification_en,
            bool_or(is_synthetic) as is_synthetic, string_agg(distinct source_id, ',') as source_id
        from marts.fct_indicator_value
        where indicator_code in ('births', 'deaths') and scenario is null and grain = 'year'
        group by region_code, period, grain
        having count(distinct indicator_code) = 2
        order by region_code, period
        """
    )


INCOME_CODES = ("income_q1", "income_median", "income_mean", "income_q3")


def income(wh: Warehouse) -> dict[str, list[dict]]:
    """Quartiles and mean of income per filing unit by year (FIA), as published in
    fct_indicator_value (fct_income_distribution holds the same figures with their ranks)."""
    return wh.by_region(
        """
        select region_code, indicator_code, period, value, is_synthetic, quality_flag, source_id
        from marts.fct_indicator_value
        where indicator_code in (select unnest(?::varchar[])) and scenario is null
        order by region_code, period
        """,
        [list(INCOME_CODES)],
    )


def specialisation(wh: Warehouse) -> dict[str, list[dict]]:
    """Specialisation coefficients (RESAS 特化係数: share of the region / share of Taiwan) of
    establishments by industry section, latest period per region; where none is published,
    DGBAS's location quotients of the three broad sectors."""
    found = {}
    if wh.has("fct_industry_specialisation"):
        found = wh.by_region(
            """
            select region_code, 'section_' || section as indicator_code,
                section_name_zh as name_zh, section_name_en as name_en, period,
                specialisation_coefficient as value, is_synthetic, quality_flag, source_id
            from marts.fct_industry_specialisation
            where measure = 'establishments' and specialisation_coefficient is not null
                and region_level in ('nation', 'county', 'township')
            qualify period = max(period) over (partition by region_code)
            order by region_code, value desc
            """
        )
    quotients = wh.by_region(
        """
        select v.region_code, v.indicator_code, i.name_zh, i.name_en, v.period, v.value,
            v.is_synthetic, v.quality_flag, v.source_id
        from marts.fct_indicator_value as v
        inner join marts.dim_indicator as i using (indicator_code)
        where v.indicator_code like 'location_quotient_%' and v.scenario is null
        qualify v.period = max(v.period) over (partition by v.region_code)
        order by v.region_code, v.value desc
        """
    )
    return {**quotients, **found}


def real_estate(wh: Warehouse) -> dict[str, list[dict]]:
    if not wh.has("fct_real_estate_quarterly"):
        return {}
    return wh.by_region(
        """
        select region_code, quarter, transactions, median_unit_price_ntd_per_m2, is_complete,
            is_synthetic, source_id
        from marts.fct_real_estate_quarterly
        order by region_code, quarter
        """
    )


def tourism(wh: Warehouse) -> dict[str, list[dict]]:
    """The ten most visited spots of the region's latest year (spots are ranked by county)."""
    if not wh.has("fct_tourism_spot_ranking"):
        return {}
    return wh.by_region(
        """
        select region_code, period, spot_name, visitors, reported_annual_total,
            months_reported, rank_in_county, is_synthetic, source_id
        from marts.fct_tourism_spot_ranking
        qualify period = max(period) over (partition by region_code)
            and rank_in_county <= 10
        order by region_code, rank_in_county
        """
    )
