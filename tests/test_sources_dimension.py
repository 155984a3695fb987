"""marts.dim_source: every published number can be traced to a described source."""

import pytest

from orchestration.defs.source_registry import registry_frame
from sources.catalog import SOURCE_KINDS, Snapshot, Source, all_sources


def test_registry_frame_describes_every_source():
    frame = registry_frame(all_sources())
    assert sorted(frame["source_id"]) == sorted(all_sources())
    assert set(frame["kind"]) <= set(SOURCE_KINDS)
    assert frame["attribution"].str.len().gt(0).all()


def test_a_source_with_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="kind 'scraped'"):
        Source(id="x", publisher="p", dataset="d", base_url="https://h", path="/", format="csv",
               encoding="utf-8", cadence="yearly", kind="scraped")


def test_registry_counts_synthetic_snapshots():
    source = Source(id="x", publisher="p", dataset="d", base_url="https://h", path="/{n}",
                    format="csv", encoding="utf-8", cadence="yearly",
                    snapshots=(Snapshot("a.csv", {"n": "1"}),
                               Snapshot("b.csv", {"n": "2"}, synthetic=True)))
    row = registry_frame({"x": source}).iloc[0]
    assert (row["snapshot_files"], row["synthetic_snapshot_files"]) == (2, 1)
    assert row["attribution"] == "p"  # the publisher when no attribution line is given


@pytest.mark.pipeline
def test_every_published_value_names_a_described_source(published):
    missing = published.execute(
        """
        select distinct v.source_id from marts.fct_indicator_value v
        left join marts.dim_source s using (source_id) where s.source_id is null
        """
    ).fetchall()
    assert missing == []


@pytest.mark.pipeline
def test_synthetic_values_come_only_from_sources_with_synthetic_snapshots(published):
    rows = published.execute(
        """
        select s.source_id, s.kind, s.synthetic_snapshot_files,
               count(*) filter (where v.is_synthetic)
        from marts.dim_source s join marts.fct_indicator_value v using (source_id)
        group by all
        """
    ).fetchall()
    for source_id, kind, synthetic_files, synthetic_values in rows:
        if synthetic_values:
            assert synthetic_files > 0, source_id
        if kind == "synthetic":
            assert synthetic_values > 0, source_id


@pytest.mark.pipeline
def test_dim_source_coverage_matches_the_values(published):
    """first/last year and levels are what fct_indicator_value holds, recomputed here."""
    expected = dict(published.execute(
        """
        select v.source_id, min(year(v.period)) || '-' || max(year(v.period))
        from marts.fct_indicator_value v group by all
        """
    ).fetchall())
    found = dict(published.execute(
        "select source_id, first_year || '-' || last_year from marts.dim_source "
        "where first_year is not null"
    ).fetchall())
    assert found == expected
