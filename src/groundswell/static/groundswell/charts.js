/* Groundswell charts: draws every <canvas data-chart="ID"> with Chart.js from the JSON in <script id="ID">
   (Django's json_script: data, not code, so the CSP stays script-src 'self'). The same figures are in a
   server-rendered table beside each chart; without scripts the canvas shows its fallback text instead.
   Colours come from the CSS custom properties of :root, so a dark theme recolours the charts too. */
(function () {
  "use strict";

  var FONT_SIZE = 13; // >= 12 px everywhere: ticks, legend, tooltip

  function token(style, names, fallback) {
    for (var i = 0; i < names.length; i++) {
      var value = style.getPropertyValue(names[i]).trim();
      if (value) return value;
    }
    return fallback;
  }

  function palette() {
    var s = getComputedStyle(document.documentElement);
    return {
      accent: token(s, ["--chart-1", "--accent"], "#0f766e"),
      warn: token(s, ["--chart-2", "--warn"], "#b45309"),
      text: token(s, ["--text", "--fg"], "#1d2433"),
      muted: token(s, ["--muted"], "#5b6475"),
      border: token(s, ["--border", "--line"], "#e3e6ec"),
      card: token(s, ["--card", "--surface", "--bg"], "#ffffff"),
      font: token(s, ["--font", "--font-sans"], "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif")
    };
  }

  function reducedMotion() {
    return !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  }

  function allZero(values) {
    for (var i = 0; i < values.length; i++) if (values[i]) return false;
    return true;
  }

  function datasets(spec, colours) {
    var out = [];
    var series = spec.series || [];
    for (var i = 0; i < series.length; i++) {
      var s = series[i];
      // A series that is 0 throughout says nothing: leave it out (unless it is the only one, or the
      // previous period someone asked to compare with, where a flat line is the answer).
      if (series.length > 1 && !s.previous && allZero(s.data)) continue;
      var colour = colours[s.color] || colours.accent;
      var ds = {
        label: s.label,
        data: s.data,
        borderColor: colour,
        // The previous period is an outline: its legend box is dashed like its line.
        backgroundColor: s.previous ? "transparent" : colour,
        gsDates: s.dates || null
      };
      if (spec.type === "line") {
        ds.borderWidth = s.previous ? 1.5 : 2.5;
        ds.borderDash = s.previous ? [6, 4] : [];
        ds.pointRadius = s.data.length <= 31 ? (s.previous ? 0 : 2.5) : 0;
        ds.pointHoverRadius = 5;
        ds.tension = 0; // straight segments: a curve would invent values between the days
        ds.fill = false;
      } else {
        ds.borderWidth = 0;
        ds.borderRadius = 3;
        ds.maxBarThickness = 18;
      }
      out.push(ds);
    }
    return out;
  }

  function options(spec, colours) {
    var horizontal = spec.type === "bar";
    var font = { size: FONT_SIZE, family: colours.font };
    var valueAxis = {
      beginAtZero: true,
      ticks: { color: colours.muted, font: font, precision: 0 },
      grid: { color: colours.border },
      border: { color: colours.border }
    };
    var categoryAxis = {
      ticks: { color: colours.text, font: font, autoSkip: true, maxRotation: 0 },
      grid: { display: false },
      border: { color: colours.border }
    };
    if (horizontal) {
      // Long names are shortened on the axis (the tooltip and the table keep them whole).
      categoryAxis.ticks.callback = function (value) {
        var label = String(this.getLabelForValue(value));
        var max = this.chart.width < 520 ? 14 : 30;
        return label.length > max ? label.slice(0, max - 1) + "\u2026" : label;
      };
    }
    return {
      indexAxis: horizontal ? "y" : "x",
      responsive: true,
      maintainAspectRatio: false,
      animation: reducedMotion() ? false : { duration: 400 },
      interaction: { mode: "index", intersect: false, axis: horizontal ? "y" : "x" },
      scales: horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis },
      plugins: {
        legend: {
          position: "bottom",
          labels: { color: colours.text, font: font, boxWidth: 14, boxHeight: 14, usePointStyle: false }
        },
        tooltip: {
          titleFont: { size: FONT_SIZE + 1, family: colours.font, weight: "bold" },
          bodyFont: font,
          padding: 10,
          callbacks: {
            label: function (ctx) {
              var dates = ctx.dataset.gsDates;
              var value = Number(ctx.parsed[horizontal ? "x" : "y"] || 0).toLocaleString();
              var when = dates && dates[ctx.dataIndex] ? " (" + dates[ctx.dataIndex] + ")" : "";
              return ctx.dataset.label + when + ": " + value;
            }
          }
        }
      }
    };
  }

  function sizeBox(canvas, spec) {
    // Horizontal bars: the box grows with the number of bars, so every label keeps its line.
    if (spec.type !== "bar") return;
    var box = canvas.parentElement;
    if (box) box.style.height = Math.max(160, 70 + spec.labels.length * 36) + "px";
  }

  function drawAll() {
    if (!window.Chart) return;
    var colours = palette();
    var canvases = document.querySelectorAll("canvas[data-chart]");
    for (var i = 0; i < canvases.length; i++) {
      var canvas = canvases[i];
      var source = document.getElementById(canvas.getAttribute("data-chart"));
      if (!source) continue;
      var spec;
      try {
        spec = JSON.parse(source.textContent || "{}");
      } catch (e) {
        continue;
      }
      var existing = window.Chart.getChart(canvas);
      if (existing) existing.destroy();
      sizeBox(canvas, spec);
      new window.Chart(canvas, {
        type: spec.type === "bar" ? "bar" : "line",
        data: { labels: spec.labels, datasets: datasets(spec, colours) },
        options: options(spec, colours)
      });
      canvas.classList.add("drawn");
    }
  }

  function watch(query) {
    if (!window.matchMedia) return;
    var mq = window.matchMedia(query);
    if (mq.addEventListener) mq.addEventListener("change", drawAll);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawAll);
  else drawAll();
  watch("(prefers-color-scheme: dark)");
  watch("(prefers-reduced-motion: reduce)");
})();
