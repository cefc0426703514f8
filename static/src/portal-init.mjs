// Starts GOV.UK Frontend's components (service navigation menu, error summary focus, checkboxes,
// notification banners, ...). Loaded as <script type="module">, so it runs after the document is
// parsed, only in browsers that support ES modules, and from 'self' under the CSP.
//
// GOV.UK Frontend 6 ships govuk-frontend.min.js as an ES module; both files are copied side by
// side into static/build/ by static/src/build.mjs, so the relative import resolves.

import { initAll } from "./govuk-frontend.min.js";

initAll();
