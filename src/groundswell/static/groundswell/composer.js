/* The share composer (sharing/share.html): the post previewed as the chosen network shows it, and its length
   counted by that network's rule as you type.

   countText mirrors networks/length.py line for line (the server validates with it);
   sharing/tests/test_counting.py runs both on the same samples. Change one, change the other. */
(function () {
  "use strict";

  // Whitespace that ends a link, spelled out as in networks/length.py (_SPACE).
  var SPACE = "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
  var URL_PATTERN = "https?://[^" + SPACE + "]+";
  // X's ranges that count 1 (twitter-text v3); everything else counts 2.
  var LIGHT_RANGES = [[0x0000, 0x10ff], [0x2000, 0x200d], [0x2010, 0x201f], [0x2032, 0x2037]];
  var segmenter = typeof Intl !== "undefined" && Intl.Segmenter
    ? new Intl.Segmenter(undefined, { granularity: "grapheme" }) : null;

  function clusters(text) {
    if (!segmenter) return Array.from(text); // no grapheme support: code points (an overcount at worst)
    return Array.from(segmenter.segment(text), function (s) { return s.segment; });
  }

  function light(cp) {
    return LIGHT_RANGES.some(function (r) { return r[0] <= cp && cp <= r[1]; });
  }

  function isEmoji(cluster) {
    return Array.from(cluster).some(function (c) {
      var cp = c.codePointAt(0);
      return cp === 0xfe0f || (cp >= 0x1f000 && cp <= 0x1faff);
    });
  }

  /* The length of text as a network counts it: rule = {unit: "graphemes"|"characters"|"weighted", url: n}. */
  function countText(text, rule) {
    text = text.normalize("NFC");
    var links = 0;
    if (rule.url) {
      text = text.replace(new RegExp(URL_PATTERN, "giu"), function () { links += 1; return ""; });
    }
    var plain;
    if (rule.unit === "characters") {
      plain = Array.from(text).length;
    } else if (rule.unit === "graphemes") {
      plain = clusters(text).length;
    } else {
      plain = 0;
      clusters(text).forEach(function (cluster) {
        if (isEmoji(cluster)) { plain += 2; return; }
        Array.from(cluster).forEach(function (c) { plain += light(c.codePointAt(0)) ? 1 : 2; });
      });
    }
    return links * rule.url + plain;
  }

  function init(form) {
    var rules = JSON.parse(document.getElementById("composer-networks").textContent);
    var link = form.getAttribute("data-link");
    var textarea = form.querySelector("textarea[name=caption]");
    var counter = document.getElementById("caption-count");
    var warning = document.getElementById("over-warning");
    var preview = document.getElementById("composer-preview");
    var previewText = preview.querySelector("[data-preview-text]");
    var previewNetwork = form.querySelector("[data-preview-network]");
    var previewHandle = preview.querySelector("[data-preview-handle]");
    var previewIgnored = preview.querySelector("[data-preview-ignored]");
    var mastodon = document.getElementById("mastodon-inline");
    var own = document.getElementById("suggestion-own");
    var over = false;

    function network() {
      var checked = form.querySelector("input[name=network]:checked");
      return checked ? checked.value : "";
    }

    function update() {
      var key = network();
      var rule = rules[key] || { label: "", max: 0, unit: "characters", url: 0, sep: "\n\n", handle: "" };
      var text = textarea.value.trim();
      var full = text ? text + rule.sep + link : link;
      var length = countText(full, rule);
      over = Boolean(rule.max && length > rule.max);
      counter.textContent = rule.max ? length + " / " + rule.max : length + " characters";
      counter.classList.toggle("over", over);
      form.classList.toggle("is-over", over);
      if (over) {
        textarea.setAttribute("aria-invalid", "true");
        warning.textContent = "Too long for " + rule.label + ": " + length + " of " + rule.max +
          ". Shorten it by " + (length - rule.max) + " before you share.";
      } else {
        textarea.removeAttribute("aria-invalid");
      }
      warning.hidden = !over;

      previewText.textContent = text ? text + rule.sep : "";
      var a = document.createElement("span");
      a.className = "post-link";
      a.textContent = link;
      previewText.appendChild(a);
      preview.setAttribute("data-network", key);
      previewNetwork.textContent = rule.label ? "on " + rule.label : "";
      previewHandle.textContent = rule.handle || "";
      previewIgnored.hidden = !rule.textIgnored;
      if (mastodon) mastodon.hidden = key !== "mastodon";
    }

    form.addEventListener("change", function (event) {
      var target = event.target;
      if (target.name === "suggestion" && target.value) {
        var label = form.querySelector("label[for='" + target.id + "'] [data-caption-text]");
        if (label) textarea.value = label.textContent;
      }
      update();
    });
    textarea.addEventListener("input", function () {
      // Edited by hand: the text box is what gets shared, not the suggestion last tapped.
      if (own && !own.checked) own.checked = true;
      update();
    });
    form.addEventListener("submit", function (event) {
      if (over) {
        event.preventDefault();
        warning.hidden = false;
        warning.focus();
      }
    });
    form.classList.add("enhanced");
    update();
  }

  if (typeof module === "object" && module.exports) {
    module.exports = { countText: countText };
  }
  if (typeof document !== "undefined") {
    document.addEventListener("DOMContentLoaded", function () {
      var form = document.querySelector("[data-composer]");
      if (form) init(form);
    });
  }
})();
