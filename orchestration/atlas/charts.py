"""Plotly figure specifications ({data, layout} as plain JSON) for the region pages.

The pages draw them with plotly.js, copied from the `plotly` PyPI package into the site; the
builder only writes JSON, so 400 pages build in seconds and no chart is drawn by hand.
"""

FONT = {"family": "'Noto Sans CJK TC', 'WenQuanYi Micro Hei', 'Microsoft JhengHei', sans-serif",
        "size": 12}
MALE, FEMALE = "#3b6ea8", "#c8553d"
SCENARIO_COLOURS = {"observed": "#222222", "medium": "#3b6ea8", "high": "#7fa6d3",
                    "low": "#9c9c9c"}


def _layout(y_title: str, **extra) -> dict:
    layout = {
        "font": FONT, "height": 300, "margin": {"l": 64, "r": 16, "t": 16, "b": 48},
        "yaxis": {"title": {"text": y_title}, "automargin": True},
        "xaxis": {"automargin": True},
        "legend": {"orientation": "h", "y": -0.22}, "paper_bgcolor": "white",
        "plot_bgcolor": "white", "hovermode": "closest",
    }
    layout.update(extra)
    return layout


def pyramid(rows: list[dict]) -> dict:
    """Horizontal bars, men to the left (negative), women to the right."""
    bands = sorted({(r["age_from"], r["age_band"]) for r in rows})
    labels = [band for _, band in bands]

    def series(sex: str, sign: int) -> list:
        population = {r["age_band"]: r["population"] for r in rows if r["sex"] == sex}
        return [sign * population[b] if population.get(b) is not None else None for b in labels]

    return {
        "data": [
            {"type": "bar", "orientation": "h", "name": "男 male", "y": labels,
             "x": series("male", -1), "marker": {"color": MALE},
             "hovertemplate": "%{y}: %{customdata:,}<extra>男 male</extra>",
             "customdata": [abs(v) if v is not None else None for v in series("male", -1)]},
            {"type": "bar", "orientation": "h", "name": "女 female", "y": labels,
             "x": series("female", 1), "marker": {"color": FEMALE},
             "hovertemplate": "%{y}: %{x:,}<extra>女 female</extra>"},
        ],
        "layout": _layout("歲 age", barmode="relative", bargap=0.05, height=360,
                          xaxis={"title": {"text": "人 persons"}, "tickformat": "~s"}),
    }


def age_groups(row: dict) -> dict:
    groups = ["0-14", "15-64", "65+"]
    values = [row["pop_0_14"], row["pop_15_64"], row["pop_65plus"]]
    return {
        "data": [{"type": "bar", "x": groups, "y": values, "marker": {"color": "#5b8c5a"},
                  "hovertemplate": "%{x}: %{y:,}<extra></extra>"}],
        "layout": _layout("人 persons", xaxis={"title": {"text": "歲 age"}}),
    }


def outlook(rows: list[dict]) -> dict:
    traces = []
    for scenario in ("observed", "medium", "high", "low"):
        points = [r for r in rows if r["scenario"] == scenario]
        if not points:
            continue
        traces.append({
            "type": "scatter", "mode": "lines+markers", "name": _SCENARIO_NAMES[scenario],
            "x": [r["period"].isoformat() for r in points],
            "y": [r["pop_total"] for r in points],
            "line": {"color": SCENARIO_COLOURS[scenario],
                     "dash": "solid" if scenario == "observed" else "dash"},
            "marker": {"size": 4},
            "customdata": [STAGE_NAMES.get(r["aging_stage"], "") for r in points],
            "hovertemplate": "%{x|%Y}: %{y:,}<br>%{customdata}<extra></extra>",
        })
    return {"data": traces, "layout": _layout("人 persons", xaxis={"type": "date"})}


def change(rows: list[dict]) -> dict:
    x = [r["period"].isoformat() for r in rows]
    traces = [{"type": "bar", "name": "自然增加 natural", "x": x,
               "y": [r["natural_change"] for r in rows], "marker": {"color": "#5b8c5a"}}]
    if any(r["social_change"] is not None for r in rows):
        traces.append({"type": "bar", "name": "社會增加 social", "x": x,
                       "y": [r["social_change"] for r in rows], "marker": {"color": "#d9a441"}})
    return {"data": traces, "layout": _layout("人 persons", barmode="relative",
                                              xaxis={"type": "date"})}


def income(rows: list[dict], unit: str) -> dict:
    names = {"income_q1": "第1四分位 Q1", "income_median": "中位數 median",
             "income_mean": "平均 mean", "income_q3": "第3四分位 Q3"}
    traces = []
    for code, name in names.items():
        points = [r for r in rows if r["indicator_code"] == code]
        if points:
            traces.append({"type": "scatter", "mode": "lines+markers", "name": name,
                           "x": [r["period"].isoformat() for r in points],
                           "y": [r["value"] for r in points]})
    return {"data": traces, "layout": _layout(unit, xaxis={"type": "date"})}


def specialisation(rows: list[dict]) -> dict:
    return {
        "data": [{"type": "bar", "orientation": "h", "y": [r["name_zh"] for r in rows],
                  "x": [r["value"] for r in rows], "marker": {"color": "#3b6ea8"},
                  "customdata": [r["name_en"] for r in rows],
                  "hovertemplate": "%{y} (%{customdata}): %{x:.2f}<extra></extra>"}],
        "layout": _layout("", height=80 + 36 * len(rows),
                          shapes=[{"type": "line", "x0": 1, "x1": 1, "yref": "paper", "y0": 0,
                                   "y1": 1, "line": {"dash": "dot", "color": "#888"}}],
                          xaxis={"title": {"text": "特化係數 location quotient (1 = 全國)"}}),
    }


def real_estate(rows: list[dict]) -> dict:
    x = [r["quarter"].isoformat() for r in rows]
    return {
        "data": [
            {"type": "bar", "name": "交易筆數 transactions", "x": x,
             "y": [r["transactions"] for r in rows], "marker": {"color": "#c9d6e8"},
             "yaxis": "y2"},
            {"type": "scatter", "mode": "lines+markers", "name": "單價中位數 median NT$/m²",
             "x": x, "y": [r["median_unit_price_ntd_per_m2"] for r in rows],
             "line": {"color": "#c8553d"}},
        ],
        "layout": _layout("元/m² NT$/m²", xaxis={"type": "date", "dtick": "M3"},
                          yaxis2={"title": {"text": "筆 count"}, "overlaying": "y",
                                  "side": "right", "showgrid": False},
                          margin={"l": 72, "r": 64, "t": 16, "b": 48}),
    }


def tourism(rows: list[dict]) -> dict:
    rows = list(reversed(rows))
    return {
        "data": [{"type": "bar", "orientation": "h", "y": [r["spot_name"] for r in rows],
                  "x": [r["visitors"] for r in rows], "marker": {"color": "#d9a441"},
                  "hovertemplate": "%{y}: %{x:,}<extra></extra>"}],
        "layout": _layout("", height=80 + 30 * len(rows),
                          xaxis={"title": {"text": "人次 visits"}, "tickformat": "~s"}),
    }


_SCENARIO_NAMES = {"observed": "實際 observed", "medium": "推估中 medium",
                   "high": "推估高 high", "low": "推估低 low"}
STAGE_NAMES = {"young": "年輕 young (<7%)", "aging": "高齡化 aging (≥7%)",
                "aged": "高齡 aged (≥14%)", "super_aged": "超高齡 super-aged (≥20%)"}
