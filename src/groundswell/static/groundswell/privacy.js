// Export progress: poll the JSON status endpoint and move the <progress> bar; reload once the archive is
// ready to show the download button. Without JavaScript the page works by reloading it.
(function () {
  "use strict";
  var box = document.getElementById("export-progress");
  if (!box || !window.fetch) return;
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("export-bar");
  var percent = document.getElementById("export-percent");
  var state = document.getElementById("export-state");
  var failures = 0;
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then(function (s) {
        failures = 0;
        if (bar) { bar.value = s.percent; bar.textContent = s.percent + "%"; }
        if (percent) percent.textContent = s.percent + "%";
        if (s.finished) { window.location.reload(); return; }
        if (state) state.textContent = s.status_label + ": " + s.percent + "% done.";
        window.setTimeout(poll, 1500);
      })
      .catch(function () {
        failures += 1;
        if (failures < 5) window.setTimeout(poll, 3000 * failures);
        else if (state) state.textContent = "Could not check the progress. Reload the page to try again.";
      });
  }
  window.setTimeout(poll, 1000);
})();
