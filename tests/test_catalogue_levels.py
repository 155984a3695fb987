"""The catalogue claims no level the data do not reach: an indicator's lowest_region_level is
the finest level of its real (non-synthetic) published values."""

import pytest

pytestmark = pytest.mark.pipeline

LEVEL_ORDER = "case r.region_level when 'nation' then 1 when 'county' then 2 " \
              "when 'township' then 3 when 'village' then 4 end"


def test_lowest_region_level_is_reached_by_real_values(published):
    wrong = published.execute(
        f"""
        with reached as (
            select v.indicator_code, max({LEVEL_ORDER}) as finest
            from marts.fct_indicator_value as v
            inner join marts.dim_region as r using (region_code)
            where not v.is_synthetic
            group by v.indicator_code
        )
        select i.indicator_code, i.lowest_region_level,
            ['nation', 'county', 'township', 'village'][reached.finest] as reached
        from marts.dim_indicator as i
        inner join reached using (indicator_code)
        where i.lowest_region_level <> ['nation', 'county', 'township', 'village'][reached.finest]
        order by 1
        """
    ).fetchall()
    assert wrong == []


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
