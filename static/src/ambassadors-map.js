// Draws the staff map of the ambassador network: a choropleth per measure with Chart.js and
// chartjs-chart-geo (loaded before this file as their UMD builds, `Chart` and `ChartGeo`), on the
// Natural Earth shapes of world-atlas's countries-110m.json, which the portal serves itself.
//
// Each map is a <canvas data-map-source="ID" data-map-measure="ambassadors|projects"> whose data
// is the JSON block with that id (Django's json_script, allowed by the CSP because it is data, not
// script): {countries: [{id: ISO 3166-1 numeric, name, ambassadors, projects}]}. The container
// starts `hidden` and is shown only once the shapes have loaded, so without JavaScript (or if
// anything fails) the page shows the table, which holds the same numbers.

(function () {
  "use strict";

  var container = document.querySelector("[data-portal-map]");
  if (!container || typeof window.Chart === "undefined" || typeof window.ChartGeo === "undefined") {
    return;
  }
  var ChartGeo = window.ChartGeo;
  window.Chart.register(ChartGeo.ChoroplethController, ChartGeo.GeoFeature, ChartGeo.ColorScale, ChartGeo.ProjectionScale);
  var reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function draw(canvas, shapes) {
    var source = document.getElementById(canvas.getAttribute("data-map-source"));
    var measure = canvas.getAttribute("data-map-measure");
    var figures = {};
    JSON.parse(source.textContent).countries.forEach(function (country) {
      figures[country.id] = country;
    });
    new window.Chart(canvas, {
      type: "choropleth",
      data: {
        labels: shapes.map(function (shape) {
          return shape.properties.name;
        }),
        datasets: [
          {
            label: canvas.getAttribute("data-map-label"),
            outline: shapes,
            data: shapes.map(function (shape) {
              var country = figures[shape.id];
              return { feature: shape, value: country ? country[measure] : 0 };
            }),
            borderColor: "#505a5f",
            borderWidth: 0.5,
          },
        ],
      },
      options: {
        animation: reducedMotion ? false : { duration: 300 },
        showOutline: true,
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: function (item) {
                var country = figures[item.raw.feature.id];
                var name = country ? country.name : item.raw.feature.properties.name;
                return name + ": " + item.raw.value;
              },
            },
          },
        },
        scales: {
          projection: { axis: "x", projection: "equalEarth" },
          color: {
            axis: "x",
            // GOV.UK-like blues: light for few, dark for many; zero stays the lightest.
            interpolate: function (v) {
              var light = [222, 235, 247];
              var dark = [18, 69, 122];
              var mix = light.map(function (c, i) {
                return Math.round(c + (dark[i] - c) * v);
              });
              return "rgb(" + mix.join(",") + ")";
            },
            legend: { position: "bottom-right", align: "right" },
            ticks: { precision: 0 }, // whole numbers: these are counts
          },
        },
      },
    });
  }

  fetch(container.getAttribute("data-atlas-url"), { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) {
        throw new Error("world map shapes: " + response.status);
      }
      return response.json();
    })
    .then(function (atlas) {
      var shapes = ChartGeo.topojson.feature(atlas, atlas.objects.countries).features.filter(function (shape) {
        return shape.properties.name !== "Antarctica";
      });
      container.hidden = false;
      container.querySelectorAll("canvas[data-map-source]").forEach(function (canvas) {
        draw(canvas, shapes);
      });
    })
    .catch(function () {
      // The table already holds every number; the maps stay hidden.
    });
})();
