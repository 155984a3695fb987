// TW-RESAS atlas: draws the build-time chart specifications with plotly.js (bundled in
// assets/), the index maps from assets/geometry.js, the region search and the language switch.
// Nothing here loads from the network.
(function () {
  "use strict";
  var root = document.documentElement;
  var plotConfig = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["select2d", "lasso2d"] };

  // ---- language -------------------------------------------------------------------------
  function setLanguage(en) {
    root.classList.toggle("lang-en", en);
    root.lang = en ? "en" : "zh-Hant";
    try { localStorage.setItem("atlas-lang", en ? "en" : "zh"); } catch (e) { /* private mode */ }
  }
  var stored = null;
  try { stored = localStorage.getItem("atlas-lang"); } catch (e) { /* private mode */ }
  setLanguage(stored === "en");
  document.getElementById("language").addEventListener("click", function () {
    setLanguage(!root.classList.contains("lang-en"));
  });

  // ---- region page charts -----------------------------------------------------------------
  document.querySelectorAll("script.chart-spec").forEach(function (script) {
    var spec = JSON.parse(script.textContent);
    Plotly.newPlot(script.nextElementSibling, spec.data, spec.layout, plotConfig);
  });

  // ---- index: map and search ----------------------------------------------------------------
  var mapDiv = document.getElementById("map");
  if (!mapDiv) return;
  var atlas = JSON.parse(document.getElementById("atlas-data").textContent);
  var geometry = window.ATLAS_GEOMETRY || {};
  var names = {};
  atlas.regions.forEach(function (r) { names[r.code] = r; });

  // The map draws our own boundaries only (geo base layers off). plotly.js still asks for its
  // world topojson whenever a trace has a location mode; an empty topology stands in for it,
  // so nothing is fetched.
  window.PlotlyGeoAssets = window.PlotlyGeoAssets || { topojson: {} };
  window.PlotlyGeoAssets.topojson["world_110m"] = { type: "Topology", objects: {}, arcs: [] };

  var levelSelect = document.getElementById("map-level");
  var layerSelect = document.getElementById("map-layer");
  var legend = document.getElementById("map-legend");

  function label(zh, en) {
    return '<span class="zh">' + zh + '</span><span class="en">' + en + "</span>";
  }
  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  function drawMap() {
    var level = levelSelect.value;
    var layer = atlas.layers.filter(function (l) { return l.key === layerSelect.value; })[0];
    var shapes = geometry[level];
    if (!shapes) {
      legend.innerHTML = label("尚無已發布的邊界資料", "no boundaries published");
      return;
    }
    var allCodes = shapes.features.map(function (f) { return f.id; });
    var base = {
      type: "choropleth", geojson: shapes, featureidkey: "id", locations: allCodes,
      z: allCodes.map(function () { return 0; }), showscale: false, hoverinfo: "text",
      text: allCodes.map(function (c) { return names[c] ? names[c].zh + " " + names[c].en : c; }),
      colorscale: [[0, "#e4e7eb"], [1, "#e4e7eb"]], marker: { line: { color: "#ffffff", width: 0.5 } }
    };
    var traces = [base];
    var found = layer.levels[level];
    if (found) {
      var diverging = layer.key === "population_change" || layer.key === "manufacturing";
      traces.push({
        type: "choropleth", geojson: shapes, featureidkey: "id", locations: found.codes, z: found.values,
        text: found.codes.map(function (c) { return names[c] ? names[c].zh + " " + names[c].en : c; }),
        hovertemplate: "%{text}<br>%{z:,.2f} " + found.unit + "<extra></extra>",
        colorscale: diverging ? "RdBu" : "Viridis", reversescale: !diverging && found.higher_is === "worse",
        zmid: diverging ? (layer.key === "manufacturing" ? 1 : 0) : undefined,
        marker: { line: { color: "#ffffff", width: 0.5 } },
        colorbar: { title: { text: found.unit }, thickness: 14, len: 0.6 }
      });
      legend.innerHTML =
        found.flags.map(function (f) { return '<span class="flag flag-' + f.code + '">' + label(f.zh, f.en) + "</span>"; }).join("") +
        label(escapeHtml(found.name_zh), escapeHtml(found.name_en)) + " · " +
        label("單位", "unit") + ": " + escapeHtml(found.unit) + " · " + label("期間", "period") + ": " + escapeHtml(found.period) +
        " · " + label("資料來源", "source") + ": " + escapeHtml(found.source) +
        " · " + label("灰色：無資料", "grey: no data") + " · " + label("點選地區開啟其頁面", "click a region to open its page");
    } else {
      legend.innerHTML = label("此層級尚無已發布資料：" + escapeHtml(layer.name_zh), "no data published at this level: " + escapeHtml(layer.name_en));
    }
    Plotly.react(mapDiv, traces, {
      // Taiwan, Penghu, Kinmen and Matsu (東沙 lies far to the south-west, off the frame)
      geo: { visible: false, projection: { type: "mercator" },
             lonaxis: { range: [118.15, 122.1] }, lataxis: { range: [21.85, 26.4] } },
      margin: { l: 0, r: 0, t: 0, b: 0 }, height: 620, paper_bgcolor: "white",
      font: { family: "'Noto Sans CJK TC', 'WenQuanYi Micro Hei', sans-serif" }
    }, plotConfig);
  }
  levelSelect.addEventListener("change", drawMap);
  layerSelect.addEventListener("change", drawMap);
  drawMap();
  mapDiv.on("plotly_click", function (event) {
    var point = event.points && event.points[0];
    if (point && point.location) window.location.href = "region/" + point.location + ".html";
  });

  // Names are matched as typed, with 台 read as 臺 (台北 finds 臺北市) and English case-blind.
  function normalise(text) { return (text || "").replace(/台/g, "臺").replace(/\s+/g, "").toLowerCase(); }
  var search = document.getElementById("search");
  var results = document.getElementById("search-results");
  search.addEventListener("input", function () {
    var query = normalise(search.value);
    results.innerHTML = "";
    if (!query) return;
    atlas.regions.filter(function (r) {
      return normalise(r.zh).indexOf(query) >= 0 || normalise(r.en).indexOf(query) >= 0 ||
        normalise(r.parent + r.zh).indexOf(query) >= 0 || r.code.indexOf(query) === 0;
    }).slice(0, 30).forEach(function (r) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "region/" + r.code + ".html";
      link.textContent = (r.parent ? r.parent + " " : "") + r.zh + (r.en ? " " + r.en : "");
      item.appendChild(link);
      results.appendChild(item);
    });
  });
})();
