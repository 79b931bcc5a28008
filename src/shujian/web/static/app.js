// Wiring the pages need, kept out of the HTML: the Content-Security-Policy allows no inline
// script. htmx sends the CSRF token of the page's meta tag with every request it makes.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta && document.body) {
    document.body.setAttribute(
      "hx-headers",
      JSON.stringify({ "X-CSRF-Token": meta.getAttribute("content") })
    );
  }
})();
