"""The catalogue claims no level the data do not reach: an indicator's lowest_region_level is
the finest level of its real (non-synthetic) published values."""

import pytest

pytestmark = pytest.mark.pipeline

# Coarse to fine. 'area' (臺灣地區) lies between the nation and the counties; an 'unplaced'
# remainder is no level of its own (it completes its parent's children), so it reaches none.
LEVELS = ["nation", "area", "county", "township", "village"]


def test_lowest_region_level_is_reached_by_real_values(published):
    wrong = published.execute(
        """
        with levels as (
            select unnest($levels) as region_level, generate_subscripts($levels, 1) as fineness
        ),

        reached as (
            select v.indicator_code, max(levels.fineness) as finest
            from marts.fct_indicator_value as v
            inner join marts.dim_region as r using (region_code)
            inner join levels using (region_level)
            where not v.is_synthetic
            group by v.indicator_code
        )

        select i.indicator_code, i.lowest_region_level, $levels[reached.finest] as reached
        from marts.dim_indicator as i
        inner join reached using (indicator_code)
        where i.lowest_region_level is distinct from $levels[reached.finest]
        order by 1
        """, {"levels": LEVELS}
    ).fetchall()
    assert wrong == []


def test_every_published_level_is_ranked(published):
    """A region level the ranking above does not know would escape it."""
    levels = {row[0] for row in published.execute(
        "select distinct region_level from marts.dim_region").fetchall()}
    assert levels - {"unplaced"} <= set(LEVELS)


def test_indicators_without_real_values_are_planned_derived_or_synthetic(published):
    """An indicator no real value reaches yet must say so by its source: planned, derived (from
    inputs not yet real), or a source whose bundled snapshots are synthetic fixtures."""
    unreached = published.execute(
        """
        select i.indicator_code, i.source_id, s.synthetic_snapshot_files
        from marts.dim_indicator as i
        left join marts.dim_source as s using (source_id)
        where not exists (
            select 1 from marts.fct_indicator_value as v
            where v.indicator_code = i.indicator_code and not v.is_synthetic
        )
        """
    ).fetchall()
    for code, source_id, synthetic_files in unreached:
        assert source_id in ("planned", "derived") or (synthetic_files or 0) > 0, code
