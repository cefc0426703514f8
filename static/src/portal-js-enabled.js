// Tells GOV.UK Frontend's styles that JavaScript runs here, before the page is first drawn, so
// components that JavaScript enhances (the service navigation menu, accordions, ...) never flash
// their no-JavaScript form. Loaded by a plain <script src> at the top of <body> in base.html: a
// same-origin file, so the Content-Security-Policy needs no inline script and no nonce.

document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
