// Draws the programme budget's burn-up with Chart.js (loaded before this file as the UMD build,
// `Chart`): the plan and the spend, each added up quarter by quarter.
//
// The chart is a <canvas data-budget-chart-source="ID"> whose data is the JSON block with that id
// (Django's json_script, allowed by the CSP because it is data, not script): {labels: quarter
// labels, unit, datasets: [{label, kind: "plan" | "spend", data: numbers (null for a quarter not
// started), text: each number as the table shows it}]}. The container starts `hidden`, so without
// JavaScript the page shows only the burn-up table, which holds the same numbers.

(function () {
  "use strict";

  if (typeof window.Chart === "undefined") {
    return;
  }

  // GOV.UK colours with at least 3:1 contrast on white (WCAG 1.4.11); the plan is also dashed and
  // the two series have different point shapes, so they are told apart without colour.
  var STYLES = {
    plan: { colour: "#505a5f", pointStyle: "rect", dash: [6, 4] },
    spend: { colour: "#1d70b8", pointStyle: "circle", dash: [] },
  };
  var reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var pounds = new Intl.NumberFormat("en-GB", { style: "currency", currency: "GBP", maximumFractionDigits: 0 });

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-budget-chart-source"));
    if (!source) {
      return;
    }
    var chart = JSON.parse(source.textContent);
    var container = canvas.closest("[data-portal-chart]");
    if (container) {
      container.hidden = false;
    }
    var datasets = chart.datasets.map(function (series) {
      var style = STYLES[series.kind] || STYLES.spend;
      return {
        label: series.label,
        data: series.data,
        text: series.text,
        borderColor: style.colour,
        backgroundColor: style.colour,
        pointStyle: style.pointStyle,
        pointRadius: 5,
        pointHoverRadius: 7,
        borderWidth: 2,
        borderDash: style.dash,
        spanGaps: false,
      };
    });
    new window.Chart(canvas, {
      type: "line",
      data: { labels: chart.labels, datasets: datasets },
      options: {
        animation: reducedMotion ? false : { duration: 300 },
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { title: { display: true, text: "Quarter" } },
          y: {
            beginAtZero: true,
            title: { display: true, text: "Added up since the start (" + chart.unit + ")" },
            ticks: {
              callback: function (value) {
                return pounds.format(value);
              },
            },
          },
        },
        plugins: {
          legend: { position: "bottom", labels: { usePointStyle: true } },
          tooltip: {
            callbacks: {
              label: function (item) {
                return item.dataset.label + ": " + item.dataset.text[item.dataIndex];
              },
            },
          },
        },
      },
    });
  }

  document.querySelectorAll("canvas[data-budget-chart-source]").forEach(draw);
})();
