// Copies the front-end files the portal serves into static/build/ (a generated folder).
//
// Run through `npm run build`, which then compiles static/src/portal.scss with the sass CLI.
// Plain Node (fs/path) only, so it works on a fresh clone right after `npm ci`.

import { copyFileSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const modules = join(root, "node_modules");
const src = join(root, "static", "src");
const out = join(root, "static", "build");

// Each entry: destination name in static/build/ -> candidate sources (first that exists wins).
// Source maps are copied with their script: Django's ManifestStaticFilesStorage follows a
// `//# sourceMappingURL=` line and fails collectstatic when the map is missing.
const files = {
  "govuk-frontend.min.js": [join(modules, "govuk-frontend/dist/govuk/govuk-frontend.min.js")],
  "govuk-frontend.min.js.map": [join(modules, "govuk-frontend/dist/govuk/govuk-frontend.min.js.map")],
  "chart.umd.min.js": [join(modules, "chart.js/dist/chart.umd.min.js"), join(modules, "chart.js/dist/chart.umd.js")],
  "chart.umd.min.js.map": [
    join(modules, "chart.js/dist/chart.umd.min.js.map"),
    join(modules, "chart.js/dist/chart.umd.js.map"),
  ],
  "htmx.min.js": [join(modules, "htmx.org/dist/htmx.min.js")],
  // The network map: chartjs-chart-geo (UMD, on top of Chart.js) and Natural Earth's country
  // shapes at 1:110m from world-atlas (TopoJSON, fetched by the map script from the portal itself).
  "chartjs-chart-geo.umd.min.js": [join(modules, "chartjs-chart-geo/build/index.umd.min.js")],
  "index.umd.min.js.map": [join(modules, "chartjs-chart-geo/build/index.umd.min.js.map")],
  "countries-110m.json": [join(modules, "world-atlas/countries-110m.json")],
  // The portal's own files.
  "portal-init.mjs": [join(src, "portal-init.mjs")],
  "portal-js-enabled.js": [join(src, "portal-js-enabled.js")],
  "missions-charts.js": [join(src, "missions-charts.js")],
  "ambassadors-map.js": [join(src, "ambassadors-map.js")],
  "funding-budget.js": [join(src, "funding-budget.js")],
  "favicon.svg": [join(src, "favicon.svg")],
  "api-docs.css": [join(src, "api-docs.css")],
  "api-docs.js": [join(src, "api-docs.js")],
  "admin-periodic-task.js": [join(src, "admin-periodic-task.js")],
};

// Files a page cannot work without; the rest (source maps) are copied when present.
const optional = new Set(["govuk-frontend.min.js.map", "chart.umd.min.js.map", "index.umd.min.js.map"]);

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

let failed = false;
for (const [name, candidates] of Object.entries(files)) {
  const source = candidates.find((path) => existsSync(path));
  if (!source) {
    if (!optional.has(name)) {
      console.error(`build: missing source for ${name}: looked for ${candidates.map((p) => relative(root, p)).join(", ")}`);
      failed = true;
    }
    continue;
  }
  copyFileSync(source, join(out, name));
  console.log(`build: ${relative(root, source)} -> ${relative(root, join(out, name))}`);
}

if (failed) {
  console.error("build: run `npm ci` first");
  process.exit(1);
}
