"""FIA 綜合所得稅 income in the published marts against the official figures (SOURCES.md and the
issue): the 2024 national totals and county remainders, the 2023 township units, and the
2012-2018 village, township and county units adding up."""

import pytest

pytestmark = pytest.mark.pipeline


def income_rows(published, sql: str, params=()) -> list[tuple]:
    return published.execute(sql, list(params)).fetchall()


def test_2024_national_totals_from_the_county_rows(published):
    rows = dict(income_rows(published, """
        select v.indicator_code, sum(v.value)
        from marts.fct_indicator_value v join marts.dim_region r using (region_code)
        where r.region_level = 'county' and v.period = date '2024-01-01'
          and v.indicator_code in ('income_tax_units', 'income_total')
        group by 1
    """))
    assert rows == {"income_tax_units": 6_982_335, "income_total": 6_386_489_632}


def test_2024_values_are_flagged_preliminary(published):
    flags = {flag for (flag,) in income_rows(published, """
        select distinct quality_flag from marts.fct_indicator_value
        where indicator_code like 'income_%' and period = date '2024-01-01'
    """)}
    assert flags == {"preliminary", "preliminary_unplaced_remainder"}


def test_2024_county_remainders_are_kept_at_county_level(published):
    rows = income_rows(published, """
        select r.parent_code, v.indicator_code, v.value, v.quality_flag, p.region_level
        from marts.fct_indicator_value v
        join marts.dim_region r using (region_code)
        join marts.dim_region p on p.region_code = r.parent_code
        where r.region_level = 'unplaced' and v.period = date '2024-01-01'
    """)
    assert {level for *_, level in rows} == {"county"}
    assert {flag for *_, flag, _ in rows} == {"preliminary_unplaced_remainder"}
    assert min(value for _, _, value, _, _ in rows) >= 0
    units = {county: value for county, code, value, _, _ in rows if code == "income_tax_units"}
    total = sum(value for _, code, value, _, _ in rows if code == "income_total")
    # SOURCES.md says 712,569 千元; the bundled files give 712,570: the county rows sum to
    # 6,386,489,632 and the 368 township rows to 6,385,777,062 (checked on the JSON itself)
    assert (len(units), sum(units.values()), total) == (18, 470, 712_570)
    # the four counties whose townships add up exactly have no remainder (SOURCES.md)
    assert {"09007", "09020", "10015", "10018"}.isdisjoint(units)


def test_2024_county_equals_its_townships_plus_its_remainder(published):
    mismatches = income_rows(published, """
        with children as (
            select r.parent_code as county_code, v.indicator_code, sum(v.value) as value
            from marts.fct_indicator_value v join marts.dim_region r using (region_code)
            where v.period = date '2024-01-01' and r.region_level in ('township', 'unplaced')
              and v.indicator_code in ('income_tax_units', 'income_total')
            group by all
        )
        select c.region_code, c.indicator_code, c.value, children.value
        from marts.fct_indicator_value c
        join marts.dim_region r using (region_code)
        left join children
            on children.county_code = c.region_code and children.indicator_code = c.indicator_code
        where r.region_level = 'county' and c.period = date '2024-01-01'
          and c.indicator_code in ('income_tax_units', 'income_total')
          and c.value is distinct from children.value
    """)
    assert mismatches == []


def test_2023_township_units_sum(published):
    (units, townships), = income_rows(published, """
        select sum(value), count(*) from marts.fct_indicator_value
        where indicator_code = 'income_tax_units' and period = date '2023-01-01'
    """)
    assert (units, townships) == (6_880_623, 368)


def test_2012_2018_county_units_equal_their_townships(published):
    rows = income_rows(published, """
        select c.period, c.region_code, c.value, sum(t.value)
        from marts.fct_indicator_value c
        join marts.dim_region tr on tr.parent_code = c.region_code
            and tr.region_level = 'township'
        join marts.fct_indicator_value t
            on t.region_code = tr.region_code and t.period = c.period
            and t.indicator_code = c.indicator_code
        where c.indicator_code = 'income_tax_units' and c.source_id = 'fia_income_distribution'
        group by all
    """)
    assert len(rows) == 22 * 7
    assert [row for row in rows if row[2] != row[3]] == []


def test_2012_2018_township_units_equal_their_villages_and_remainder(published):
    """Where every village of a township has a code in dim_region (新北市三重區, from the MOI
    village file of 2026; 板橋區's villages of 2012-2018 are not all in it), its villages plus
    its unplaced row add up to the township."""
    rows = income_rows(published, """
        select t.region_code, t.period, t.value, sum(v.value), count(*)
        from marts.fct_indicator_value t
        join marts.dim_region vr on vr.parent_code = t.region_code
            and vr.region_level in ('village', 'unplaced')
        join marts.fct_indicator_value v
            on v.region_code = vr.region_code and v.period = t.period
            and v.indicator_code = t.indicator_code
        where t.indicator_code = 'income_tax_units' and t.region_code = '65000020'
        group by all
    """)
    assert len(rows) == 7
    assert [row for row in rows if row[2] != row[3]] == []
    assert {count for *_, count in rows} == {120}  # 119 villages and the unplaced row


def test_unplaced_village_rows_are_kept(published):
    (townships,), = income_rows(published, """
        select count(distinct r.region_code)
        from marts.fct_indicator_value v join marts.dim_region r using (region_code)
        where r.region_level = 'unplaced' and r.region_code like '________-unplaced'
          and v.indicator_code = 'income_tax_units' and v.quality_flag = 'unplaced_remainder'
    """)
    assert townships == 368


def test_rejected_income_rows_are_quarantined_with_their_text(published):
    reasons = dict(income_rows(published, """
        select reason, count(*) from marts.fct_quarantined_row
        where source_id like 'fia_%' group by 1
    """))
    # the mirror's 2015 category table lists 高雄市永安區 twice (one of them is 橋頭區)
    assert reasons["conflicting duplicate rows (same region and year, different values)"] == 2
    (record,), = income_rows(published, """
        select record from marts.fct_quarantined_row
        where source_id = 'fia_income_by_category' and record like '%永安區%' limit 1
    """)
    assert "year=2015" in record and "employment_income=" in record
    # villages with no code in dim_region yet are kept, not dropped
    assert reasons["village not in dim_region (no village code known for this name)"] > 0


def test_income_catalogue_levels_match_the_published_values(published):
    rows = income_rows(published, """
        select i.indicator_code, i.lowest_region_level,
               bool_or(r.region_level = 'village') as has_village,
               bool_or(r.region_level = 'township') as has_township
        from marts.dim_indicator i
        join marts.fct_indicator_value v using (indicator_code)
        join marts.dim_region r using (region_code)
        where i.indicator_code like 'income_%'
        group by all
    """)
    assert len(rows) == 19
    for code, level, has_village, has_township in rows:
        expected = "village" if has_village else "township" if has_township else "county"
        assert level == expected, code
