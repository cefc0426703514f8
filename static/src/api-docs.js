// The API documentation page (templates/portal/api_docs.html): starts Swagger UI (loaded before this
// file from drf-spectacular-sidecar's static files) on the schema named by #swagger-ui's
// data-schema-url, and completes what Swagger UI leaves out of its widgets so that the page meets
// WCAG 2.2 AA. A same-origin file, so the Content-Security-Policy needs no inline script.

"use strict";

(() => {
  const root = document.getElementById("swagger-ui");
  if (!root || typeof SwaggerUIBundle !== "function") {
    return;
  }

  // Swagger UI's own layout wraps the operations in a second <main> inside the page's <main>, and
  // repeats the page's heading. This one draws the same parts inside the page's main, in order:
  // errors, the Authorize button, the operations and the schemas.
  const PortalLayoutPlugin = (system) => ({
    components: {
      PortalLayout: ({ getComponent, specSelectors }) => {
        const h = system.React.createElement;
        const Errors = getComponent("errors", true);
        const status = specSelectors.loadingStatus();
        if (status === "failed" || status === "failedConfig") {
          return h("div", { className: "swagger-ui" }, h("p", { role: "alert" }, "The API description could not be loaded."), h(Errors));
        }
        if (!specSelectors.specStr()) {
          return h("div", { className: "swagger-ui" }, h("p", { role: "status" }, "Loading the API description…"));
        }
        return h(
          "div",
          { className: "swagger-ui" },
          h(getComponent("SvgAssets")),
          h(Errors),
          h("div", { className: "scheme-container" }, h(getComponent("AuthorizeBtnContainer", true))),
          h(getComponent("operations", true)),
          h(getComponent("Models", true)),
        );
      },
    },
  });

  SwaggerUIBundle({
    url: root.dataset.schemaUrl,
    domNode: root,
    presets: [SwaggerUIBundle.presets.apis],
    plugins: [PortalLayoutPlugin],
    layout: "PortalLayout",
    // No deep links: Swagger UI puts each one as a link inside the operation's button, which screen
    // readers may not announce. No syntax colours: several fail contrast on their dark background.
    deepLinking: false,
    syntaxHighlight: { activated: false },
    // A signed-in reader trying a write sends the session's CSRF token, as the portal's forms do.
    requestInterceptor: (request) => {
      if (!["GET", "HEAD", "OPTIONS", undefined].includes(request.method)) {
        request.headers["X-CSRFToken"] = root.dataset.csrfToken;
      }
      return request;
    },
  });

  const label = (control, name) => {
    if (!control.hasAttribute("aria-label") && !control.hasAttribute("aria-labelledby") && !control.labels?.length) {
      control.setAttribute("aria-label", name);
    }
  };

  // Names and keyboard access Swagger UI leaves out of the widgets it draws.
  const complete = () => {
    for (const row of root.querySelectorAll("tr[data-param-name]")) {
      const name = `${row.dataset.paramName} (${row.dataset.paramIn} parameter)`;
      row.querySelectorAll("input, select, textarea").forEach((control) => label(control, name));
    }
    root.querySelectorAll("select.examples-select-element").forEach((select) => label(select, "Examples"));
    root.querySelectorAll("textarea.body-param__text").forEach((textarea) => label(textarea, "Request body"));
    root.querySelectorAll("button.close-modal").forEach((button) => label(button, "Close dialog"));
    // A schema's open/close button shows only an arrow once the schema is open: name it after the
    // property it belongs to, or the schema itself.
    for (const button of root.querySelectorAll("button.model-box-control")) {
      const property = button.closest("tr.property-row")?.querySelector("td")?.firstChild?.textContent;
      const schema = button.closest("[data-name]")?.dataset.name;
      if (property || schema) {
        label(button, property ? `Details of ${property}` : schema);
      }
    }
    // Headings follow the page's <h1>: sections of operations and the schemas, then the parts of
    // an operation (Swagger UI starts at <h3> and <h4>).
    root.querySelectorAll("h3.opblock-tag, section.models > h4").forEach((heading) => heading.setAttribute("aria-level", "2"));
    root.querySelectorAll(".opblock-section-header h4").forEach((heading) => heading.setAttribute("aria-level", "3"));
    // Each operation's responses table is a region: name it after its operation.
    for (const table of root.querySelectorAll("table.responses-table[role=region]")) {
      const operation = table.closest(".opblock");
      const method = operation?.querySelector(".opblock-summary-method")?.textContent;
      const path = operation?.querySelector(".opblock-summary-path")?.dataset.path;
      if (method && path) {
        label(table, `Responses of ${method} ${path}`);
      }
    }
    // Code blocks scroll when long: the keyboard must reach them to scroll them.
    root.querySelectorAll(".highlight-code pre:not([tabindex])").forEach((pre) => pre.setAttribute("tabindex", "0"));
  };

  // Swagger UI draws operations as the reader opens them, so each change is looked at again. Only
  // attributes are set here, which does not call the observer again.
  new MutationObserver(complete).observe(root, { childList: true, subtree: true });
})();
