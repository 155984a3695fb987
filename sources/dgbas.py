"""County indicators (issue 6): 行政院主計總處 (DGBAS)「縣市重要統計指標查詢系統」.

Dataset: 【改制後】縣市重要統計指標, the complete export of the indicators for 總計, 臺灣地區 and
the 22 counties (post-2010 boundaries back-cast to 1998), one PC-Axis file per category (01 land
… 32 household income; a category with more than 50 indicators is split into two files).

Two exports are bundled, each its own source (a dated release with its own files and quirks;
the source id on every value says which release a figure comes from, and the older one's
figures stay in the history as revisions):
- dgbas_county_indicators: made 2016-05-06, 664 indicators, 1998–2014, 34 files (02-2, 14-2).
- dgbas_county_indicators_2020: made 2020-01-12, 658 indicators, 1998–2018, 34 files (02-2,
  25-2; 14-1 holds the former 14-2). 25-1 is 0 bytes as published (declared in
  EMPTY_AS_PUBLISHED: its indicators keep their 2016-export figures); some indicators are
  renamed (dbt seed dgbas_indicator_renames); its 2002 welfare values (07–13) are shuffled
  between counties (dbt seed dgbas_export_defects: quarantined where the 2016 export differs).

Publisher quirks:
- The header says CHARSET="ANSI" (on a zh-TW system: Big5/CP950). The site served Big5; the
  bundled files were re-encoded to UTF-8 by the g0v/twstat crawler, so their bytes are UTF-8
  while the header still says ANSI. Both are accepted.
- UNITS="請看項目": the unit is not in the metadata but in the NOTE block of each indicator, as
  the parenthesised suffix of the line after 「指標項：」 (e.g. 稅捐實徵淨額(千元)#).
- NOTE lines are hard-wrapped print lines; '#' marks each line end.
- Regions are matched by name: CODES("縣市") gives 桃園市 the old 桃園縣 code 10003 (both
  exports), so the codes are not used.
- CREATION-DATE ("2020/1/12 14:49", Taipei time) dates the export: it is kept on every value
  as export_created, the release time of the figures.
- Cells without a number hold PC-Axis dot placeholders ('.', '..', '...'; some notes say
  「以…表示」 for no data); values carry 6 decimals whatever the indicator's precision.
- The site exports PX only through a POST form (CityDbQuery2Px_n.asp then Saveshow.asp, as
  g0v/twstat main.ls drives it). The GET path below names one export per category; it is what
  snapshot mode serves. Live retrieval needs that form flow.

Parsing uses the pyaxis library; this module only checks its input and output and makes the
frames long.
"""

import logging
import re
import tempfile
from datetime import datetime
from pathlib import Path

import pandas as pd

from sources.catalog import Snapshot, Source
from sources.errors import SourceError
from sources.values import Kind, parse_cells, years_through_now

_root = logging.getLogger()
_root_level, _root_handlers = _root.level, list(_root.handlers)
from pyaxis import pyaxis  # noqa: E402  (see below)

# pyaxis calls logging.basicConfig(level=INFO) on import; undo it so Dagster and dbt logs stay ours
_root.setLevel(_root_level)
_root.handlers[:] = _root_handlers

CATEGORIES = (
    "01-1", "02-1", "02-2", "03-1", "04-1", "05-1", "06-1", "07-1", "08-1", "09-1", "10-1",
    "11-1", "12-1", "13-1", "14-1", "14-2", "15-1", "16-1", "17-1", "18-1", "19-1", "20-1",
    "21-1", "22-1", "23-1", "24-1", "25-1", "26-1", "27-1", "28-1", "29-1", "30-1", "31-1",
    "32-1",
)  # fmt: skip

COUNTY_INDICATORS = Source(
    id="dgbas_county_indicators",
    publisher="行政院主計總處",
    dataset="縣市重要統計指標查詢系統【改制後】縣市重要統計指標 (PC-Axis, 1998–2014)",
    base_url="https://statdb.dgbas.gov.tw",
    path="/pxweb/Dialog/Saveshow.asp?category={category}",
    format="px",
    encoding="utf-8",
    cadence="yearly",
    attribution="資料來源：行政院主計總處",
    snapshots=tuple(Snapshot(f"{category}.px", {"category": category}) for category in CATEGORIES),
    notes=(
        'Export created 2016-05-06; 664 indicators in 34 files. Header CHARSET="ANSI" but the '
        "bundled bytes are UTF-8 (re-encoded by g0v/twstat). Units are in the NOTE blocks. "
        "Live export is a POST form flow; the GET path is the snapshot key."
    ),
)

# 14-2's indicators moved into 14-1; 25-1 was split into 25-1 and 25-2
CATEGORIES_2020 = tuple(sorted(set(CATEGORIES) - {"14-2"} | {"25-2"}))

COUNTY_INDICATORS_2020 = Source(
    id="dgbas_county_indicators_2020",
    publisher="行政院主計總處",
    dataset="縣市重要統計指標查詢系統【改制後】縣市重要統計指標 (PC-Axis, 1998–2018)",
    base_url="https://statdb.dgbas.gov.tw",
    # the years the export form requests; as for the 2016 export, the GET path is the snapshot
    # key (live retrieval is the form flow) and must differ from the other export's
    path="/pxweb/Dialog/Saveshow.asp?category={category}&period=1998-2018",
    format="px",
    encoding="utf-8",
    cadence="yearly",
    attribution="資料來源：行政院主計總處",
    snapshots=tuple(
        Snapshot(f"{category}.px", {"category": category}) for category in CATEGORIES_2020
    ),
    notes=(
        "Export created 2020-01-12; 658 indicators in 34 files, 25-1 empty (0 bytes). Same "
        "format and encoding quirk as dgbas_county_indicators. Live mode serves the current "
        "export at the same form flow."
    ),
)

# Files an export holds empty (0 bytes) as published: a known, recorded state, so the run goes
# on and the category's indicators keep the previous export's figures. An empty body for any
# other file is an error, as for every source.
EMPTY_AS_PUBLISHED = {COUNTY_INDICATORS_2020.id: frozenset({"25-1"})}

DIMENSIONS = {"STUB": ["指標", "期間"], "HEADING": ["縣市"]}
VALUE_COLUMNS = [
    "category", "indicator_zh", "year", "region_name", "value", "value_text", "export_created",
]  # fmt: skip
INDICATOR_COLUMNS = ["category", "indicator_zh", "unit", "definition"]

_NEVER = r"(?!)"  # keep pyaxis from blanking placeholders, so value_text stays as published
# PC-Axis dot symbols (the files use '.', '..' and '...'); any other non-number is an error.
_PLACEHOLDER = r"\.{1,6}"
# 「指標項：」 is followed by 'name(unit)#'; names may hold brackets of their own
# (幼年人口比率(0-14歲)(％)) and 08-1 puts a space before the unit's bracket.
_NAME_AND_UNIT = re.compile(r"(?P<name>.+?)\s*\((?P<unit>[^()]+)\)#?")
# A definition line that starts a paragraph rather than continuing a wrapped one.
_PARAGRAPH = re.compile(r"(定義|公式|註記|說明|資料來源)：|●")


def parse_county_px(
    raw: bytes, category: str, source: Source = COUNTY_INDICATORS
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One category file of `source`'s export to (values, indicators).

    values: category, indicator_zh, year (AD), region_name, value (NaN for placeholders),
    value_text (the cell as published, PX quotes removed), export_created (CREATION-DATE).
    indicators: category, indicator_zh, unit, definition (from the NOTE blocks; None for an
    indicator the notes do not describe).
    """
    location = f"{category}.px"
    px = _read_px(_decode(raw, location, source), location, source)
    metadata, data = px["METADATA"], px["DATA"]
    for key, expected in DIMENSIONS.items():
        if metadata.get(key) != expected:
            raise SourceError(source.id, location, f"{key} is {metadata.get(key)}, not {expected}")
    created = _creation_date(metadata, location, source)

    value_text = data["DATA"].str.strip('"')
    # signed: growth rates and balances are negative; anything but a plain decimal or a dot
    # placeholder ('inf', '1e999', 'NaN') is a garbled export
    placeholder = value_text.str.fullmatch(_PLACEHOLDER)
    cells = parse_cells(value_text, Kind.SIGNED)
    value = pd.Series([cell.value for cell in cells], index=value_text.index, dtype="float64")
    garbled = pd.Series([cell.problem is not None for cell in cells],
                        index=value_text.index) & ~placeholder
    if garbled.any():
        raise SourceError(
            source.id,
            location,
            f"{int(garbled.sum())} cell(s) neither numbers nor PX placeholders, e.g. "
            f"{value_text[garbled].head(3).tolist()}",
        )
    years = data["期間"]
    past = years_through_now()
    if not years.str.fullmatch(r"\d{4}").all() or not years.astype(int).isin(past).all():
        raise SourceError(source.id, location, "期間 values are not 4-digit past years")

    values = pd.DataFrame(
        {
            "category": category,
            "indicator_zh": data["指標"],
            "year": years.astype(int),
            "region_name": data["縣市"],
            "value": value.astype(float),
            "value_text": value_text,
            "export_created": created,
        }
    )
    notes = _indicator_notes(metadata.get("NOTE", []))
    indicators = pd.DataFrame(
        [(category, name, *notes.get(name, (None, None))) for name in metadata["VALUES(指標)"]],
        columns=INDICATOR_COLUMNS,
    )
    return values[VALUE_COLUMNS], indicators


def _creation_date(metadata: dict, location: str, source: Source) -> datetime:
    """CREATION-DATE "2020/1/12 14:49" (the publisher's local time, as written)."""
    text = "".join(metadata.get("CREATION-DATE", [])).strip()
    try:
        return datetime.strptime(text, "%Y/%m/%d %H:%M")
    except ValueError:
        raise SourceError(
            source.id, location, f"CREATION-DATE {text!r} is not a 'YYYY/M/D H:MM' date"
        ) from None


def _decode(raw: bytes, location: str, source: Source) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if raw.startswith(b'CHARSET="ANSI"'):
        try:
            return raw.decode("cp950")  # what "ANSI" means on the publisher's zh-TW system
        except UnicodeDecodeError as exc:
            raise SourceError(
                source.id, location, f"neither UTF-8 nor CP950 ({exc.reason})"
            ) from exc
    raise SourceError(source.id, location, 'not UTF-8 and no CHARSET="ANSI" header')


def _read_px(text: str, location: str, source: Source) -> dict:
    """pyaxis reads from a path, so the text goes through a temporary file."""
    if "DATA=" not in text:
        raise SourceError(source.id, location, "no DATA= section: not a PC-Axis file")
    if not text.rstrip().endswith(";"):
        raise SourceError(source.id, location, "truncated: the file does not end in ';'")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "body.px"
        path.write_text(text, encoding="utf-8")
        try:
            return pyaxis.parse(
                uri=str(path), encoding="utf-8", null_values=_NEVER, sd_values=_NEVER
            )
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise SourceError(
                source.id,
                location,
                f"not a well-formed PC-Axis file ({type(exc).__name__}: {str(exc)[:120]})",
            ) from exc


def _indicator_notes(note_lines: list[str]) -> dict[str, tuple[str, str]]:
    """indicator -> (unit, definition) from the NOTE blocks (one per indicator, separated by
    dashed lines, each opening with 「指標項：」 then 'name(unit)#')."""
    found = {}
    for block in _split_blocks(note_lines):
        if len(block) < 2 or not block[0].startswith("指標項"):
            continue
        match = _NAME_AND_UNIT.fullmatch(block[1])
        if match is None:
            continue
        paragraphs: list[str] = []
        for line in block[2:]:
            line = line.rstrip("#").strip()
            if paragraphs and not _PARAGRAPH.match(line):
                paragraphs[-1] += line  # a hard-wrapped continuation line
            else:
                paragraphs.append(line)
        found[match["name"]] = (match["unit"].strip(), "\n".join(paragraphs))
    return found


def _split_blocks(lines: list[str]) -> list[list[str]]:
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line.startswith("-----"):
            blocks.append([])
        else:
            blocks[-1].append(line)
    return blocks
