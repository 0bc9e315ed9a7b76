// Draws the interface's charts with plotly.js. Metric charts fetch downsampled series from the server
// (a few hundred points per run whatever the number stored) and fetch a finer range when the user zooms.
(function () {
  "use strict";
  const POINTS = 500;
  const charts = [];

  function options() {
    const form = document.getElementById("chart-options");
    if (!form) return { x: "step", log: false, smoothing: 0 };
    return {
      x: form.elements["xaxis"] ? form.elements["xaxis"].value : "step",
      log: form.elements["log"] ? form.elements["log"].checked : false,
      smoothing: form.elements["smoothing"] ? Number(form.elements["smoothing"].value) : 0,
    };
  }

  // Exponential moving average with TensorBoard's debiasing, so the first points are not pulled to zero.
  function smooth(values, weight) {
    if (!weight) return values;
    const out = new Array(values.length);
    let last = 0, count = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === null || !isFinite(v)) { out[i] = v; continue; }
      last = last * weight + (1 - weight) * v;
      count++;
      out[i] = last / (1 - Math.pow(weight, count));
    }
    return out;
  }

  async function fetchSeries(s, range) {
    let url = "/api/v1/runs/" + encodeURIComponent(s.run) + "/metrics/" + encodeURIComponent(s.key) + "/series?points=" + POINTS;
    if (range) url += "&min_step=" + Math.floor(range[0]) + "&max_step=" + Math.ceil(range[1]);
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error("series " + s.key + ": HTTP " + response.status);
    return response.json();
  }

  function traces(chart) {
    const opt = options();
    return chart.loaded.map((d, i) => ({
      type: "scatter",
      mode: d.step.length === 1 ? "markers" : "lines",
      name: chart.spec.series[i].name,
      x: opt.x === "time" ? d.timestamp.map(t => new Date(t)) : d.step,
      y: smooth(d.value, opt.smoothing),
    }));
  }

  function layout(chart, range) {
    const opt = options();
    const total = chart.loaded.reduce((n, d) => n + d.total_points, 0);
    const shown = chart.loaded.reduce((n, d) => n + d.step.length, 0);
    return {
      title: { text: chart.spec.title, font: { size: 14 } },
      // With several runs the legend goes under the x-axis title, with room kept for it.
      margin: { l: 55, r: 15, t: 36, b: chart.spec.series.length > 1 ? 95 : 40 },
      showlegend: chart.spec.series.length > 1,
      legend: { orientation: "h", y: -0.3, yanchor: "top" },
      xaxis: Object.assign({ title: { text: opt.x === "time" ? "time (UTC)" : "step" } }, opt.x === "time" ? { type: "date" } : {}, range ? { range: range, autorange: false } : {}),
      yaxis: { type: opt.log ? "log" : "linear" },
      annotations: shown < total ? [{ text: shown + " of " + total + " points", xref: "paper", yref: "paper", x: 1, y: 1.08, showarrow: false, font: { size: 10, color: "#888" } }] : [],
    };
  }

  async function drawMetric(chart, range, prefetched) {
    chart.el.dataset.state = "loading";
    chart.loaded = await (prefetched || Promise.all(chart.spec.series.map(s => fetchSeries(s, range))));
    await Plotly.react(chart.el, traces(chart), layout(chart, range), { responsive: true, displaylogo: false });
    chart.el.dataset.state = "ready";
    chart.el.dataset.points = String(chart.loaded.reduce((n, d) => n + d.step.length, 0));
  }

  function onZoom(chart, event) {
    if (options().x !== "step" || chart.busy) return;
    let range = null;
    if (event["xaxis.range[0]"] !== undefined) range = [event["xaxis.range[0]"], event["xaxis.range[1]"]];
    else if (event["xaxis.range"]) range = event["xaxis.range"];
    else if (!event["xaxis.autorange"]) return;
    chart.busy = true;
    drawMetric(chart, range).catch(fail(chart)).finally(() => { chart.busy = false; });
  }

  function fail(chart) {
    return e => { chart.el.dataset.state = "error"; chart.el.textContent = String(e.message || e); };
  }

  // This script runs before plotly.js (both deferred, in that order), so the series requests are already on the
  // wire while the browser compiles plotly.js.
  const prefetched = new Map();
  document.querySelectorAll("[data-chart=metric]").forEach(el => {
    const spec = JSON.parse(el.dataset.spec || "{}");
    const requests = Promise.all((spec.series || []).map(s => fetchSeries(s, null)));
    requests.catch(() => { });
    prefetched.set(el, requests);
  });

  function init() {
    document.querySelectorAll("[data-chart]").forEach(el => {
      const spec = JSON.parse(el.dataset.spec || "{}");
      const chart = { el: el, spec: spec, kind: el.dataset.chart, loaded: [] };
      charts.push(chart);
      if (chart.kind === "metric") {
        drawMetric(chart, null, prefetched.get(el)).then(() => el.on("plotly_relayout", e => onZoom(chart, e))).catch(fail(chart));
      } else {
        Plotly.newPlot(el, spec.data, spec.layout, { responsive: true, displaylogo: false })
          .then(() => { el.dataset.state = "ready"; }).catch(fail(chart));
      }
    });
    const form = document.getElementById("chart-options");
    if (form) {
      form.addEventListener("input", () => charts.filter(c => c.kind === "metric" && c.loaded.length).forEach(c =>
        Plotly.react(c.el, traces(c), layout(c, null), { responsive: true, displaylogo: false })));
      form.addEventListener("submit", e => e.preventDefault());
    }
  }

  if (window.Plotly) init(); else document.addEventListener("DOMContentLoaded", init);
})();
