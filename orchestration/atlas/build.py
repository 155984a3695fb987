"""Build the atlas: `warehouse/atlas/index.html` (maps and search) and one page per region
(`region/<region_code>.html`: the nation, every county and township), from the published
warehouse alone. Static and offline: plotly.js is copied from the `plotly` package into
`assets/`, boundaries into `assets/geometry.js`; no page loads anything from the network."""

import json
import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import jinja2
import plotly

from orchestration.atlas import charts, data

HERE = Path(__file__).resolve().parent
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
NO_DATA = ("本區域尚無已發布資料", "no data published for this region")
LEVEL_NAMES = {"nation": ("全國", "nation"), "county": ("縣市", "county"),
               "township": ("鄉鎮市區", "township")}
FLAG_NAMES = {
    "synthetic": ("合成資料", "synthetic"),
    "partial_period": ("期間不完整", "partial period"),
    "mismatch": ("合計不符", "mismatch"),
    "aggregated_from_lower_level": ("由下層加總", "aggregated from lower level"),
}


@dataclass(frozen=True)
class AtlasBuild:
    out_dir: Path
    pages: int
    seconds: float
    largest_page: Path
    largest_page_bytes: int


def build_atlas(published_db: Path, out_dir: Path, *, quality_root: Path | None = None,
                data_docs: Path | None = None) -> AtlasBuild:
    """Write the site into `out_dir` (replaced whole) from the published DuckDB file. Pages
    link to the published run's quality report (`quality_root/<run_id>/report.json`) and to the
    Data Docs when those files exist."""
    started = time.perf_counter()
    with data.connect(published_db) as con:
        wh = data.Warehouse(con)
        site = _Site(wh, out_dir, quality_root, data_docs)
        pages = site.write()
    largest = max(pages, key=lambda p: p.stat().st_size)
    return AtlasBuild(out_dir, len(pages), time.perf_counter() - started, largest,
                      largest.stat().st_size)


class _Site:
    def __init__(self, wh: data.Warehouse, out_dir: Path, quality_root: Path | None,
                 data_docs: Path | None):
        self.wh = wh
        self.out_dir = out_dir
        self.regions = data.regions(wh)
        self.indicators = data.indicators(wh)
        self.sources = data.sources(wh)
        self.publication = data.publication(wh)
        report = (quality_root / str(self.publication["run_id"]) / "report.json"
                  if quality_root else None)
        self.quality_report = report if report and report.exists() else None
        self.data_docs = data_docs if data_docs and data_docs.exists() else None
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=jinja2.select_autoescape(["html", "j2"]),
            trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
        )

    def write(self) -> list[Path]:
        staging = self.out_dir.with_name(f".{self.out_dir.name}.building")
        shutil.rmtree(staging, ignore_errors=True)
        (staging / "region").mkdir(parents=True)
        (staging / "assets").mkdir()
        shutil.copyfile(PLOTLY_JS, staging / "assets" / "plotly.min.js")
        for name in ("atlas.css", "atlas.js"):
            shutil.copyfile(HERE / "static" / name, staging / "assets" / name)
        self._write_geometry(staging / "assets" / "geometry.js")
        pages = [self._write_index(staging / "index.html")]
        sections = self._section_data()
        template = self.env.get_template("region.html.j2")
        for region in self.regions.values():
            path = staging / "region" / f"{region.code}.html"
            path.write_text(template.render(
                **self._common("../"), region=region, level=LEVEL_NAMES[region.level],
                lineage=self._lineage(region), children=[self.regions[c] for c in
                                                         region.children],
                sections=self._sections(region, sections),
            ))
            pages.append(path)
        # the finished site replaces the old one whole, so a reader never sees half of it
        if self.out_dir.exists():
            shutil.rmtree(self.out_dir)
        staging.rename(self.out_dir)
        return [self.out_dir / p.relative_to(staging) for p in pages]

    # ---- shared page context -------------------------------------------------------------

    def _common(self, root: str) -> dict:
        """Context every page shares; `root` is the way from the page up to the site root.
        Links to the quality report and Data Docs are relative to where the site is written."""
        page_dir = self.out_dir / "region" if root else self.out_dir

        def link(target: Path | None) -> str | None:
            return os.path.relpath(target, page_dir) if target is not None else None

        return {
            "root": root,
            "published_at": self.publication["published_at"],
            "run_id": self.publication["run_id"],
            "quality_report": link(self.quality_report),
            "data_docs": link(self.data_docs),
        }

    def _lineage(self, region: data.Region) -> list[data.Region]:
        chain = []
        parent = self.regions.get(region.parent_code or "")
        while parent is not None:
            chain.insert(0, parent)
            parent = self.regions.get(parent.parent_code or "")
        return chain

    # ---- index ---------------------------------------------------------------------------

    def _write_geometry(self, path: Path) -> None:
        """Boundaries for the index maps as a script (pages opened from disk may not fetch
        files); coordinates cut to 4 decimals (about 10 m) for display only."""
        features = {}
        for level, shapes in data.geometry(self.wh).items():
            if level == "nation":
                continue
            features[level] = {"type": "FeatureCollection", "features": [
                {"type": "Feature", "id": code, "properties": {},
                 "geometry": json.loads(_DECIMALS.sub(r"\1", text))}
                for code, text in sorted(shapes.items())
            ]}
        path.write_text("window.ATLAS_GEOMETRY = "
                        + json.dumps(features, separators=(",", ":")) + ";\n")

    def _write_index(self, path: Path) -> Path:
        layers = []
        for layer in data.map_layers(self.wh):
            levels = {}
            for level, found in layer["levels"].items():
                indicator = found.get("indicator") or self.indicators[found["indicator_code"]]
                rows = found["rows"]
                levels[level] = {
                    "indicator_code": found["indicator_code"],
                    "name_zh": indicator["name_zh"], "name_en": indicator["name_en"],
                    "unit": indicator["unit"],
                    "period": _period_label(rows[0]["period"], rows[0]["grain"]),
                    "source": self._source_text({r["source_id"] for r in rows}),
                    "flags": self._flags(rows),
                    "higher_is": indicator["higher_is"],
                    "codes": [r["region_code"] for r in rows],
                    "values": [r["value"] for r in rows],
                }
            layers.append({"key": layer["key"], "name_zh": layer["name_zh"],
                           "name_en": layer["name_en"], "levels": levels})
        names = [{"code": r.code, "level": r.level, "zh": r.name_zh, "en": r.name_en or "",
                  "parent": self.regions[r.parent_code].name_zh
                  if r.parent_code in self.regions and r.parent_code != "TW" else ""}
                 for r in self.regions.values()]
        counties = [r for r in self.regions.values() if r.level == "county"]
        path.write_text(self.env.get_template("index.html.j2").render(
            **self._common(""), layers=layers, counties=counties,
            atlas_json=_json({"layers": layers, "regions": names}),
        ))
        return path

    # ---- region sections ------------------------------------------------------------------

    def _section_data(self) -> dict:
        wh = self.wh
        return {
            "key": data.key_indicators(wh), "pyramid": data.pyramids(wh),
            "age": data.age_structure(wh), "outlook": data.outlook(wh),
            "change": data.population_change(wh), "income": data.income(wh),
            "specialisation": data.specialisation(wh), "real_estate": data.real_estate(wh),
            "tourism": data.tourism(wh),
        }

    def _sections(self, region: data.Region, found: dict) -> list[dict]:
        code = region.code
        sections = [self._key_section(found["key"].get(code, []))]

        if found["pyramid"].get(code):
            rows = found["pyramid"][code]
            sections.append(self._chart(
                "pyramid", ("人口金字塔", "Population pyramid"), charts.pyramid(rows), rows,
                period=rows[0]["period"], unit=("人", "persons"),
                sources={r["source_id"] for r in rows} - {None}))
        elif found["age"].get(code):
            row = found["age"][code][0]
            sections.append(self._chart(
                "pyramid", ("年齡結構", "Age structure"), charts.age_groups(row), [row],
                period=row["period"], unit=("人", "persons"),
                sources={row["source_id"]} - {None},
                note=("尚無五歲年齡組資料，以三大年齡組代替",
                      "five-year bands not published yet: three broad age groups shown")))
        else:
            sections.append(self._empty("pyramid", ("人口金字塔", "Population pyramid")))

        rows = found["outlook"].get(code, [])
        if rows:
            staged = [r for r in rows if r["scenario"] == "observed" and r["aging_stage"]]
            latest = max(staged or rows, key=lambda r: r["period"])
            stage = charts.STAGE_NAMES.get(latest["aging_stage"] or "", "尚無資料 not published")
            years = sorted({r["period"] for r in rows})
            sections.append(self._chart(
                "outlook", ("人口推估與高齡化階段", "Population outlook and aging stage"),
                charts.outlook(rows), rows, period=(years[0], years[-1]),
                unit=("人", "persons"), sources={r["source_id"] for r in rows},
                note=(f"{_period_label(latest['period'], 'year')} 高齡化階段：{stage}",
                      f"aging stage in {_period_label(latest['period'], 'year')}: {stage}")))
        else:
            sections.append(self._empty("outlook", ("人口推估與高齡化階段",
                                                    "Population outlook and aging stage")))

        rows = [r for r in found["change"].get(code, []) if r["natural_change"] is not None]
        if rows:
            social = any(r["social_change"] is not None for r in rows)
            sections.append(self._chart(
                "change", ("自然增加與社會增加", "Natural and social change"),
                charts.change(rows), rows, period=(rows[0]["period"], rows[-1]["period"]),
                unit=("人", "persons"),
                sources={s for r in rows for s in (r["source_id"] or "").split(",") if s},
                note=None if social else ("社會增加（遷入減遷出）尚無已發布資料",
                                          "social change (in- minus out-migration): "
                                          "not published for this region")))
        else:
            sections.append(self._empty("change", ("自然增加與社會增加",
                                                   "Natural and social change")))

        rows = found["income"].get(code, [])
        if rows:
            unit = self.indicators.get("income_median", {}).get("unit", "")
            sections.append(self._chart(
                "income", ("所得分配", "Income distribution"), charts.income(rows, unit), rows,
                period=(rows[0]["period"], rows[-1]["period"]), unit=(unit, unit),
                sources={r["source_id"] for r in rows}))
        else:
            sections.append(self._empty("income", ("所得分配", "Income distribution")))

        rows = found["specialisation"].get(code, [])
        if rows:
            sections.append(self._chart(
                "specialisation", ("產業特化", "Industry specialisation"),
                charts.specialisation(rows), rows, period=rows[0]["period"],
                unit=("特化係數（全國 = 1）", "specialisation coefficient (Taiwan = 1)"),
                sources={r["source_id"] for r in rows}))
        else:
            sections.append(self._empty("specialisation", ("產業特化",
                                                           "Industry specialisation")))

        rows = found["real_estate"].get(code, [])
        if rows:
            partial = [r for r in rows if not r["is_complete"]]
            sections.append(self._chart(
                "real_estate", ("不動產價格與交易量（按季）",
                                "Real-estate prices and volume by quarter"),
                charts.real_estate(rows), rows,
                period=(rows[0]["quarter"], rows[-1]["quarter"]), grain="quarter",
                unit=("元/平方公尺；筆", "NT$/m²; transactions"),
                sources={r["source_id"] for r in rows},
                extra_flags=["partial_period"] if partial else [],
                note=(("不完整季：" + "、".join(_period_label(r["quarter"], "quarter")
                                              for r in partial),
                       "partial quarters: " + ", ".join(_period_label(r["quarter"], "quarter")
                                                      for r in partial))
                      if partial else None)))
        else:
            sections.append(self._empty("real_estate", ("不動產價格與交易量（按季）",
                                                        "Real-estate prices and volume by "
                                                        "quarter")))

        rows = found["tourism"].get(code, [])
        if rows:
            partial = any(r["months_reported"] < 12 for r in rows)
            mismatch = any(r["reported_annual_total"] is not None
                           and r["reported_annual_total"] != r["visitors"] for r in rows)
            sections.append(self._chart(
                "tourism", ("主要觀光遊憩據點（前十名）", "Top tourist spots"),
                charts.tourism(rows), rows, period=rows[0]["period"],
                unit=("人次", "visits"), sources={r["source_id"] for r in rows},
                extra_flags=(["partial_period"] if partial else [])
                + (["mismatch"] if mismatch else [])))
        else:
            sections.append(self._empty("tourism", ("主要觀光遊憩據點", "Top tourist spots")))
        return sections

    def _key_section(self, rows: list[dict]) -> dict:
        if not rows:
            return self._empty("key", ("主要指標", "Key indicators"))
        table = []
        for row in rows:
            table.append({
                "name_zh": row["name_zh"], "name_en": row["name_en"], "unit": row["unit"],
                "period": _period_label(row["period"], row["grain"]),
                "value": _number(row["value"]), "county": _number(row["county_value"]),
                "nation": _number(row["nation_value"]),
                "peer": _number(row["peer_median"]),
                "rank": (f"{row['rank']}/{row['peer_count']}" if row["rank"] is not None
                         else "—"),
                "flags": self._flags([row]),
                "source": self._source_text({row["source_id"]}),
            })
        return {"id": "key", "title": ("主要指標", "Key indicators"), "table": table,
                "chart": None, "note": None, "caption": None,
                "peers": any(r["peer_median"] is not None for r in rows)}

    def _chart(self, section_id: str, title: tuple[str, str], spec: dict, rows: list[dict], *,
               period, unit: tuple[str, str], sources: set[str], grain: str = "year",
               extra_flags: list[str] = (), note: tuple[str, str] | None = None) -> dict:
        if isinstance(period, tuple):
            first, last = (_period_label(p, grain) for p in period)
            period_text = first if first == last else f"{first}–{last}"
        else:
            period_text = _period_label(period, grain)
        flags = self._flags(rows)
        for flag in extra_flags:
            if flag not in [f["code"] for f in flags]:
                flags.append(_flag(flag))
        return {"id": section_id, "title": title, "chart": _json(spec), "table": None,
                "note": note, "caption": {"source": self._source_text(sources),
                                          "period": period_text, "unit": unit,
                                          "flags": flags}}

    @staticmethod
    def _empty(section_id: str, title: tuple[str, str]) -> dict:
        return {"id": section_id, "title": title, "chart": None, "table": None,
                "caption": None, "note": NO_DATA, "empty": True}

    def _source_text(self, source_ids: set[str]) -> str:
        parts = []
        for source_id in sorted(s for s in source_ids if s):
            source = self.sources.get(source_id)
            if source is None:  # a mart name (no source row): say where the figures are
                parts.append(f"marts.{source_id}")
                continue
            kind = {"mirror_table": "（第三方整理 mirror table）",
                    "transcription": "（轉錄 transcription）",
                    "synthetic": "（合成 synthetic）"}.get(source["kind"], "")
            attribution = source["attribution"].removeprefix("資料來源：")
            parts.append(f"{attribution} · {source['dataset']}{kind} [{source_id}]")
        return "；".join(parts) or "—"

    @staticmethod
    def _flags(rows: list[dict]) -> list[dict]:
        codes = []
        for row in rows:
            if row.get("is_synthetic"):
                codes.append("synthetic")
            flag = row.get("quality_flag")
            if flag and flag != "synthetic":
                codes.append("mismatch" if "mismatch" in flag else flag)
        return [_flag(code) for code in dict.fromkeys(codes)]


_DECIMALS = re.compile(r"(\d+\.\d{4})\d+")


def _flag(code: str) -> dict:
    zh, en = FLAG_NAMES.get(code, (code, code.replace("_", " ")))
    return {"code": code, "zh": zh, "en": en}


def _period_label(period, grain: str) -> str:
    if period is None:
        return "—"
    if grain == "quarter":
        return f"{period.year}Q{(period.month - 1) // 3 + 1}"
    if grain == "month":
        return f"{period.year}-{period.month:02d}"
    if grain == "twelve_months":
        return f"{period.year}-{period.month:02d} +12m"
    return str(period.year)


def _number(value) -> str:
    if value is None:
        return "—"
    if float(value).is_integer() and abs(value) >= 100:
        return f"{int(value):,}"
    return f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"


def _json(value) -> str:
    """JSON for a <script> element: dates as ISO text, and no '</' that could end it."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"),
                      default=lambda v: v.isoformat())
    return text.replace("</", "<\\/")
