// SPDX-License-Identifier: EUPL-1.2
// Hartslag dashboard: draws the charts with the vendored uPlot from JSON embedded in the page.
//
// A chart is <div class="chart__canvas" data-chart="ID"> next to <script type="application/json" id="ID">{...}</script>:
//   {"x": [unix seconds...], "series": [{"label": "...", "values": [n | null...]}], "markers": [{"x": s, "label": "..."}],
//    "kind": "line" | "bars", "empty": "text when there is nothing to draw"}
// null is a suppressed count (fewer than 10 signals, or hidden to protect one): it is a gap, never a zero, and a line
// is never drawn across it (a line through a hidden week would suggest a value between its neighbours, which a hidden
// count need not have); a week where every line is hidden is shaded lightly so the gap reads as "hidden", not "none".
// The legend names the lines; values (and the week) appear only while the pointer is on the chart.
// Every chart has a table alternative in the page; the canvas itself is hidden from assistive technology.
(function () {
  "use strict";

  // Okabe-Ito colours, darkened where needed for 3:1 against white (WCAG 2.1 non-text contrast).
  var COLOURS = ["#0b5a8a", "#b34700", "#00785a", "#a8437f", "#6b4c00", "#5b3a8c", "#333333", "#1f7fb8"];
  var DASHES = [[], [6, 3], [2, 3], [8, 3, 2, 3], [], [6, 3], [2, 3], []];
  var MONTHS_SHORT = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"];
  var NUMBER = new Intl.NumberFormat("nl-NL");

  function formatDate(seconds) {
    var d = new Date(seconds * 1000);
    return d.getUTCDate() + " " + MONTHS_SHORT[d.getUTCMonth()] + " " + d.getUTCFullYear();
  }

  // Counts are whole signals: the y axis steps through whole numbers only.
  var COUNT_STEPS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000, 100000];
  var DAY = 86400;

  // Dutch tick labels: "2 jun" for days and weeks, "jun" for months; the year where it changes (and, on a month
  // axis, at the first tick: day ticks are too close together for it).
  function axisDates(u, splits, axisIdx, space, incr) {
    var months = incr >= 28 * DAY;
    var lastYear = null;
    return splits.map(function (s) {
      var d = new Date(s * 1000);
      var year = d.getUTCFullYear();
      var month = MONTHS_SHORT[d.getUTCMonth()];
      var label = months ? month : d.getUTCDate() + " " + month;
      if (lastYear !== year && (months || lastYear !== null)) { label += " " + year; }
      lastYear = year;
      return label;
    });
  }

  function formatCount(value) {
    return value === null || value === undefined ? "< 10 of ×" : NUMBER.format(value);
  }

  // Light bands over the x positions where every line is hidden (see the header).
  function hiddenPlugin(spec) {
    var hidden = spec.x.map(function (_, i) {
      return spec.series.length > 0 && spec.series.every(function (s) { return s.values[i] === null; });
    });
    if (!hidden.some(Boolean)) { return null; }
    return {
      hooks: {
        drawClear: [function (u) {
          var ctx = u.ctx;
          var step = spec.x.length > 1 ? spec.x[1] - spec.x[0] : DAY;
          ctx.save();
          ctx.fillStyle = "rgba(74, 79, 85, 0.08)";
          hidden.forEach(function (isHidden, i) {
            if (!isHidden) { return; }
            var left = u.valToPos(spec.x[i] - step / 2, "x", true);
            var right = u.valToPos(spec.x[i] + step / 2, "x", true);
            left = Math.max(left, u.bbox.left);
            right = Math.min(right, u.bbox.left + u.bbox.width);
            if (right > left) { ctx.fillRect(left, u.bbox.top, right - left, u.bbox.height); }
          });
          ctx.restore();
        }]
      }
    };
  }

  // While the pointer is off the chart the legend shows the lines' names only.
  var idleLegend = {
    hooks: {
      setLegend: [function (u) { u.root.classList.toggle("chart--idle", u.cursor.idx == null); }]
    }
  };

  // Vertical lines with a label (a policy's date, an action's date).
  function markerPlugin(markers) {
    return {
      hooks: {
        draw: [function (u) {
          var ctx = u.ctx;
          ctx.save();
          ctx.strokeStyle = "#a0241b";
          ctx.fillStyle = "#a0241b";
          ctx.lineWidth = 2 * devicePixelRatio;
          ctx.setLineDash([5 * devicePixelRatio, 4 * devicePixelRatio]);
          ctx.font = (12 * devicePixelRatio) + "px system-ui, sans-serif";
          markers.forEach(function (m) {
            var x = Math.round(u.valToPos(m.x, "x", true));
            if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) { return; }
            ctx.beginPath();
            ctx.moveTo(x, u.bbox.top);
            ctx.lineTo(x, u.bbox.top + u.bbox.height);
            ctx.stroke();
            ctx.fillText(m.label, x + 4 * devicePixelRatio, u.bbox.top + 12 * devicePixelRatio);
          });
          ctx.restore();
        }]
      }
    };
  }

  function build(el) {
    if (el.dataset.drawn === "1" || typeof uPlot === "undefined") { return; }
    var source = document.getElementById(el.dataset.chart);
    if (!source) { return; }
    var spec = JSON.parse(source.textContent);
    el.dataset.drawn = "1";
    if (!spec.x || spec.x.length === 0) {
      el.innerHTML = "";
      var p = document.createElement("p");
      p.className = "chart-empty";
      p.textContent = spec.empty || "Nog geen gegevens.";
      el.appendChild(p);
      return;
    }
    var bars = spec.kind === "bars" && uPlot.paths && uPlot.paths.bars ? uPlot.paths.bars({ size: [0.7, 40] }) : null;
    var series = [{
      label: spec.xlabel || "Datum",
      value: function (u, v, si, idx) { return idx == null || v == null ? "" : formatDate(v); }
    }];
    spec.series.forEach(function (s, i) {
      series.push({
        label: s.label,
        stroke: COLOURS[i % COLOURS.length],
        fill: bars ? COLOURS[i % COLOURS.length] + "55" : undefined,
        width: 2,
        dash: DASHES[i % DASHES.length],
        paths: bars || undefined,
        points: { show: spec.x.length < 60 },
        spanGaps: false,
        value: function (u, v, si, idx) { return idx == null ? "" : formatCount(v); }
      });
    });
    var data = [spec.x].concat(spec.series.map(function (s) { return s.values; }));
    var width = Math.max(280, el.clientWidth || el.parentNode.clientWidth || 600);
    var opts = {
      width: width,
      height: spec.height || 260,
      series: series,
      scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, Math.max(10, max * 1.1)]; } } },
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"); },
      axes: [
        { stroke: "#4a4f55", grid: { stroke: "#e3e7eb" }, values: axisDates },
        { stroke: "#4a4f55", grid: { stroke: "#e3e7eb" }, size: 60, incrs: COUNT_STEPS,
          values: function (u, vals) { return vals.map(function (v) { return NUMBER.format(v); }); } }
      ],
      legend: { show: spec.series.length > 1 || Boolean(spec.legend) },
      plugins: [idleLegend, hiddenPlugin(spec), spec.markers && spec.markers.length ? markerPlugin(spec.markers) : null]
        .filter(Boolean)
    };
    el.innerHTML = "";
    var chart = new uPlot(opts, data, el);
    if (typeof ResizeObserver !== "undefined") {
      new ResizeObserver(function () {
        var w = Math.max(280, el.clientWidth);
        if (Math.abs(w - chart.width) > 4) { chart.setSize({ width: w, height: opts.height }); }
      }).observe(el);
    }
  }

  function drawAll(root) {
    (root || document).querySelectorAll("[data-chart]").forEach(build);
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSettle", function (event) { drawAll(event.target); });
})();
