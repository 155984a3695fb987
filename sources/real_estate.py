"""Real estate (domain 5): 內政部地政司 實價登錄 (actual transaction prices), by season.

The publisher serves one zip per season holding, per county, `{letter}_lvr_land_a.csv` (sales),
`_b.csv` (pre-sales) and `_c.csv` (rentals), plus detail files (`_build`, `_land`, `_park`)
that are not read here. Files are large, so DuckDB's own reader loads them on all cores, as
text, under the publisher's Chinese column names, from chunks unzipped one ahead that carry
each line's number; dates, numbers and malformed rows are dealt with in dbt staging, by the
rules the pure helpers below define.
"""

import csv
import os
import re
import tempfile
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from sources.archives import numbered_line_chunks, read_head, safe_members
from sources.catalog import Snapshot, Source
from sources.errors import SourceError

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

# The current (33-column) layout of the sales file: the column set of the loaded table.
SALES_COLUMNS = (
    "鄉鎮市區", "交易標的", "土地位置建物門牌", "土地移轉總面積平方公尺", "都市土地使用分區",
    "非都市土地使用分區", "非都市土地使用編定", "交易年月日", "交易筆棟數", "移轉層次", "總樓層數",
    "建物型態", "主要用途", "主要建材", "建築完成年月", "建物移轉總面積平方公尺", "建物現況格局-房",
    "建物現況格局-廳", "建物現況格局-衛", "建物現況格局-隔間", "有無管理組織", "總價元",
    "單價元平方公尺", "車位類別", "車位移轉總面積平方公尺", "車位總價元", "備註", "編號",
    "主建物面積", "附屬建物面積", "陽台面積", "電梯", "移轉編號",
)
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
    "county_letter": "VARCHAR",
    "kind": "VARCHAR",
    "source_file": "VARCHAR",
    "source_row": "BIGINT",
}
# Some older seasons name members in upper case (A_lvr_land_A.CSV).
MEMBER = re.compile(r"(?:.*/)?([a-z])_lvr_land_([abc])\.csv", re.IGNORECASE)
SEASON = re.compile(r"\d{2,3}S[1-4]")
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


@dataclass(frozen=True)
class FileStats:
    file: str
    rows_read: int


def load_season(
    con: duckdb.DuckDBPyConnection, zip_path: str | Path, season: str, table: str
) -> list[FileStats]:
    """Load every `*_lvr_land_[abc].csv` of one season zip into `table`, replacing the season.

    The table (created if missing) has season, county_letter, kind ('a'|'b'|'c'),
    source_file, source_row (the line in the publisher's file), then the current sales layout's
    Chinese columns as text; columns only older layouts or other kinds have are added as they
    appear. A field the publisher left empty is '', a field the file's layout lacks is NULL.
    A row with more or fewer fields than its header fails the load. All in one transaction:
    a failure leaves the table as it was. Temporary files (TMPDIR) hold at most three chunks
    of CHUNK_LINES lines, about 1.3 GB at the publisher's row width.
    """
    if not SEASON.fullmatch(season):
        raise ValueError(f"season must look like 109S3, not {season!r}")
    members = [
        info
        for info in safe_members(
            zip_path,
            source_id=LVR_LAND.id,
            max_total_bytes=MAX_UNCOMPRESSED_BYTES,
            max_ratio=MAX_RATIO,
        )
        if MEMBER.fullmatch(info.filename)
    ]
    if not members:
        raise SourceError(LVR_LAND.id, str(zip_path), "no *_lvr_land_[abc].csv in the archive")
    _create_table(con, table)
    stats = []
    csv_bytes = sum(info.file_size for info in members)
    with (
        _memory_limit(con, max(MIN_MEMORY_LIMIT, int(csv_bytes * MEMORY_SHARE))),
        _insertion_order_not_kept(con),
    ):
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(f"DELETE FROM {_ident(table)} WHERE season = ?", [season])
            with tempfile.TemporaryDirectory(prefix="lvr_land-") as work:
                for info in members:
                    stats.append(_load_member(con, table, zip_path, info, season, work))
            con.execute("COMMIT")
        except BaseException:
            # A COMMIT that failed (a full disk) has ended the transaction: the ROLLBACK's
            # 'no transaction is active' must not replace the real cause, raised here.
            with suppress(duckdb.Error):
                con.execute("ROLLBACK")
            raise
    return stats


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
    return f"{day.year - 1911}S{(day.month - 1) // 3 + 1}"


def season_start(season: str) -> date:
    """'109S3' -> 2020-07-01, the first day of the season's quarter."""
    year, quarter = season.split("S")
    return date(int(year) + 1911, 3 * int(quarter) - 2, 1)


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


def season_list_url() -> str:
    return os.environ.get(LVR_LAND.base_url_env, LVR_LAND.base_url).rstrip("/") + SEASON_LIST_PATH


def _load_member(con, table: str, zip_path, info, season: str, work: str) -> FileStats:
    name = info.filename
    location = f"{zip_path}:{name}"
    letter, kind = (part.lower() for part in MEMBER.fullmatch(name).groups())
    head = read_head(zip_path, info, HEAD_BYTES, source_id=LVR_LAND.id)
    header, skip = _read_header(head, location)
    columns = [RENAMED.get(column, column) for column in header]
    missing = [column for column in REQUIRED[kind] if column not in columns]
    if missing or len(set(columns)) != len(columns):
        raise SourceError(
            LVR_LAND.id, location, f"missing or repeated column(s) {missing}; got {header}"
        )
    existing = {row[0] for row in con.execute(f"DESCRIBE {_ident(table)}").fetchall()}
    for column in columns:
        if column not in existing:
            con.execute(f"ALTER TABLE {_ident(table)} ADD COLUMN {_ident(column)} VARCHAR")
    # DuckDB's reader quietly drops one trailing empty field, so a row with a stray comma
    # would load shifted by one column. Hence one spare column, padding instead of failing on
    # short rows, and a null string no field holds: a long row fills the spare column, a short
    # one leaves its last field NULL (an empty field reads as ''), and either stops the load.
    positions = {"line": "BIGINT", **{f"c{i}": "VARCHAR" for i in range(len(columns) + 1)}}
    spare, last = f"c{len(columns)}", f"c{len(columns) - 1}"
    select = ", ".join(f"c{i}" for i in range(len(columns)))
    target = ", ".join(_ident(c) for c in (*META_COLUMNS, *columns))
    # Each line carries its number as a first field, so DuckDB reads a chunk on all cores in
    # any order and every row still knows its line in the publisher's file; the next chunk is
    # unzipped meanwhile.
    rows_read = 0
    try:
        with numbered_line_chunks(
            zip_path, info, work, source_id=LVR_LAND.id, skip_lines=skip, chunk_lines=CHUNK_LINES
        ) as chunks:
            for chunk in chunks:
                rows_read += con.execute(
                    f"""
                    INSERT INTO {_ident(table)} ({target})
                    SELECT ?, ?, ?, ?,
                        CASE WHEN {spare} IS NULL AND {last} IS NOT NULL THEN line
                             ELSE error('line ' || line || ': not as many fields as the header')
                        END,
                        {select}
                    FROM read_csv(?, header = false, auto_detect = false, columns = ?,
                                  delim = ',', quote = '"', escape = '"', encoding = 'utf-8',
                                  null_padding = true, nullstr = ?)
                    """,
                    [season, letter, kind, name, str(chunk), positions, NO_FIELD_IS],
                ).fetchone()[0]
    except duckdb.Error as exc:
        first_line = str(exc).splitlines()[0]
        raise SourceError(LVR_LAND.id, location, f"unreadable CSV ({first_line})") from exc
    return FileStats(file=name, rows_read=rows_read)


def _read_header(head: bytes, location: str) -> tuple[list[str], int]:
    """The Chinese header and how many lines precede the data (1, or 2 with the English row)."""
    lines = head.split(b"\n", 2)[:2] + [b""]
    try:
        lines = [line.decode("utf-8-sig") for line in lines[:2]]
    except UnicodeDecodeError as exc:
        raise SourceError(LVR_LAND.id, location, f"not UTF-8 ({exc.reason})") from exc
    header = [name.strip() for name in next(csv.reader([lines[0]]), [])]
    # Recent releases put an English header row under the Chinese one, older ones do not;
    # data rows always carry a Chinese 鄉鎮市區, so a second line without CJK is that row.
    skip = 2 if lines[1].strip() and not _CJK.search(lines[1]) else 1
    return header, skip


_CJK = re.compile(r"[\u3400-\u9fff]")


def _create_table(con: duckdb.DuckDBPyConnection, table: str) -> None:
    columns = [f"{_ident(n)} {t}" for n, t in META_COLUMNS.items()]
    columns += [f"{_ident(n)} VARCHAR" for n in SALES_COLUMNS]
    con.execute(f"CREATE TABLE IF NOT EXISTS {_ident(table)} ({', '.join(columns)})")


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# The rules dbt staging applies, as plain functions the tests use as oracles. Each maps to
# a portable SQL expression (given in the docstring).

_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def to_half_width_digits(text: str | None) -> str | None:
    """'臺北市大安區羅斯福路二段４１號' -> '…二段41號'. Only digits change.

    SQL: translate(x, '０１２３４５６７８９', '0123456789')
    """
    return None if text is None else text.translate(_FULL_WIDTH_DIGITS)


def parse_roc_date(text: str | None) -> date | None:
    """A 民國 date yyyMMdd -> date, or None when it is not a valid date.

    1090406 -> 2020-04-06. 建築完成年月 pads years below 100 with a zero (0700803 ->
    1981-08-03); older rows drop the pad (990412 -> 2010-04-12). Anything else is invalid:
    81052 (5 digits), '076  03', day 00, month 13.
    SQL: try_strptime(cast(cast(substr(lpad(x, 7, '0'), 1, 3) as int) + 1911 as varchar)
         || substr(lpad(x, 7, '0'), 4), '%Y%m%d') where regexp_full_match(x, '[0-9]{6,7}')
    """
    if text is None:
        return None
    if not re.fullmatch(r"[0-9]{6,7}", text):
        return None
    digits = text.zfill(7)
    year, month, day = int(digits[:3]), int(digits[3:5]), int(digits[5:])
    try:
        return date(year + 1911, month, day)
    except ValueError:
        return None
