// Draws the indicator charts with Chart.js (loaded before this file as the UMD build, `Chart`).
//
// Each chart is a <canvas data-chart-source="ID"> whose data is the JSON block with that id
// (Django's json_script, allowed by the CSP because it is data, not script). The container starts
// `hidden`, so without JavaScript the page shows only the table, which holds the same values.
// Every dataset point is {x: decimal year, y: number or null, period: label, text: as shown}.

(function () {
  "use strict";

  if (typeof window.Chart === "undefined") {
    return;
  }

  // GOV.UK colours with at least 3:1 contrast on white (WCAG 1.4.11), each with its own point
  // style so that series are told apart without colour too.
  var COLOURS = ["#106165", "#1d70b8", "#d4351c", "#00703c", "#4c2c92", "#0b0c0c", "#912b88", "#505a5f"];
  var POINT_STYLES = ["circle", "rect", "triangle", "rectRot", "crossRot", "star", "rectRounded", "cross"];
  var reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function yearTick(value) {
    return Number.isInteger(value) ? String(value) : "";
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart-source"));
    if (!source) {
      return;
    }
    var chart = JSON.parse(source.textContent);
    var container = canvas.closest("[data-portal-chart]");
    if (container) {
      container.hidden = false;
    }
    var datasets = chart.datasets.map(function (series, index) {
      var colour = COLOURS[index % COLOURS.length];
      return {
        label: series.label,
        data: series.data,
        borderColor: colour,
        backgroundColor: colour,
        pointStyle: POINT_STYLES[index % POINT_STYLES.length],
        pointRadius: 5,
        pointHoverRadius: 7,
        borderWidth: 2,
        borderDash: series.kind === "target" ? [6, 4] : [],
        spanGaps: false,
      };
    });
    new window.Chart(canvas, {
      type: "line",
      data: { datasets: datasets },
      options: {
        animation: reducedMotion ? false : { duration: 300 },
        parsing: { xAxisKey: "x", yAxisKey: "y" },
        interaction: { mode: "nearest", intersect: false },
        scales: {
          x: { type: "linear", title: { display: true, text: "Year" }, ticks: { stepSize: 1, callback: yearTick } },
          y: { title: { display: true, text: chart.unit } },
        },
        plugins: {
          legend: { position: "bottom", labels: { usePointStyle: true } },
          tooltip: {
            callbacks: {
              title: function (items) {
                return items.length ? items[0].raw.period : "";
              },
              label: function (item) {
                return item.dataset.label + ": " + item.raw.text;
              },
            },
          },
        },
      },
    });
  }

  document.querySelectorAll("canvas[data-chart-source]").forEach(draw);
})();
