// Import progress: poll the JSON status endpoint and move the <progress> bar; reload once finished to
// show the summary. Without JavaScript the page works by reloading it.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box || !window.fetch) return;
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("import-bar");
  var count = document.getElementById("import-count");
  var state = document.getElementById("import-state");
  var failures = 0;
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then(function (s) {
        failures = 0;
        bar.max = Math.max(s.total_rows, 1);
        bar.value = s.processed_rows;
        bar.textContent = s.percent + "%";
        count.textContent = s.processed_rows + " of " + s.total_rows;
        if (s.finished) { window.location.reload(); return; }
        state.textContent = s.status_label + ": " + s.percent + "% done.";
        window.setTimeout(poll, 1500);
      })
      .catch(function () {
        failures += 1;
        if (failures < 5) window.setTimeout(poll, 3000 * failures);
        else state.textContent = "Could not check the progress. Reload the page to try again.";
      });
  }
  window.setTimeout(poll, 1000);
})();
