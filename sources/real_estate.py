"""Real estate (domain 5): 內政部地政司 實價登錄 (actual transaction prices), by release.

The publisher serves one zip per season, and one per 10-day release (非本期, the 1st, 11th and
21st of each month), each holding, per county, `{letter}_lvr_land_a.csv` (sales), `_b.csv`
(pre-sales, 預售屋) and `_c.csv` (rentals), plus detail files (`_build`, `_land`, `_park`)
that are not read here, and in some releases a `manifest.csv` naming each file's
`schema-*.csv`, which then says which columns the file must carry. Files are large, so
DuckDB's own reader loads them on all cores, as text, under the publisher's Chinese column
names, from chunks unzipped one ahead that carry each line's number; dates, numbers and
malformed rows are dealt with in dbt staging (the macros roc_date, half_width_digits and
strict_number, unit-tested in stg_lvr__transactions.yml).
"""

import csv
import io
import re
import tempfile
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb

from sources.archives import numbered_line_chunks, read_head, safe_members
from sources.catalog import Snapshot, Source
from sources.errors import SourceError
from sources.roc_calendar import ad_year, roc_year
from sources.settings import HttpSettings

LVR_LAND = Source(
    id="lvr_land",
    publisher="內政部地政司",
    dataset="不動產成交案件實際資訊 (實價登錄) 季資料 lvr_landcsv.zip",
    base_url="https://plvr.land.moi.gov.tw",
    path="/DownloadSeason?season={season}&type=zip&fileName=lvr_landcsv.zip",
    format="zip",
    encoding="utf-8",
    cadence="quarterly",
    attribution="資料來源：內政部地政司",
    snapshots=(
        Snapshot("lvr_landcsv_109S3.zip", {"season": "109S3"}),
        Snapshot("lvr_landcsv_115S1.zip", {"season": "115S1"}),
    ),
    notes="Season zips rebuilt from real county files (member bytes unchanged): 109S3 holds "
    "臺北市 and 高雄市 sales in the old 32-column layout, 115S1 the first 79 臺北市 sales in "
    "the new 33-column layout.",
)
LVR_LAND_ISSUE = Source(
    id="lvr_land_issue",
    publisher="內政部地政司",
    dataset="不動產成交案件實際資訊 (實價登錄) 非本期下載: one 10-day release, lvr_landcsv",
    base_url="https://plvr.land.moi.gov.tw",
    path="/DownloadHistory?type=history&fileName={issue}",
    format="zip",
    encoding="utf-8",
    cadence="10-day",
    attribution="資料來源：內政部地政司",
    snapshots=(
        Snapshot("lvr_landcsv_20200111.zip", {"issue": "20200111"}),
        Snapshot("lvr_landcsv_20201201.zip", {"issue": "20201201"}),
        Snapshot("lvr_landcsv_20220401.zip", {"issue": "20220401"}),
        Snapshot("lvr_landcsv_20251001.zip", {"issue": "20251001"}),
    ),
    notes="Zips rebuilt from real 10-day release files (member bytes unchanged); a 10-day "
    "release is what was registered in ten days, not a season. 20200111: sales of 5 cities, old "
    "28-column layout; 20201201: the complete release of 15 counties (sales, pre-sales, rentals, "
    "manifest and schema files; detail tables not bundled); 20220401: sales of 5 cities, "
    "33-column layout; 20251001: 臺北市 rentals only, 35-column layout. Issue dates inferred "
    "from the transaction dates and the mirrors' labels.",
)
# A season as a crawler re-wrote it: a 縣市 column appended, commas dropped from 備註, UTF-8
# with BOM and LF; every other cell verbatim. Loaded by the same reader under its own id.
MIRROR_COMMIT = "813cd6d0db70e5395323221fdb06f27977fb06a5"
LVR_LAND_MIRROR = Source(
    id="lvr_land_mirror",
    publisher="內政部地政司 (via the GitHub mirror kgcoc0114/lvr-land-crawler-spark)",
    dataset="實價登錄 season sales files re-written by a crawler (input/*_lvr_land_a.csv)",
    base_url="https://github.com",
    path=f"/kgcoc0114/lvr-land-crawler-spark/archive/{MIRROR_COMMIT}.zip",
    format="zip",
    encoding="utf-8",
    cadence="irregular",
    kind="mirror_table",
    attribution="資料來源：內政部地政司",
    snapshots=(Snapshot("lvr-land-crawler-spark-813cd6d0.zip", {"season": "108S2"}),),
    notes="The repository archive at that commit, holding the 108S2 sales of 臺北市, 臺中市, "
    "高雄市, 新北市 and 桃園市 (season inferred from the dates); only its input/*.csv bundled.",
)
LVR_SOURCES = (LVR_LAND, LVR_LAND_MIRROR, LVR_LAND_ISSUE)
# What one load holds, for the marts to say so: a whole season (each file a county's whole
# season), one 10-day release, or a subset of a file's rows.
COVERAGES = ("season", "issue", "subset")
SOURCE_COVERAGE = {LVR_LAND.id: "season", LVR_LAND_MIRROR.id: "season", LVR_LAND_ISSUE.id: "issue"}
SUBSET_SNAPSHOTS = {
    (LVR_LAND.id, "lvr_landcsv_115S1.zip"),  # the first 79 rows of the file
    # 347 臺北市 rentals dated 2025-09-21..26 only: a filtered file, not the whole release
    (LVR_LAND_ISSUE.id, "lvr_landcsv_20251001.zip"),
}

# The current (33-column) layout of the sales file: the column set of the loaded table.
SALES_COLUMNS = (
    "鄉鎮市區", "交易標的", "土地位置建物門牌", "土地移轉總面積平方公尺", "都市土地使用分區",
    "非都市土地使用分區", "非都市土地使用編定", "交易年月日", "交易筆棟數", "移轉層次", "總樓層數",
    "建物型態", "主要用途", "主要建材", "建築完成年月", "建物移轉總面積平方公尺", "建物現況格局-房",
    "建物現況格局-廳", "建物現況格局-衛", "建物現況格局-隔間", "有無管理組織", "總價元",
    "單價元平方公尺", "車位類別", "車位移轉總面積平方公尺", "車位總價元", "備註", "編號",
    "主建物面積", "附屬建物面積", "陽台面積", "電梯", "移轉編號",
)
# Columns only rental files (c) have, 2020 (29 columns) and 2025 (35 columns) layouts.
RENT_COLUMNS = (
    "土地面積平方公尺", "租賃年月日", "租賃筆棟數", "租賃層次", "建物總面積平方公尺", "有無附傢俱",
    "總額元", "車位面積平方公尺", "車位總額元", "出租型態", "有無管理員", "租賃期間", "有無電梯",
    "附屬設備", "租賃住宅服務",
)
# Every raw table starts with all of them, so a model may name any (NULL where a file lacks it).
KNOWN_COLUMNS = SALES_COLUMNS + RENT_COLUMNS
# Earlier layouts named the same fields differently.
RENAMED = {
    "土地區段位置建物區段門牌": "土地位置建物門牌",
    "土地區段位置或建物區門牌": "土地位置建物門牌",
    "車位移轉總面積(平方公尺)": "車位移轉總面積平方公尺",
}
# What each kind of file must carry (after renaming), or its layout has changed under us:
# the 28 fields sales and pre-sale (預售屋) files share up to 編號 (the building-area fields
# and 移轉編號 came later); rental files name their own date and price fields.
REQUIRED = {
    "a": SALES_COLUMNS[:28],
    "b": SALES_COLUMNS[:28],
    "c": ("鄉鎮市區", "交易標的", "土地位置建物門牌", "租賃年月日", "總額元", "編號"),
}
META_COLUMNS = {
    "season": "VARCHAR",
    "release": "VARCHAR",
    "county_letter": "VARCHAR",
    "kind": "VARCHAR",
    "source_file": "VARCHAR",
    "source_row": "BIGINT",
    "fields_read": "BIGINT",  # the header's count, or what a ragged row had
    "extra_fields": "VARCHAR",  # a long row's fields beyond the header's, comma-joined
}
# One row per file of each loaded release, in `<table>_files` beside the rows: the rows read
# (dbt reconciles them with what it staged and quarantined), the landed zip, what the release
# covers, and its dates: published_by, the latest day a row can be dated; season_start, the
# first day of the season's quarter (a quarter is complete once its own and the next season
# are loaded whole).
FILES_COLUMNS = {
    "season": "VARCHAR",
    "source_file": "VARCHAR",
    "kind": "VARCHAR",
    "rows_read": "BIGINT",
    "raw_sha256": "VARCHAR",
    "url": "VARCHAR",
    "is_synthetic": "BOOLEAN",
    "loaded_at": "TIMESTAMP",
    "release": "VARCHAR",
    "coverage": "VARCHAR",
    "published_by": "DATE",
    "header_fields": "BIGINT",
    "schema_file": "VARCHAR",
    "season_start": "DATE",
}
# Some older seasons name members in upper case (A_lvr_land_A.CSV).
MEMBER = re.compile(r"(?:.*/)?([a-z])_lvr_land_([abc])\.csv", re.IGNORECASE)
MANIFEST = re.compile(r"(?:.*/)?manifest\.csv", re.IGNORECASE)
SCHEMA = re.compile(r"(?:.*/)?(schema-[a-z-]+\.csv)", re.IGNORECASE)
SEASON = re.compile(r"\d{2,3}S[1-4]")
RELEASE = re.compile(r"\d{2,3}S[1-4]|20\d{6}")  # a season, or a 10-day release's date
# 實價登錄 began on 2012-08-01; the publisher's season list starts with 101年第3季.
FIRST_SEASON = "101S3"
# The download page fills its season drop-down from this endpoint (HTML <option>s).
SEASON_LIST_PATH = "/DownloadSeason_ajax_list"
HEAD_BYTES = 64 * 1024  # both header rows fit many times over
NO_FIELD_IS = "\x01"  # the reader's null string: empty fields then read as ''
MAX_UNCOMPRESSED_BYTES = 16 * 1024**3
MAX_RATIO = 200  # Chinese CSV deflates about 5-15x; a bomb, thousands of times
# DuckDB keeps the blocks it inserts cached up to memory_limit (default 80% of RAM) before it
# writes any out, so a large season would hold about its own size in memory. Half the CSV
# size (measured, benchmarks/real_estate_ingest.py) keeps peak RSS under the CSV size.
MEMORY_SHARE = 0.5
MIN_MEMORY_LIMIT = 256 * 1024**2
# Lines per INSERT: 8 of DuckDB's 122,880-row groups. Smaller statements cost far more in the
# commit (measured on 5M rows: chunks of 245,760 lines took 1.7x as long and 4.8x the memory;
# benchmarks/real_estate_ingest.py).
CHUNK_LINES = 983_040
# A row with more fields than its header is kept, flagged, for the quarantine (the publisher's
# own 2020-12-01 rentals have rows with 1 to 5 extra fields, from commas in 備註); one with
# more than this many extra fields fails the load.
SPARE_FIELDS = 8


@dataclass(frozen=True)
class FileStats:
    file: str
    kind: str  # a sales, b pre-sales, c rentals
    rows_read: int
    header_fields: int  # a row with as many is whole; fields_read of each row says
    schema: str | None = None  # the release's schema-*.csv the header was checked against


@dataclass(frozen=True)
class ReleaseOrigin:
    """Where a release zip came from, recorded with its files' row counts."""

    raw_sha256: str
    url: str
    is_synthetic: bool
    coverage: str  # one of COVERAGES: what the release holds


def files_table(table: str) -> str:
    """The table of the files loaded into `table`."""
    return f"{table}_files"


def load_season(
    con: duckdb.DuckDBPyConnection,
    zip_path: str | Path,
    season: str,
    table: str,
    *,
    release: str | None = None,
    source_id: str = LVR_LAND.id,
    origin: ReleaseOrigin,
) -> list[FileStats]:
    """Load every `*_lvr_land_[abc].csv` of one release zip into `table`, and a row per file
    into `<table>_files` (FILES_COLUMNS, with `origin`), replacing the release in both (a season
    zip is its own release: `release` defaults to `season`; a 10-day release is named by its
    date, 20201201, and `season` is the season it belongs to).

    The table (created if missing) has season, release, county_letter, kind ('a'|'b'|'c'),
    source_file, source_row (the line in the publisher's file), fields_read and extra_fields,
    then every known layout's Chinese columns (KNOWN_COLUMNS) as text; columns no known layout
    has are added as they appear. A field the publisher left empty is '', a field the file's
    layout lacks is NULL. A row with fewer or more fields than its header is loaded with
    fields_read saying so (and extra_fields holding the surplus), for dbt to quarantine; more
    than SPARE_FIELDS surplus fields fail the load. When the zip has a manifest.csv, every file
    must be in it, and the schema-*.csv it names (when the zip has it) lists the columns the
    file must carry. All in one transaction: a failure leaves both tables as they were. Temporary
    files (TMPDIR) hold at most three chunks of CHUNK_LINES lines, about 1.3 GB at the
    publisher's row width.
    """
    release = release or season
    if not SEASON.fullmatch(season):
        raise ValueError(f"season must look like 109S3, not {season!r}")
    if not RELEASE.fullmatch(release):
        raise ValueError(f"release must be a season (109S3) or a date (20201201), not {release!r}")
    if origin.coverage not in COVERAGES:
        raise ValueError(f"coverage must be one of {COVERAGES}, not {origin.coverage!r}")
    entries = safe_members(
        zip_path, source_id=source_id, max_total_bytes=MAX_UNCOMPRESSED_BYTES, max_ratio=MAX_RATIO
    )
    members = [info for info in entries if MEMBER.fullmatch(info.filename)]
    if not members:
        raise SourceError(source_id, str(zip_path), "no *_lvr_land_[abc].csv in the archive")
    schemas = _release_schemas(zip_path, entries, source_id)
    create_table(con, table)
    stats = []
    csv_bytes = sum(info.file_size for info in members)
    with (
        _memory_limit(con, max(MIN_MEMORY_LIMIT, int(csv_bytes * MEMORY_SHARE))),
        _insertion_order_not_kept(con),
    ):
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(f"DELETE FROM {_ident(table)} WHERE release = ?", [release])
            with tempfile.TemporaryDirectory(prefix="lvr_land-") as work:
                for info in members:
                    stats.append(_load_member(
                        con, table, zip_path, info, (season, release), work, source_id,
                        schemas,
                    ))
            _record_files(con, table, season, release, origin, stats)
            con.execute("COMMIT")
        except BaseException:
            # A COMMIT that failed (a full disk) has ended the transaction: the ROLLBACK's
            # 'no transaction is active' must not replace the real cause, raised here.
            with suppress(duckdb.Error):
                con.execute("ROLLBACK")
            raise
    return stats


def _record_files(con, table: str, season: str, release: str, origin: ReleaseOrigin,
                  stats: list[FileStats]) -> None:
    """Replace the release's rows in `<table>_files`."""
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    con.execute(f"DELETE FROM {_ident(files_table(table))} WHERE release = ?", [release])
    con.executemany(
        f"""
        INSERT INTO {_ident(files_table(table))} (season, release, source_file, kind, rows_read,
            header_fields, schema_file, raw_sha256, url, is_synthetic, coverage, published_by,
            season_start, loaded_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        [[season, release, s.file, s.kind, s.rows_read, s.header_fields, s.schema,
          origin.raw_sha256, origin.url, origin.is_synthetic, origin.coverage,
          release_published_by(release), season_start(season), loaded_at] for s in stats],
    )


@contextmanager
def _memory_limit(con: duckdb.DuckDBPyConnection, limit: int):
    """Lower the connection's memory_limit to `limit` bytes for the load (never raise it), then
    put it back: RESET when it was DuckDB's default (its text form is rounded: '18.8 GiB')."""
    setting = "SELECT current_setting('memory_limit')"
    (current,) = con.execute(setting).fetchone()
    if _bytes(current) <= limit:
        yield
        return
    con.execute("RESET memory_limit")
    restore = "RESET memory_limit" if con.execute(setting).fetchone()[0] == current else (
        f"SET memory_limit = '{current}'"
    )
    con.execute(f"SET memory_limit = '{limit}B'")
    try:
        yield
    finally:
        con.execute(restore)


@contextmanager
def _insertion_order_not_kept(con: duckdb.DuckDBPyConnection):
    """Let DuckDB insert rows in any order for the load: every row carries its line number, and
    an ordered insert was measured slower: 5M rows from 33 files took 25 s, 11 s unordered,
    most of the difference in the checkpoint."""
    (kept,) = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()
    con.execute("SET preserve_insertion_order = false")
    try:
        yield
    finally:
        if kept:
            con.execute("SET preserve_insertion_order = true")


_UNITS = {"": 1, "B": 1, "BYTES": 1, "KB": 1000, "MB": 1000**2, "GB": 1000**3, "TB": 1000**4,
          "KIB": 1024, "MIB": 1024**2, "GIB": 1024**3, "TIB": 1024**4}


def _bytes(setting: str) -> float:
    """DuckDB's '18.6 GiB' -> bytes."""
    number, unit = re.fullmatch(r"\s*([0-9.]+)\s*([A-Za-z]*)\s*", setting).groups()
    return float(number) * _UNITS[unit.upper()]


def season_of(day: date) -> str:
    """The 民國 season a day falls in: 2026-02-14 -> '115S1'."""
    return f"{roc_year(day.year)}S{(day.month - 1) // 3 + 1}"


def season_start(season: str) -> date:
    """'109S3' -> 2020-07-01, the first day of the season's quarter."""
    year, quarter = season.split("S")
    return date(ad_year(int(year)), 3 * int(quarter) - 2, 1)


def release_season(release: str) -> str:
    """The season a release belongs to: a season zip its own; a 10-day release of 2020-12-01
    holds what was registered up to the day before: '20201201' -> '109S4'."""
    if SEASON.fullmatch(release):
        return release
    return season_of(_release_day(release) - timedelta(days=1))


def release_published_by(release: str) -> date:
    """The latest day a release's rows can be dated: a 10-day release its own date (a sale is
    registered after it happens, and published after that); a season zip, published within
    the quarter after the season, the end of that quarter (109S3 -> 2020-12-31)."""
    if not SEASON.fullmatch(release):
        return _release_day(release)
    start = season_start(release)
    after_next = date(start.year + (start.month + 5) // 12, (start.month + 5) % 12 + 1, 1)
    return after_next - timedelta(days=1)


def release_coverage(source_id: str, snapshot_file: str | None) -> str:
    """season, issue or subset (COVERAGES): what one load of the source holds."""
    if (source_id, snapshot_file) in SUBSET_SNAPSHOTS:
        return "subset"
    return SOURCE_COVERAGE[source_id]


def issue_days_through(last: date, first: date = date(2019, 1, 1)) -> list[str]:
    """The 10-day release dates (the 1st, 11th and 21st) from `first` to `last`, as 20201201."""
    days, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        days += [date(year, month, day) for day in (1, 11, 21)]
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return [day.strftime("%Y%m%d") for day in days if first <= day <= last]


def _release_day(release: str) -> date:
    try:
        return datetime.strptime(release, "%Y%m%d").date()
    except ValueError as exc:
        raise ValueError(f"release must be a season (109S3) or a date (20201201): {release!r}") \
            from exc


def seasons_through(last: str, first: str = FIRST_SEASON) -> list[str]:
    """Every season from `first` to `last`, in order: ['101S3', '101S4', '102S1', ...]."""
    year, quarter = (int(part) for part in first.split("S"))
    end = tuple(int(part) for part in last.split("S"))
    seasons = []
    while (year, quarter) <= end:
        seasons.append(f"{year}S{quarter}")
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return seasons


def parse_season_list(raw: bytes) -> list[str]:
    """The seasons the download page offers, oldest first, from its `<option value="115S1">`
    list. An answer without any is a SourceError: the page changed or is an error page."""
    text = raw.decode("utf-8", errors="replace")
    found = set(re.findall(r"""value\s*=\s*["']?(\d{2,3}S[1-4])\b""", text))
    if not found:
        raise SourceError(LVR_LAND.id, SEASON_LIST_PATH, "no season (like 115S1) in the list")
    return sorted(found, key=lambda s: season_start(s))


def season_list_url(http: HttpSettings) -> str:
    return http.base_url(LVR_LAND) + SEASON_LIST_PATH


def _load_member(
    con, table: str, zip_path, info, keys: tuple[str, str], work: str, source_id: str,
    schemas: dict[str, tuple[str, list[str]] | None] | None,
) -> FileStats:
    name = info.filename
    location = f"{zip_path}:{name}"
    letter, kind = (part.lower() for part in MEMBER.fullmatch(name).groups())
    head = read_head(zip_path, info, HEAD_BYTES, source_id=source_id)
    header, skip = _read_header(head, location, source_id)
    columns = [RENAMED.get(column, column) for column in header]
    schema_file, required = None, REQUIRED[kind]
    if schemas is not None:
        base = name.rsplit("/", 1)[-1].lower()
        if base not in schemas:
            raise SourceError(source_id, location, "file not listed in the release's manifest.csv")
        if schemas[base] is not None:
            schema_file, names = schemas[base]
            required = tuple(RENAMED.get(column, column) for column in names)
    missing = [column for column in required if column not in columns]
    if missing or len(set(columns)) != len(columns):
        raise SourceError(
            source_id, location, f"missing or repeated column(s) {missing}; got {header}"
        )
    existing = {row[0] for row in con.execute(f"DESCRIBE {_ident(table)}").fetchall()}
    for column in columns:
        if column not in existing:
            con.execute(f"ALTER TABLE {_ident(table)} ADD COLUMN {_ident(column)} VARCHAR")
    # DuckDB's reader quietly drops one trailing empty field, so a row with a stray comma
    # would load shifted by one column. Hence spare columns, padding instead of failing on
    # short rows, and a null string no field holds: an empty field reads as '', a missing one
    # as NULL, so the non-NULL fields are the fields the row had, and a long row's surplus
    # sits in the spare columns. Either way fields_read tells dbt to quarantine the row.
    width = len(columns)
    fields = [f"c{i}" for i in range(width + SPARE_FIELDS)]
    positions = {"line": "BIGINT", **{field: "VARCHAR" for field in fields}}
    spare, last = fields[width], fields[width - 1]
    select = ", ".join(fields[:width])
    surplus = ", ".join(fields[width:])
    target = ", ".join(_ident(c) for c in (*META_COLUMNS, *columns))
    # Each line carries its number as a first field, so DuckDB reads a chunk on all cores in
    # any order and every row still knows its line in the publisher's file; the next chunk is
    # unzipped meanwhile.
    rows_read = 0
    try:
        with numbered_line_chunks(
            zip_path, info, work, source_id=source_id, skip_lines=skip, chunk_lines=CHUNK_LINES
        ) as chunks:
            for chunk in chunks:
                rows_read += con.execute(
                    f"""
                    INSERT INTO {_ident(table)} ({target})
                    SELECT ?, ?, ?, ?, ?, line,
                        CASE WHEN {spare} IS NULL AND {last} IS NOT NULL THEN {width}
                             ELSE list_count([{", ".join(fields)}])
                        END,
                        CASE WHEN {spare} IS NOT NULL THEN concat_ws(',', {surplus}) END,
                        {select}
                    FROM read_csv(?, header = false, auto_detect = false, columns = ?,
                                  delim = ',', quote = '"', escape = '"', encoding = 'utf-8',
                                  null_padding = true, nullstr = ?)
                    """,
                    [*keys, letter, kind, name, str(chunk), positions, NO_FIELD_IS],
                ).fetchone()[0]
    except duckdb.Error as exc:
        first_line = str(exc).splitlines()[0]
        raise SourceError(source_id, location, f"unreadable CSV ({first_line})") from exc
    return FileStats(file=name, kind=kind, rows_read=rows_read, header_fields=width,
                     schema=schema_file)


def _release_schemas(
    zip_path, entries, source_id: str
) -> dict[str, tuple[str, list[str]] | None] | None:
    """file name -> (schema file, its column names) from the release's manifest.csv, or None
    for a file whose schema the zip lacks (the kind's REQUIRED columns apply); None without a
    manifest. The schema's `title` is the column's name in the file."""
    by_name = {info.filename.rsplit("/", 1)[-1].lower(): info for info in entries}
    manifest = next((info for info in entries if MANIFEST.fullmatch(info.filename)), None)
    if manifest is None:
        return None
    rows = _small_csv(zip_path, manifest, source_id, ("name", "schema"))
    schemas: dict[str, tuple[str, list[str]] | None] = {}
    for row in rows:
        schema_name = row["schema"].strip()
        schema = by_name.get(schema_name.lower()) if SCHEMA.fullmatch(schema_name) else None
        schemas[row["name"].strip().lower()] = schema and (schema_name, [
            column["title"].strip()
            for column in _small_csv(zip_path, schema, source_id, ("name", "title"))
        ])
    return schemas


def _small_csv(zip_path, info, source_id: str, needed: tuple[str, ...]) -> list[dict[str, str]]:
    location = f"{zip_path}:{info.filename}"
    raw = read_head(zip_path, info, HEAD_BYTES, source_id=source_id)
    if len(raw) >= HEAD_BYTES:
        raise SourceError(source_id, location, f"larger than {HEAD_BYTES:,} bytes")
    try:
        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    except UnicodeDecodeError as exc:
        raise SourceError(source_id, location, f"not UTF-8 ({exc.reason})") from exc
    if not rows or any(column not in rows[0] for column in needed):
        raise SourceError(source_id, location, f"no rows with the columns {list(needed)}")
    return rows


def _read_header(head: bytes, location: str, source_id: str) -> tuple[list[str], int]:
    """The Chinese header and how many lines precede the data (1, or 2 with the English row)."""
    lines = head.split(b"\n", 2)[:2] + [b""]
    try:
        lines = [line.decode("utf-8-sig") for line in lines[:2]]
    except UnicodeDecodeError as exc:
        raise SourceError(source_id, location, f"not UTF-8 ({exc.reason})") from exc
    header = [name.strip() for name in next(csv.reader([lines[0]]), [])]
    # Recent releases put an English header row under the Chinese one, older ones do not;
    # data rows always start with a Chinese 鄉鎮市區, so a second line that does not is that
    # row (a mirror appended its 縣市 column to the English row too, in Chinese).
    first_field = lines[1].split(",", 1)[0]
    skip = 2 if lines[1].strip() and not _CJK.search(first_field) else 1
    return header, skip


_CJK = re.compile(r"[\u3400-\u9fff]")


def create_table(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """The table, with every meta and known column, and its files table (FILES_COLUMNS). Tables
    an older load created gain the columns they lack: a release filled with its season (season
    zips were the only releases), and a file's release dates from its season."""
    if "release" in _create_or_extend(con, table,
                                      {**META_COLUMNS, **{n: "VARCHAR" for n in KNOWN_COLUMNS}}):
        con.execute(f"UPDATE {_ident(table)} SET release = season")
    _create_or_extend(con, files_table(table), FILES_COLUMNS)
    for (season,) in con.execute(
        f"SELECT DISTINCT season FROM {_ident(files_table(table))} WHERE release IS NULL"
    ).fetchall():
        con.execute(
            f"UPDATE {_ident(files_table(table))} SET release = season, coverage = 'season',"
            " published_by = ? WHERE season = ? AND release IS NULL",
            [release_published_by(season), season],
        )
    for (season,) in con.execute(
        f"SELECT DISTINCT season FROM {_ident(files_table(table))} WHERE season_start IS NULL"
    ).fetchall():
        con.execute(f"UPDATE {_ident(files_table(table))} SET season_start = ? WHERE season = ?",
                    [season_start(season), season])


def _create_or_extend(con: duckdb.DuckDBPyConnection, table: str, columns: dict[str, str]
                      ) -> set[str]:
    """Create `table` with `columns` (name: type), or add those it lacks; returns those added
    to a table that existed."""
    definitions = ", ".join(f"{_ident(n)} {t}" for n, t in columns.items())
    con.execute(f"CREATE TABLE IF NOT EXISTS {_ident(table)} ({definitions})")
    existing = {row[0] for row in con.execute(f"DESCRIBE {_ident(table)}").fetchall()}
    for name, sql_type in columns.items():
        if name not in existing:
            con.execute(f"ALTER TABLE {_ident(table)} ADD COLUMN {_ident(name)} {sql_type}")
    return set(columns) - existing


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
