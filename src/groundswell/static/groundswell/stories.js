// Writing a story: show the department or team choice only for that audience, and one image slot at a time
// (the next appears when the previous has a file). Without JavaScript every field stays visible and works.
(function () {
  "use strict";
  var form = document.querySelector(".story-form");
  if (!form) return;
  document.documentElement.classList.add("js");

  function syncAudience() {
    var chosen = form.querySelector("input[name=audience]:checked");
    var value = chosen ? chosen.value : "everyone";
    form.querySelectorAll("[data-audience-target]").forEach(function (el) {
      el.hidden = el.getAttribute("data-audience-target") !== value;
    });
  }
  form.querySelectorAll("input[name=audience]").forEach(function (input) {
    input.addEventListener("change", syncAudience);
  });
  syncAudience();

  var slots = Array.prototype.slice.call(form.querySelectorAll(".story-image-slot"));
  function syncSlots() {
    var showNext = true;
    slots.forEach(function (slot) {
      var file = slot.querySelector("input[type=file]");
      var filled = file && file.files && file.files.length > 0;
      slot.classList.toggle("empty-slot", !showNext && !filled);
      showNext = filled;
    });
  }
  slots.forEach(function (slot) {
    var file = slot.querySelector("input[type=file]");
    if (file) file.addEventListener("change", syncSlots);
  });
  syncSlots();
})();
