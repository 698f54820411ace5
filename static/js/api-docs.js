/* Starts Swagger UI on the API documentation page (no inline script: CSP). */
(function () {
  "use strict";
  function start() {
    var root = document.getElementById("swagger-ui");
    if (!root || typeof window.SwaggerUIBundle !== "function") {
      return;
    }
    window.SwaggerUIBundle({
      url: root.getAttribute("data-spec"),
      domNode: root,
      deepLinking: false, /* its anchors inside the operation buttons are nested controls (WCAG 4.1.2) */
      presets: [window.SwaggerUIBundle.presets.apis],
      layout: "BaseLayout",
      syntaxHighlight: { activated: false },
      tryItOutEnabled: false,
      validatorUrl: null
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
