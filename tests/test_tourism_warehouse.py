"""觀光署 spot visitors in the warehouse: county figures recomputed from the bundled file, the
monthly sums against 合計, the spot ranking, and incremental years equal to a full refresh."""

from collections import defaultdict
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
import pytest

from orchestration.defs import tourism as tourism_defs
from sources.http import Fetcher
from sources.tourism import VISITORS, parse_visitors
from tests.conftest import environment_resources

# built with cautious indirect selection (dbt_cli): only the tests whose every parent is built
# (seed tests reach other seeds)
TOURISM_MODELS = ["+fct_tourism_spot_ranking", "+int_tourism__quarantine"]


# the bundled release stops at 2021-10: 2021 has months but no annual figures
LAST_COMPLETE_YEAR = 2020


@pytest.fixture(scope="module")
def release():
    return parse_visitors(VISITORS.snapshot_path(VISITORS.snapshots[0]).read_bytes())


@pytest.fixture(scope="module")
def visitors(release):
    """The years the release covers in full."""
    return release[release["year"] <= LAST_COMPLETE_YEAR]


@pytest.fixture(scope="module")
def county_codes(published) -> dict[str, str]:
    return dict(published.execute(
        "select name_zh, region_code from marts.dim_region where region_level = 'county'"
    ).fetchall())


def published_values(published, code: str, grain: str) -> dict[tuple[str, date], float]:
    rows = published.execute(
        "select region_code, period, value from marts.fct_indicator_value"
        " where indicator_code = ? and grain = ? and source_id = 'tourism_spot_visitors'",
        [code, grain],
    ).fetchall()
    return {(region, period): value for region, period, value in rows}


# ------------------------------------------------------------------ the published warehouse


@pytest.mark.pipeline
def test_every_spots_months_add_up_to_its_published_total(published, visitors):
    """The reconciliation: 2,426 spot-years in 2012-2019 and 316 in 2020; the ones with every
    month blank (觸口遊客中心 2016, 合計 0, ...) have no visitors and are not ranked."""
    rows = published.execute(
        "select visitors, reported_annual_total from marts.fct_tourism_spot_ranking"
    ).fetchall()
    keys = ["year", "county_name", "spot_type", "spot_name"]
    assert visitors[visitors["year"] <= 2019].groupby(keys).ngroups == 2426
    assert visitors[visitors["year"] == 2020].groupby(keys).ngroups == 316
    reported = visitors.groupby(keys)["visitors"].count()
    assert len(rows) == (reported > 0).sum()
    assert [r for r in rows if r[0] != r[1]] == []


@pytest.mark.pipeline
def test_a_year_the_release_does_not_cover_in_full_has_months_but_no_annual_figures(
    published, release
):
    """2021 stops at October: its months are published, no annual total, count or ranking."""
    (ranked,) = published.execute(
        "select count(*) from marts.fct_tourism_spot_ranking where period >= '2021-01-01'"
    ).fetchone()
    assert ranked == 0
    yearly = published.execute(
        "select distinct indicator_code from marts.fct_indicator_value where grain = 'year'"
        " and source_id = 'tourism_spot_visitors' and period = '2021-01-01'"
    ).fetchall()
    assert yearly == []
    monthly = published_values(published, "spot_visitors", "month")
    months_2021 = sorted({period.month for region, period in monthly if period.year == 2021})
    assert months_2021 == list(range(1, 11))  # November and December: missing, not zero
    october = release[(release["year"] == 2021) & (release["month"] == 10)]["visitors"].sum()
    assert monthly[("TW", date(2021, 10, 1))] == october


@pytest.mark.pipeline
def test_county_visitors_by_year_reproduce_the_file(published, visitors, county_codes):
    expected = visitors.groupby(["county_name", "year"])["visitors"].sum()
    values = published_values(published, "spot_visitors", "year")
    assert {key for key in values if key[0] != "TW"} == {
        (county_codes[county], date(year, 1, 1)) for county, year in expected.index
    }
    for (county, year), total in expected.items():
        assert values[(county_codes[county], date(year, 1, 1))] == total, (county, year)
    assert values[("TW", date(2019, 1, 1))] == visitors[visitors["year"] == 2019]["visitors"].sum()
    assert values[("TW", date(2020, 1, 1))] == visitors[visitors["year"] == 2020]["visitors"].sum()


@pytest.mark.pipeline
def test_monthly_values_add_up_to_the_year(published):
    monthly = published_values(published, "spot_visitors", "month")
    yearly = published_values(published, "spot_visitors", "year")
    sums: dict[tuple[str, date], float] = defaultdict(float)
    for (region, period), value in monthly.items():
        if period.year <= LAST_COMPLETE_YEAR:
            sums[(region, date(period.year, 1, 1))] += value
    assert sums == pytest.approx(yearly)


@pytest.mark.pipeline
def test_spot_count_counts_spots_with_a_month_reported(published, visitors, county_codes):
    reporting = visitors.dropna(subset=["visitors"])
    expected = reporting.groupby(["county_name", "year"])["spot_name"].nunique()
    values = published_values(published, "spot_count", "year")
    for (county, year), count in expected.items():
        assert values[(county_codes[county], date(year, 1, 1))] == count


@pytest.mark.pipeline
def test_visitors_per_resident_divide_by_the_published_population(published):
    rows = published.execute(
        """
        select v.region_code, v.period, v.value, t.value, p.value
        from marts.fct_indicator_value v
        join marts.fct_indicator_value t on t.region_code = v.region_code
            and t.period = v.period and t.indicator_code = 'spot_visitors' and t.grain = 'year'
        join marts.fct_indicator_value p on p.region_code = v.region_code
            and p.period = v.period and p.indicator_code = 'pop_total' and p.grain = 'year'
            and p.scenario is null
        where v.indicator_code = 'visitors_per_resident'
        """
    ).fetchall()
    assert len({r[1] for r in rows}) >= 5  # population is there for most of 2012-2019
    for region, period, per_resident, total, population in rows:
        assert per_resident == pytest.approx(total / population), (region, period)


@pytest.mark.pipeline
def test_seasonality_is_the_share_of_the_peak_month(published):
    monthly = published_values(published, "spot_visitors", "month")
    seasonality = published_values(published, "visitor_seasonality", "year")
    assert len(seasonality) > 100
    for (region, period), share in seasonality.items():
        months = [monthly[(region, date(period.year, m, 1))] for m in range(1, 13)]
        assert share == pytest.approx(max(months) / sum(months) * 100)
        assert 100 / 12 <= share <= 100


@pytest.mark.pipeline
def test_yoy_compares_only_spots_reported_in_both_months(published, visitors, county_codes):
    """臺北市, July 2019: recomputed from the file over spots with a count in both Julys."""
    keys = ["county_name", "spot_type", "spot_name"]
    taipei = visitors[(visitors["county_name"] == "臺北市") & (visitors["month"] == 7)]
    now = taipei[taipei["year"] == 2019].set_index(keys)["visitors"].dropna()
    before = taipei[taipei["year"] == 2018].set_index(keys)["visitors"].dropna()
    both = now.index.intersection(before.index)
    expected = (now[both].sum() / before[both].sum() - 1) * 100
    values = published_values(published, "spot_visitors_yoy", "month")
    assert values[(county_codes["臺北市"], date(2019, 7, 1))] == pytest.approx(expected)


@pytest.mark.pipeline
def test_spots_are_ranked_within_their_county(published, visitors):
    top = published.execute(
        """
        select r.name_zh, s.spot_name, s.visitors, s.spots_in_county
        from marts.fct_tourism_spot_ranking s join marts.dim_region r using (region_code)
        where s.period = '2019-01-01' and s.rank_in_county = 1
        """
    ).fetchall()
    year = visitors[visitors["year"] == 2019]
    spot_totals = year.groupby(["county_name", "spot_name"])["visitors"].sum()
    for county, spot, total, spots in top:
        assert total == spot_totals[county].max(), county
        assert spot_totals[county][spot] == total
        assert spots == (year[year["county_name"] == county].groupby("spot_name")["visitors"]
                         .count() > 0).sum()
    (shares,) = published.execute(
        "select max(abs(s - 100)) from (select sum(share_of_county_pct) s"
        " from marts.fct_tourism_spot_ranking group by region_code, period)"
    ).fetchone()
    assert shares < 1e-9


@pytest.mark.pipeline
def test_spot_names_with_tai_variants_share_one_key(published):
    keys = dict(published.execute(
        "select spot_name, spot_key from marts.fct_tourism_spot_ranking"
        " where spot_name in ('台北植物園', '台北101景觀台')"
    ).fetchall())
    assert keys == {"台北植物園": "臺北植物園", "台北101景觀台": "臺北101景觀臺"}


# ------------------------------------------------------------------ incremental == full refresh


def query(home: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(home / "warehouse" / "work.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def load_years(years: list[str]) -> None:
    job = dg.Definitions(jobs=[tourism_defs.tourism_visitors_job],
                         assets=[tourism_defs.tourism_spot_visitors],
                         resources=environment_resources()).resolve_job_def(
        "tourism_visitors_yearly"
    )
    for year in years:
        assert job.execute_in_process(partition_key=year).success


@pytest.mark.pipeline
def test_backfill_year_by_year_equals_a_full_refresh(twresas_home, dbt_cli):
    years = tourism_defs.years_to_run(Fetcher.from_environment())
    assert years == [str(y) for y in range(2012, 2022)]
    load_years(years[:-1])
    dbt_cli(twresas_home, "build", "--select", *TOURISM_MODELS)
    first = dict(query(twresas_home, "select year, max(processed_at)"
                                     " from intermediate.int_tourism__spot_months group by year"))
    load_years(years[-1:])
    dbt_cli(twresas_home, "build", "--select", *TOURISM_MODELS)
    second = dict(query(twresas_home, "select year, max(processed_at)"
                                      " from intermediate.int_tourism__spot_months group by year"))
    assert {y: at for y, at in second.items() if y < 2021} == first  # untouched
    assert second[2021] > max(first.values())

    ranking = "select * from marts.fct_tourism_spot_ranking order by all"
    months = ("select * exclude (processed_at) from intermediate.int_tourism__spot_months"
              " order by all")
    backfilled = query(twresas_home, ranking), query(twresas_home, months)
    dbt_cli(twresas_home, "build", "--full-refresh", "--select", *TOURISM_MODELS)
    assert (query(twresas_home, ranking), query(twresas_home, months)) == backfilled


# ------------------------------------------------------------------ Dagster


def test_schedule_reloads_the_year_of_the_month_just_ended():
    from orchestration.definitions import defs

    schedule = tourism_defs.tourism_visitors_monthly_schedule
    assert schedule.execution_timezone == "Asia/Taipei"
    for when, year in [(datetime(2027, 1, 25, 9), "2026"), (datetime(2026, 7, 25, 9), "2026")]:
        context = dg.build_schedule_context(
            scheduled_execution_time=when.replace(tzinfo=ZoneInfo("Asia/Taipei")),
            repository_def=defs().get_repository_def(),
        )
        (request,) = schedule.evaluate_tick(context).run_requests
        assert request.partition_key == year
