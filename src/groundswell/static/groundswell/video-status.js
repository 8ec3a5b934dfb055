// Videos: while a video is being processed, ask its status every few seconds and reload when it changes.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector("[data-video-status-url]");
    if (!box || !window.fetch) { return; }
    var url = box.getAttribute("data-video-status-url");
    var delay = 2000;
    function poll() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (data && (data.state === "ready" || data.state === "failed")) {
            window.location.reload();
            return;
          }
          delay = Math.min(delay * 1.5, 15000);
          setTimeout(poll, delay);
        })
        .catch(function () { setTimeout(poll, 15000); });
    }
    setTimeout(poll, delay);
  });
})();
