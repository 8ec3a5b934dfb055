"""The checker of `make bench-ui` (bench/ui/checks.py) on small test pages: it must see what it claims to see."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.conf import settings

CHECKS_PATH = Path(__file__).resolve().parents[2] / "bench" / "ui" / "checks.py"


def load_checks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_ui_checks", CHECKS_PATH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


checks = load_checks()
AXE = Path(settings.ASSETS_DIR) / "axe-core" / "axe.min.js"

PAGE = """<!doctype html><html lang="en"><head><title>Test page</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body {{ margin: 0; font: 16px sans-serif; }} .wide {{ width: 900px; height: 20px; }}
.scroller {{ overflow-x: auto; }}</style></head>
<body><main><h1>Test</h1>{body}</main></body></html>"""


@pytest.fixture
def page(browser: Any) -> Any:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.browser
def test_overflow_is_found_with_the_widest_element(page: Any) -> None:
    page.set_content(PAGE.format(body='<section class="cards"><div id="banner" class="wide"></div></section>'))
    result = checks.page_overflow(page)
    assert result["overflow"] is True
    assert result["scroll_width"] >= 900 and result["viewport"] == 390
    assert result["widest"] == "div#banner"
    assert result["widest_right"] == 900


@pytest.mark.browser
def test_a_wide_element_inside_a_scroller_is_not_overflow(page: Any) -> None:
    page.set_content(PAGE.format(body='<div class="scroller"><div class="wide"></div></div>'))
    assert checks.page_overflow(page)["overflow"] is False
    page.set_viewport_size({"width": 1366, "height": 900})
    page.set_content(PAGE.format(body='<div class="wide"></div>'))
    assert checks.page_overflow(page)["overflow"] is False


@pytest.mark.browser
def test_axe_finds_a_field_without_a_label(page: Any) -> None:
    page.set_content(PAGE.format(body='<form><input type="text" name="q" id="q"></form>'))
    found = checks.run_axe(page, AXE)
    label = [v for v in found if v.rule == "label"]
    assert len(label) == 1
    assert label[0].impact == "critical"
    assert label[0].selectors == ["#q"]

    page.set_content(PAGE.format(body='<form><label for="q">Search</label><input type="text" id="q"></form>'))
    assert checks.run_axe(page, AXE) == []


@pytest.mark.browser
def test_load_timing_of_a_navigation(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}/healthz", wait_until="load")
    timing = checks.page_timing(page)
    assert timing is not None
    assert 0 < timing["response_ms"] <= timing["load_ms"]
    assert timing["status"] == 200


def test_one_count_per_rule_and_page_kind_with_the_worst_impact() -> None:
    v = checks.Violation
    found = [
        ("core:home", v("color-contrast", "serious", "", "/w/a/", [".x"])),
        ("core:home", v("color-contrast", "serious", "", "/w/a/", [".y"])),  # another role or viewport
        ("core:home", v("label", "minor", "", "/w/a/", ["#q"])),
        ("core:home", v("label", "critical", "", "/w/a/", ["#r"])),
        ("content:detail", v("color-contrast", "serious", "", "/w/a/content/1/", [".x"])),
    ]
    assert checks.unique_by_rule_and_page(found) == {
        ("color-contrast", "core:home"): "serious",
        ("label", "core:home"): "critical",
        ("color-contrast", "content:detail"): "serious",
    }
    assert checks.p95([]) == 0.0
    assert checks.p95([5.0]) == 5.0
    assert checks.p95([float(n) for n in range(1, 101)]) == pytest.approx(95.05)


APP_JS = Path(settings.BASE_DIR) / "static" / "groundswell" / "app.js"
TABLE = """<h2>Clicks by day</h2><div class="table-wrap"><table><tr>{cells}</tr></table></div>"""


@pytest.mark.browser
def test_a_table_that_scrolls_sideways_is_reachable_by_keyboard(page: Any) -> None:
    """axe's scrollable-region-focusable, found by this gate on the audit report at 390 px; app.js fixes it."""
    wide = TABLE.format(cells="".join(f"<td>column&nbsp;number&nbsp;{n}</td>" for n in range(12)))
    body = wide.replace("table-wrap", "table-wrap scroller")
    page.set_content(PAGE.format(body=body))
    assert [v.rule for v in checks.run_axe(page, AXE)] == ["scrollable-region-focusable"]
    assert checks.page_overflow(page)["overflow"] is False  # it scrolls inside its box, not the page

    page.add_script_tag(path=str(APP_JS))
    box = page.locator(".table-wrap")
    assert box.get_attribute("tabindex") == "0"
    assert box.get_attribute("role") == "region"
    assert box.get_attribute("aria-label") == "Clicks by day (scrolls sideways)"
    assert checks.run_axe(page, AXE) == []

    # Wide enough on a laptop: nothing added, and what was added goes when the window grows.
    page.set_viewport_size({"width": 1900, "height": 900})
    page.evaluate("window.dispatchEvent(new Event('resize'))")
    assert box.get_attribute("tabindex") is None and box.get_attribute("aria-label") is None
