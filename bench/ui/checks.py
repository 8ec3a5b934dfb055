"""What `make bench-ui` checks on one page, in a Playwright page: load timing, axe-core, horizontal overflow.

No Django here: tests/e2e/test_bench_ui.py runs these on small test pages, so the checker itself is tested.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The WCAG levels the gate holds the interface to (axe-core rule tags).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
IMPACTS = ("critical", "serious", "moderate", "minor")

# Navigation timing of the page now shown (milliseconds from the start of the navigation).
TIMING_JS = """() => {
  const [nav] = performance.getEntriesByType('navigation');
  if (!nav) return null;
  return {
    response_ms: nav.responseEnd - nav.startTime,
    dom_ms: nav.domContentLoadedEventEnd - nav.startTime,
    load_ms: nav.loadEventEnd - nav.startTime,
    status: nav.responseStatus || 0,
  };
}"""

# Horizontal overflow: the document is wider than the viewport (one pixel of rounding allowed). When it is,
# the element reaching furthest right that is not inside something that clips or scrolls it sideways, with a
# CSS path a person can search the template for.
OVERFLOW_JS = """() => {
  const root = document.documentElement;
  const width = window.innerWidth;
  const overflow = root.scrollWidth > width + 1;
  if (!overflow) return {overflow: false, scroll_width: root.scrollWidth, viewport: width};
  const clipped = (el) => {
    for (let p = el.parentElement; p && p !== document.body && p !== root; p = p.parentElement) {
      const ox = getComputedStyle(p).overflowX;
      if (ox === 'hidden' || ox === 'auto' || ox === 'scroll' || ox === 'clip') return true;
    }
    return false;
  };
  const describe = (el) => {
    const parts = [];
    for (let e = el; e && e.nodeType === 1 && parts.length < 5; e = e.parentElement) {
      let part = e.tagName.toLowerCase();
      if (e.id) { parts.unshift(part + '#' + e.id); break; }
      const classes = Array.from(e.classList).slice(0, 2);
      if (classes.length) part += '.' + classes.join('.');
      parts.unshift(part);
      if (e === document.body) break;
    }
    return parts.join(' > ');
  };
  let widest = null, right = 0;
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= width + 1 || r.right <= right || clipped(el)) continue;
    widest = el; right = r.right;
  }
  return {
    overflow: true, scroll_width: root.scrollWidth, viewport: width,
    widest: widest ? describe(widest) : null, widest_right: Math.round(right),
  };
}"""


@dataclass
class Violation:
    rule: str
    impact: str
    help: str
    url: str
    selectors: list[str] = field(default_factory=list)


def page_timing(page: Any) -> dict[str, float] | None:
    timing: dict[str, float] | None = page.evaluate(TIMING_JS)
    return timing


def page_overflow(page: Any) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(OVERFLOW_JS)
    return result


def run_axe(page: Any, axe_path: Path) -> list[Violation]:
    """Inject axe-core (the context must bypass the CSP) and return its WCAG A/AA violations on this page."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_path))
    raw = page.evaluate(
        """(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
             .then(r => r.violations.map(v => ({
               id: v.id, impact: v.impact || 'minor', help: v.help,
               targets: v.nodes.map(n => n.target.join(' ')),
             })))""",
        AXE_TAGS,
    )
    url = page.url
    return [Violation(v["id"], v["impact"], v["help"], url, v["targets"]) for v in raw]


def p95(values: list[float]) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[94]


def unique_by_rule_and_page(found: list[tuple[str, Violation]]) -> dict[tuple[str, str], str]:
    """(rule, url name) → the worst impact seen for it, over roles, viewports and instances of the page.

    The same problem in the navigation shows on every page; counting it once per (rule, page kind) keeps the
    totals about distinct things to fix.
    """
    worst: dict[tuple[str, str], str] = {}
    for url_name, v in found:
        key = (v.rule, url_name)
        if key not in worst or IMPACTS.index(v.impact) < IMPACTS.index(worst[key]):
            worst[key] = v.impact
    return worst
