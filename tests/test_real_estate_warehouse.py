"""實價登錄 in the warehouse: staging rules, quarantine, per-file reconciliation, quarterly
indicators, incremental runs equal to a full refresh, and the Dagster season partitions."""

import csv
import io
import re
import statistics
import zipfile
from datetime import date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
import pytest

from orchestration.defs import real_estate as real_estate_defs
from orchestration.resources import Warehouse
from sources.http import Fetcher
from sources.landing import LandingZone
from sources.real_estate import LVR_LAND, LVR_SOURCES, release_season, season_start
from sources.settings import PROJECT_ROOT, SNAPSHOT_DIR
from tests.conftest import environment_resources

# Transactions per file, as counted in the provenance notes of the real files.
EXPECTED_ROWS = {
    ("109S3", "a_lvr_land_a.csv"): 8841,
    ("109S3", "e_lvr_land_a.csv"): 14133,
    ("115S1", "a_lvr_land_a.csv"): 79,
}
LVR_MODELS = [
    "+int_real_estate__indicator_values", "+int_real_estate__quarantine",
    "+fct_real_estate_file_reconciliation",
]  # fmt: skip
WITH_BUILDING = ("房地(土地+建物)", "房地(土地+建物)+車位", "建物")
CHECKED = "intermediate.int_real_estate__transactions_checked"


def land(home: Path, body: bytes, season: str):
    url = f"https://plvr.land.moi.gov.tw/DownloadSeason?season={season}&type=zip&fileName=test"
    return LandingZone(home / "landing").store(
        LVR_LAND.id, url, body, http_status=200, mode="test", extension="zip"
    )


def load_bundled(home: Path, season: str) -> None:
    (snapshot,) = [s for s in LVR_LAND.snapshots if s.params["season"] == season]
    body = (SNAPSHOT_DIR / LVR_LAND.id / snapshot.file).read_bytes()
    real_estate_defs.load_raw_season(Warehouse(home=str(home)), land(home, body, season), season)


def transaction_day(text: str | None) -> date | None:
    """The day a 民國 yyyMMdd field names, as a reader of the file counts it, or None (81052,
    month 13): this file's oracle; the warehouse's rule is the roc_date macro."""
    if text is None or not (text.isdigit() and len(text) in (6, 7)):
        return None
    try:
        return date(int(text[:-4]) + 1911, int(text[-4:-2]), int(text[-2:]))
    except ValueError:
        return None


# the macro's pattern of a 備註 between related parties (tests/sources/test_real_estate.py runs
# it in DuckDB against the ways registrants write it)
RELATED_PARTIES = re.compile(re.findall(
    r"return\('(.+?)'\)",
    (PROJECT_ROOT / "dbt_project" / "macros" / "real_estate.sql").read_text(encoding="utf-8"),
)[0])


def is_special_relationship(note: str | None) -> bool:
    return note is not None and RELATED_PARTIES.search(note) is not None


def query(home: Path, sql: str, params=()) -> list[tuple]:
    with duckdb.connect(str(home / "warehouse" / "work.duckdb"), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def publisher_rows(season: str, member: str) -> list[dict[str, str]]:
    """The bundled file's data rows as Python's csv module reads them (English row dropped)."""
    (snapshot,) = [s for s in LVR_LAND.snapshots if s.params["season"] == season]
    text = zipfile.ZipFile(SNAPSHOT_DIR / LVR_LAND.id / snapshot.file).read(member)
    rows = list(csv.DictReader(io.StringIO(text.decode("utf-8-sig"))))
    return rows[1:] if rows and rows[0]["鄉鎮市區"].isascii() else rows


def bundled_rows(letter: str, kind: str) -> list[dict[str, str]]:
    """Every bundled file of one county and kind, of every 實價登錄 source, as csv reads it."""
    rows = []
    for source in LVR_SOURCES:
        for snapshot in source.snapshots:
            with zipfile.ZipFile(SNAPSHOT_DIR / source.id / snapshot.file) as zf:
                for name in zf.namelist():
                    if name.rsplit("/", 1)[-1] == f"{letter}_lvr_land_{kind}.csv":
                        text = zf.read(name).decode("utf-8-sig")
                        found = list(csv.DictReader(io.StringIO(text)))
                        rows += found[1:] if found and found[0]["鄉鎮市區"].isascii() else found
    return rows


def quarter_of(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


@cache  # opens every bundled zip; a test asks once per published quarter
def covered_quarters(letter: str, kind: str) -> frozenset[date]:
    """The transaction quarters the bundled releases holding this county's file of this kind
    cover: each release's season's quarter and the one before."""
    quarters = set()
    for source in LVR_SOURCES:
        for snapshot in source.snapshots:
            with zipfile.ZipFile(SNAPSHOT_DIR / source.id / snapshot.file) as zf:
                names = {name.rsplit("/", 1)[-1] for name in zf.namelist()}
            if f"{letter}_lvr_land_{kind}.csv" in names:
                start = season_start(release_season(
                    snapshot.params.get("issue") or snapshot.params["season"]))
                quarters |= {start, quarter_of(date.fromordinal(start.toordinal() - 1))}
    return frozenset(quarters)


def market_priced(rows: list[dict], kinds=WITH_BUILDING) -> list[float]:
    """Unit prices a median is taken over: buildings with a price, at arm's length."""
    return [float(row["單價元平方公尺"]) for row in rows
            if row["交易標的"] in kinds and float(row["單價元平方公尺"] or 0) > 0
            and not is_special_relationship(row["備註"])]


# ------------------------------------------------------------------ the published warehouse


@pytest.mark.pipeline
def test_every_row_read_is_accepted_or_quarantined_per_file(published):
    rows = published.execute(
        "select season, source_file, rows_read, rows_accepted, rows_quarantined,"
        " rows_not_modelled, rows_unaccounted, source_id"
        " from marts.fct_real_estate_file_reconciliation"
    ).fetchall()
    assert {(s, f): read for s, f, read, *_, source in rows if source == "lvr_land"} == (
        EXPECTED_ROWS
    )
    rows = [row[:-1] for row in rows]
    for _, _, read, accepted, quarantined, not_modelled, unaccounted in rows:
        assert read == accepted + quarantined + not_modelled
        assert unaccounted == 0


@pytest.mark.pipeline
@pytest.mark.parametrize("county, code", [("a_lvr_land_a.csv", "63000"),
                                          ("e_lvr_land_a.csv", "64000")])
def test_quarterly_sales_reproduce_the_publisher_file(published, county, code):
    """Count, value and median NT$/m² of 2020 Q2 sales, recomputed in Python from the file."""
    # late registrations of 2020 Q2 in the bundled 10-day releases count in the quarter too
    in_quarter = [
        row for row in bundled_rows(county[0], "a")
        if date(2020, 4, 1) <= (transaction_day(row["交易年月日"]) or date.min) < date(2020, 7, 1)
    ]
    assert len(in_quarter) > len([
        row for row in publisher_rows("109S3", county)
        if date(2020, 4, 1) <= (transaction_day(row["交易年月日"]) or date.min) < date(2020, 7, 1)
    ])
    unit_prices = market_priced(in_quarter)
    related = [row for row in in_quarter if row["交易標的"] in WITH_BUILDING
               and is_special_relationship(row["備註"])]
    transactions, value, median_m2, median_ping, counted, excluded = published.execute(
        "select transactions, transaction_value_ntd, median_unit_price_ntd_per_m2,"
        " median_unit_price_ntd_per_ping, unit_prices_counted, special_relationship_sales"
        " from marts.fct_real_estate_quarterly where region_code = ? and quarter = '2020-04-01'",
        [code],
    ).fetchone()
    assert transactions == len(in_quarter)
    assert value == sum(int(row["總價元"]) for row in in_quarter)
    # sales between related parties are sales, but their prices are not the market's
    assert excluded == len(related) > 100
    assert counted == len(unit_prices)
    assert median_m2 == pytest.approx(statistics.median(unit_prices))
    assert median_ping == pytest.approx(median_m2 * 3.305785, rel=1e-6)  # 1 坪 = 400/121 m²


@pytest.mark.pipeline
def test_counts_by_kind_add_up_and_townships_add_up_to_counties(published):
    (bad_kinds,) = published.execute(
        "select count(*) from marts.fct_real_estate_quarterly where transactions !="
        " transactions_land + transactions_building + transactions_land_building"
        " + transactions_parking"
    ).fetchone()
    assert bad_kinds == 0
    rows = published.execute(
        """
        select c.region_code, c.quarter, c.transactions, sum(t.transactions)
        from marts.fct_real_estate_quarterly c
        join marts.dim_region r on r.parent_code = c.region_code
        join marts.fct_real_estate_quarterly t
            on t.region_code = r.region_code and t.quarter = c.quarter
        where c.region_level = 'county'
        group by all
        """
    ).fetchall()
    assert len(rows) > 10
    assert [r for r in rows if r[2] != r[3]] == []


@pytest.mark.pipeline
def test_kinds_of_sale_are_counted_as_published(published):
    """臺北市 sales dated in a covered quarter before 2021 by 交易標的, every bundled file
    together."""
    published_kinds: dict[str, int] = {}
    covered = covered_quarters("a", "a")
    for row in bundled_rows("a", "a"):
        day = transaction_day(row["交易年月日"]) or date.max
        if day < date(2021, 1, 1) and quarter_of(day) in covered:
            published_kinds[row["交易標的"]] = published_kinds.get(row["交易標的"], 0) + 1
    land, building, land_building, parking = published.execute(
        "select sum(transactions_land), sum(transactions_building),"
        " sum(transactions_land_building), sum(transactions_parking)"
        " from marts.fct_real_estate_quarterly"
        " where region_code = '63000' and quarter < '2021-01-01'"
    ).fetchone()
    assert land == published_kinds["土地"]
    assert building == published_kinds["建物"]
    both = published_kinds["房地(土地+建物)"] + published_kinds["房地(土地+建物)+車位"]
    assert land_building == both
    assert parking == published_kinds["車位"]


@pytest.mark.pipeline
def test_median_yoy_compares_the_same_quarter_a_year_before(published):
    rows = published.execute(
        """
        select now.median_unit_price_yoy_pct, now.median_unit_price_ntd_per_m2,
            before.median_unit_price_ntd_per_m2
        from marts.fct_real_estate_quarterly now
        join marts.fct_real_estate_quarterly before
            on before.region_code = now.region_code
            and before.quarter = now.quarter - interval 1 year
        where now.region_code in ('63000', '64000') and now.quarter = '2020-04-01'
        """
    ).fetchall()
    assert len(rows) == 2
    for yoy, now, before in rows:
        assert yoy == pytest.approx((now / before - 1) * 100)


@pytest.mark.pipeline
def test_indicators_are_published_by_quarter_and_flagged_while_filling_up(published):
    rows = published.execute(
        """
        select v.indicator_code, r.region_level, v.quality_flag, count(*)
        from marts.fct_indicator_value v join marts.dim_region r using (region_code)
        where v.source_id like 'lvr_land%' group by all
        """
    ).fetchall()
    codes = {code for code, *_ in rows}
    assert {"re_transactions", "re_transactions_land", "re_transactions_building",
            "re_transactions_land_building", "re_transactions_parking", "re_transaction_value",
            "re_median_unit_price_m2", "re_median_unit_price_ping",
            "re_median_unit_price_yoy"} <= codes
    assert {level for _, level, *_ in rows} == {"township", "county"}
    # only 109S3 and 115S1 are bundled: no quarter has both its own and the next season
    assert {flag for _, _, flag, _ in rows} == {"partial_period"}
    (grains,) = published.execute(
        "select list(distinct grain) from marts.fct_indicator_value"
        " where source_id like 'lvr_land%'"
    ).fetchone()
    assert grains == ["quarter"]


@pytest.mark.pipeline
def test_indicator_values_equal_the_quarterly_mart(published):
    (mismatches,) = published.execute(
        """
        select count(*) from marts.fct_real_estate_quarterly q
        join marts.fct_indicator_value v
            on v.region_code = q.region_code and v.period = q.quarter
            and v.indicator_code = 're_median_unit_price_m2'
        where v.value != q.median_unit_price_ntd_per_m2
        """
    ).fetchone()
    assert mismatches == 0


PRESALE_RENT_CODES = {"b": ("re_presale_transactions", "re_presale_median_unit_price_m2"),
                      "c": ("re_rent_transactions", "re_median_rent_m2")}
RENTED_BUILDING = (*WITH_BUILDING, "租賃房屋", "租賃房屋+車位")


@pytest.mark.pipeline
@pytest.mark.parametrize(("letter", "code", "kind"),
                         [("b", "66000", "b"), ("a", "63000", "c"), ("e", "64000", "c")])
def test_presale_and_rent_indicators_reproduce_the_release_files(published, letter, code, kind):
    """Records and median NT$/m² per quarter, recomputed in Python from every bundled file:
    whole rows (as many fields as the header) dated no later than their release."""
    date_column = "租賃年月日" if kind == "c" else "交易年月日"
    by_quarter: dict[date, list[dict]] = {}
    covered = covered_quarters(letter, kind)
    for row in bundled_rows(letter, kind):
        day = transaction_day(row[date_column])
        if None in row or day is None or day > date(2020, 12, 1) and day < date(2025, 1, 1):
            continue  # ragged, no date, or after the 2020-12-01 release it came in
        if quarter_of(day) in covered:  # late rows of other quarters make no quarter
            by_quarter.setdefault(quarter_of(day), []).append(row)
    count_code, median_code = PRESALE_RENT_CODES[kind]
    values = dict(((c, p), v) for c, p, v in published.execute(
        "select indicator_code, period, value from marts.fct_indicator_value"
        " where region_code = ? and indicator_code in (?, ?)", [code, count_code, median_code],
    ).fetchall())
    assert by_quarter and {p for c, p in values if c == count_code} == set(by_quarter)
    for quarter, rows in by_quarter.items():
        prices = market_priced(rows, RENTED_BUILDING)
        assert values[(count_code, quarter)] == len(rows)
        if prices:
            assert values[(median_code, quarter)] == pytest.approx(statistics.median(prices))
        else:  # never a median from no priced record
            assert (median_code, quarter) not in values


@pytest.mark.pipeline
def test_releases_say_what_they_cover_and_no_quarter_of_them_passes_for_the_market(published):
    coverage = dict(((s, r), c) for s, r, c in published.execute(
        "select distinct source_id, release, coverage"
        " from marts.fct_real_estate_file_reconciliation"
    ).fetchall())
    assert coverage == {
        ("lvr_land", "109S3"): "season", ("lvr_land", "115S1"): "subset",
        ("lvr_land_mirror", "108S2"): "season",
        ("lvr_land_issue", "20200111"): "issue", ("lvr_land_issue", "20201201"): "issue",
        ("lvr_land_issue", "20220401"): "issue", ("lvr_land_issue", "20251001"): "subset",
    }
    flags = published.execute(
        "select coverage, list(distinct q.source_id order by q.source_id), count(*)"
        " from marts.fct_real_estate_quarterly q group by 1 order by 1"
    ).fetchall()
    assert {c for c, *_ in flags} == {"issue", "season", "subset"}
    (unflagged,) = published.execute(
        "select count(*) from marts.fct_indicator_value where source_id like 'lvr_land%'"
        " and quality_flag is distinct from 'partial_period'"
    ).fetchone()
    assert unflagged == 0


@pytest.mark.pipeline
def test_late_registrations_make_no_quarter_of_their_own(published):
    """A quarter is market activity only where a loaded release covers it (a season: its own
    quarter and the one before). 64000 1986 Q4 was once one late transaction; such rows are
    held, counted per file as rows_not_modelled, until their quarter's release is loaded."""
    quarters = published.execute(
        "select region_code, quarter from marts.fct_real_estate_quarterly"
        " where region_level = 'county'").fetchall()
    letters = dict(published.execute(
        "select region_code, county_letter from marts.dim_region where region_level = 'county'"
    ).fetchall())
    assert ("64000", date(1986, 10, 1)) not in quarters
    assert [(c, q) for c, q in quarters if q not in covered_quarters(letters[c], "a")] == []
    for member, letter in (("a_lvr_land_a.csv", "a"), ("e_lvr_land_a.csv", "e")):
        held = [row for row in publisher_rows("109S3", member)
                if (day := transaction_day(row["交易年月日"])) is not None
                and quarter_of(day) not in covered_quarters(letter, "a")]
        (not_modelled,) = published.execute(
            "select rows_not_modelled from marts.fct_real_estate_file_reconciliation"
            " where source_id = 'lvr_land' and release = '109S3' and source_file = ?", [member],
        ).fetchone()
        assert not_modelled == len(held) > 100, member


@pytest.mark.pipeline
def test_the_bundled_subset_is_labelled_a_subset_not_the_market(published):
    """115S1 holds the first 79 rows of 臺北市's file: 2026 Q1 is published as a subset, flagged
    partial_period, and its 2026 Q2 rows make no quarter."""
    rows = published.execute(
        "select quarter, coverage from marts.fct_real_estate_quarterly"
        " where region_code = '63000' and quarter >= '2025-10-01'").fetchall()
    assert rows == [(date(2026, 1, 1), "subset")]
    flags = {flag for (flag,) in published.execute(
        "select distinct quality_flag from marts.fct_indicator_value"
        " where region_code = '63000' and period = '2026-01-01' and indicator_code like 're_%'"
    ).fetchall()}
    assert flags == {"partial_period"}


@pytest.mark.pipeline
def test_impossible_rows_of_the_real_releases_are_quarantined_with_their_reason(published):
    reasons = published.execute(
        "select reason, count(*) from marts.fct_quarantined_row"
        " where source_id = 'lvr_land_issue' group by 1"
    ).fetchall()
    counted = dict(reasons)
    assert counted["交易年月日 1111231 is after the release (published by 2022-04-01)"] == 2
    assert counted["交易年月日 1111009 is after the release (published by 2022-04-01)"] == 1
    assert counted["交易年月日 991126 is not the 7 digits this layout writes"] == 2
    assert counted["交易年月日 1191104 is after the release (published by 2020-12-01)"] == 1
    assert counted["交易年月日 1091222 is after the release (published by 2020-12-01)"] == 1
    ragged = sum(n for reason, n in reasons if reason.startswith("line has 3"))
    assert ragged == 14  # the publisher's own rentals with commas in 備註
    (record,) = published.execute(
        "select record from marts.fct_quarantined_row where record like"
        " 'release=20201201; season=109S4; file=e_lvr_land_c.csv; line=128;%'"
    ).fetchone()
    assert "fields beyond the header=" in record


# ------------------------------------------------------------------ quirks, on a small run

QUIRK_SEASON = "113S1"


def quirk_rows() -> tuple[list[list[str]], list[list[str]], list[tuple[dict, str | None]]]:
    """The new layout's two header rows and a real 臺北市 row, varied one quirk at a time.
    Returns (header rows, data rows of a_lvr_land_a.csv, (changes, expected reason) per row)."""
    text = zipfile.ZipFile(SNAPSHOT_DIR / LVR_LAND.id / "lvr_landcsv_115S1.zip").read(
        "a_lvr_land_a.csv"
    ).decode("utf-8-sig")
    header, english, base, *_ = csv.reader(io.StringIO(text))
    cases = [
        ({"交易年月日": "1130105", "建築完成年月": "0700803",
          "土地位置建物門牌": "臺北市大安區羅斯福路二段４１號"}, None),
        ({"交易年月日": "81052"}, "交易年月日 81052 is not a 民國 date"),
        ({"交易年月日": "1130230"}, "交易年月日 1130230 is not a 民國 date"),
        ({"交易年月日": "1130110", "交易標的": "土地", "單價元平方公尺": "0"}, None),
        ({"交易年月日": "1130111", "交易標的": "車位", "單價元平方公尺": ""}, None),
        ({"交易年月日": "1130112", "交易標的": "建物", "單價元平方公尺": "200000"}, None),
        ({"交易年月日": "1130113", "交易標的": "房地(土地+建物)+車位",
          "單價元平方公尺": "300000"}, None),
        ({"交易年月日": "1130114", "總價元": "abc"}, "總價元 is not a number"),
        ({"交易年月日": "1130115", "鄉鎮市區": "不存在區"},
         "鄉鎮市區 不存在區 is no township of the county"),
        ({"交易年月日": "1130116", "建築完成年月": "076  03"}, None),
        ({"交易年月日": "1130117", "交易標的": "其他"},
         "交易標的 其他 is not 土地, 建物, 房地 or 車位"),
        # the layouts since 2021 write 7 digits: 990412 there is malformed, not 2010-04-12
        ({"交易年月日": "990412"}, "交易年月日 990412 is not the 7 digits this layout writes"),
        ({"交易年月日": "1130118", "總價元": "1e999"}, "總價元 is not a number"),
        ({"交易年月日": "1130119", "建物現況格局-房": "386336.7", "建物現況格局-廳": "1",
          "建物現況格局-衛": "1"}, "建物現況格局 (房 386336.7, 廳 1, 衛 1) is not a whole number"),
        # after the latest day a 113S1 zip can hold (published by the end of 2024 Q2)
        ({"交易年月日": "1131231"},
         "交易年月日 1131231 is after the release (published by 2024-06-30)"),
        ({"交易年月日": "1130120", "編號": "RPQUIRK000"},
         "編號 RPQUIRK000 repeats 113S1 a_lvr_land_a.csv line 3"),
        ({"交易年月日": "1130121", EXTRA_FIELD: ""}, "line has 34 fields, the header 33"),
    ]
    rows = []
    for number, (changes, _) in enumerate(cases):
        row = list(base)
        row[header.index("編號")] = f"RPQUIRK{number:03d}"
        for column, value in changes.items():
            if column == EXTRA_FIELD:
                row.append(value)
            else:
                row[header.index(column)] = value
        rows.append(row)
    return [header, english], rows, cases


EXTRA_FIELD = "(a field beyond the header)"


def quirk_zip() -> bytes:
    (header, english), rows, _ = quirk_rows()

    def render(lines, bom):
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows(lines)
        return ("\ufeff" if bom else "") + out.getvalue()

    # 高雄市's file: no BOM, no English header row, one sale in 鳳山區
    kaohsiung = list(rows[0])
    kaohsiung[header.index("鄉鎮市區")] = "鳳山區"
    kaohsiung[header.index("編號")] = "RPQUIRKKAO"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a_lvr_land_a.csv", render([header, english, *rows], bom=True))
        zf.writestr("e_lvr_land_a.csv", render([header, kaohsiung], bom=False))
    return buffer.getvalue()


@pytest.fixture(scope="module")
def quirk_home(tmp_path_factory, dbt_cli) -> Path:
    home = tmp_path_factory.mktemp("lvr_quirks")
    real_estate_defs.load_raw_season(Warehouse(home=str(home)),
                                     land(home, quirk_zip(), QUIRK_SEASON), QUIRK_SEASON)
    dbt_cli(home, "build", "--select", *LVR_MODELS)
    return home


@pytest.mark.pipeline
def test_each_quirk_is_staged_or_quarantined_with_its_reason(quirk_home):
    _, _, cases = quirk_rows()
    reasons = dict(query(
        quirk_home,
        f"select source_row, rejection_reason from {CHECKED}"
        " where source_file = 'a_lvr_land_a.csv'",
    ))
    # BOM and English header row: data start on line 3
    assert reasons == {line: reason for line, (_, reason) in enumerate(cases, start=3)}
    quarantined = query(
        quirk_home, "select record, reason from intermediate.int_real_estate__quarantine"
    )
    assert len(quarantined) == sum(1 for _, reason in cases if reason)
    assert any("line=4" in record and "交易年月日=81052" in record for record, _ in quarantined)


@pytest.mark.pipeline
def test_file_without_bom_or_english_row_starts_on_line_two(quirk_home):
    assert query(
        quirk_home,
        "select source_row, township_code, rejection_reason"
        f" from {CHECKED} where source_file = 'e_lvr_land_a.csv'",
    ) == [(2, "64000120", None)]


@pytest.mark.pipeline
def test_roc_dates_and_full_width_digits_are_normalised(quirk_home):
    rows = dict((line, rest) for line, *rest in query(
        quirk_home,
        "select source_row, transaction_date, completion_date, completion_date_parse_ok, address"
        " from staging.stg_lvr__transactions where source_file = 'a_lvr_land_a.csv'",
    ))
    assert rows[3] == [date(2024, 1, 5), date(1981, 8, 3), True, "臺北市大安區羅斯福路二段41號"]
    assert rows[4][0] is None  # 81052
    assert rows[12][1:3] == [None, False]  # 建築完成年月 '076  03': kept, flagged, not dropped
    assert rows[14][0] == date(2010, 4, 12)  # 990412: a year below 100 without its zero


@pytest.mark.pipeline
def test_unit_price_zero_or_missing_is_no_price_not_an_error(quirk_home):
    rows = dict((line, rest) for line, *rest in query(
        quirk_home,
        "select source_row, sale_kind, unit_price_ntd_per_m2, rejection_reason"
        f" from {CHECKED} where source_file = 'a_lvr_land_a.csv'",
    ))
    assert rows[6] == ["land", None, None]
    assert rows[7] == ["parking", None, None]
    assert rows[8] == ["building", 200000.0, None]
    assert rows[9] == ["land_building", 300000.0, None]


@pytest.mark.pipeline
def test_quirk_quarter_counts_kinds_and_takes_the_median_over_priced_buildings(quirk_home):
    (header, _), rows, cases = quirk_rows()
    accepted_2024 = [
        row for row, (_, reason) in zip(rows, cases, strict=True)
        if reason is None and row[header.index("交易年月日")].startswith("113")
    ]
    prices = [float(row[header.index("單價元平方公尺")]) for row in accepted_2024
              if row[header.index("交易標的")] in WITH_BUILDING]
    got = query(
        quirk_home,
        "select transactions, transactions_land, transactions_parking, unit_prices_counted,"
        " median_unit_price_ntd_per_m2 from intermediate.int_real_estate__quarterly_measures"
        " where region_code = '63000' and quarter = '2024-01-01'",
    )
    assert got == [(len(accepted_2024), 1, 1, len(prices), statistics.median(prices))]


@pytest.mark.pipeline
def test_reconciliation_counts_the_quarantined_rows_by_reason(quirk_home):
    (row,) = query(
        quirk_home,
        "select rows_read, rows_accepted, rows_quarantined, rows_unaccounted, quarantine_reasons"
        " from marts.fct_real_estate_file_reconciliation"
        " where source_file = 'a_lvr_land_a.csv'",
    )
    _, _, cases = quirk_rows()
    accepted = sum(1 for _, reason in cases if reason is None)
    assert row[:4] == (len(cases), accepted, len(cases) - accepted, 0)
    assert accepted == 6
    assert "交易年月日 81052 is not a 民國 date: 1" in row[4]


# ------------------------------------------------------------------ incremental == full refresh

# model -> its key; the run and load times differ between the two ways by design
COMPARED = {
    CHECKED: "season, source_file, source_row",
    "intermediate.int_real_estate__quarterly": "region_code, transaction_quarter",
    "intermediate.int_real_estate__quarterly_measures": "region_code, quarter",
}
TIMES = {"processed_at", "loaded_at"}


def snapshot_tables(home: Path) -> dict[str, list[tuple]]:
    tables = {}
    for table, order in COMPARED.items():
        schema, name = table.split(".")
        columns = [c for (c,) in query(
            home, "select column_name from information_schema.columns where table_schema = ?"
            " and table_name = ? order by ordinal_position", [schema, name],
        ) if c not in TIMES]
        tables[table] = query(home, f"select {', '.join(columns)} from {table} order by {order}")
    return tables


def processed_at(home: Path, table: str, key: str) -> dict:
    return dict(query(home, f"select {key}, max(processed_at) from {table} group by {key}"))


@pytest.mark.pipeline
def test_backfill_season_by_season_equals_a_full_refresh(twresas_home, dbt_cli):
    tmp_path = twresas_home
    checked, quarterly = CHECKED, "intermediate.int_real_estate__quarterly"
    load_bundled(tmp_path, "109S3")
    dbt_cli(tmp_path, "build", "--select", *LVR_MODELS)
    first = processed_at(tmp_path, checked, "season")
    quarters_first = processed_at(tmp_path, quarterly, "transaction_quarter")

    load_bundled(tmp_path, "115S1")
    dbt_cli(tmp_path, "build", "--select", *LVR_MODELS)
    second = processed_at(tmp_path, checked, "season")
    quarters_second = processed_at(tmp_path, quarterly, "transaction_quarter")
    # the new season alone was processed; the quarters it touched alone were recomputed
    assert second["109S3"] == first["109S3"] and second["115S1"] > first["109S3"]
    rebuilt = {q for q, at in quarters_second.items() if at != quarters_first.get(q)}
    # 115S1 holds March and April 2026; April's quarter is no quarter 115S1 covers (held)
    assert rebuilt == {date(2026, 1, 1)}

    backfilled = snapshot_tables(tmp_path)
    dbt_cli(tmp_path, "build", "--full-refresh", "--select", *LVR_MODELS)
    assert snapshot_tables(tmp_path) == backfilled

    # a re-released season (a new load) is processed again, and only it
    load_bundled(tmp_path, "115S1")
    refreshed = processed_at(tmp_path, checked, "season")
    dbt_cli(tmp_path, "build", "--select", *LVR_MODELS)
    third = processed_at(tmp_path, checked, "season")
    assert third["109S3"] == refreshed["109S3"] and third["115S1"] > refreshed["115S1"]
    assert snapshot_tables(tmp_path) == backfilled


# ------------------------------------------------------------------ Dagster


def test_snapshot_mode_runs_exactly_the_bundled_seasons(twresas_home):
    assert real_estate_defs.seasons_to_run(Fetcher.from_environment()) == ["109S3", "115S1"]
    keys = real_estate_defs.lvr_seasons.get_partition_keys()
    assert keys[0] == "101S3" and keys.index("109S3") < keys.index("115S1")


def test_release_job_loads_one_season_with_rows_read_per_file(twresas_home):
    from orchestration.definitions import defs

    job = defs().resolve_job_def("lvr_land_seasonal")
    result = job.execute_in_process(partition_key="115S1")
    assert result.success
    (materialization,) = [
        m for m in result.asset_materializations_for_node("raw__lvr_land")
        if m.asset_key == dg.AssetKey(["raw", "lvr_land"])
    ]
    assert materialization.metadata["rows_read_per_file"].value == {"a_lvr_land_a.csv": 79}
    files = query(twresas_home, "select season, rows_read from raw.lvr_land_files")
    assert files == [("115S1", 79)]


def test_schedule_requests_the_season_just_closed_in_taipei_time():
    from orchestration.definitions import defs

    schedule = real_estate_defs.lvr_land_seasonal_schedule
    assert schedule.execution_timezone == "Asia/Taipei"
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2026, 10, 11, 10, tzinfo=ZoneInfo("Asia/Taipei")),
        repository_def=defs().get_repository_def(),
    )
    (request,) = schedule.evaluate_tick(context).run_requests
    assert request.partition_key == "115S3"


SEASON_LIST = """<select id="historySeason_id">{}</select>"""


def season_options(*seasons: str) -> str:
    return SEASON_LIST.format("".join(
        f'<option value="{s}">{s[:3]}年第{s[-1]}季</option>' for s in seasons
    ))


def evaluate_sensor(cursor=None):
    from orchestration.definitions import defs

    context = dg.build_sensor_context(cursor=cursor, repository_def=defs().get_repository_def(),
                                      resources=environment_resources())
    result = real_estate_defs.lvr_land_sensor.evaluate_tick(context)
    return result, context.cursor


def expect_season(httpserver, season: str, etag: str) -> None:
    httpserver.expect_request(
        "/DownloadSeason", method="HEAD",
        query_string={"season": season, "type": "zip", "fileName": "lvr_landcsv.zip"},
    ).respond_with_data("", headers={"ETag": etag})


def test_sensor_requests_a_season_when_it_appears_in_the_season_list(
    live_mode, httpserver, monkeypatch
):
    monkeypatch.setenv(LVR_LAND.base_url_env, httpserver.url_for("/"))
    httpserver.expect_request("/DownloadSeason_ajax_list").respond_with_data(
        season_options("114S4", "115S1", "115S2"), content_type="text/html"
    )
    expect_season(httpserver, "115S1", '"a"')
    expect_season(httpserver, "115S2", '"b"')
    result, cursor = evaluate_sensor()
    assert sorted(r.partition_key for r in result.run_requests) == ["115S1", "115S2"]

    httpserver.clear()
    httpserver.expect_request("/DownloadSeason_ajax_list").respond_with_data(
        season_options("114S4", "115S1", "115S2", "115S3"), content_type="text/html"
    )
    expect_season(httpserver, "115S2", '"b"')
    expect_season(httpserver, "115S3", '"c"')
    result, _ = evaluate_sensor(cursor)
    assert [r.partition_key for r in result.run_requests] == ["115S3"]


def test_sensor_skips_in_snapshot_mode(twresas_home):
    result, _ = evaluate_sensor()
    assert result.skip_message and "snapshot" in result.skip_message
