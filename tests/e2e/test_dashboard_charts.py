"""The dashboard's charts in a real browser: Chart.js draws each canvas from the page's JSON under the strict
CSP (no console error), labels are >= 12 px, colours come from the CSS tokens, hovering a day shows its
tooltip at 1366 px, nothing scrolls sideways on a phone, reduced motion turns animation off, a dark system
theme redraws them in the dark tokens, and the date-range picker puts its state in the URL (the back button returns to the previous range)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from groundswell.analytics.tests.helpers import publish, share_with_clicks
from groundswell.rewards.actions import ensure_default_rules
from groundswell.workspaces.models import Department, Membership, Role, Workspace
from tests.e2e.test_core_loop import make_user, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _workspace_with_activity() -> None:
    workspace = Workspace.objects.create(name="Acme", slug="acme")
    ensure_default_rules(workspace)
    make_user(workspace, "alice@acme.test", Role.ADMIN)
    sales = Department.objects.create(workspace=workspace, name="Sales and partnerships, EMEA")
    for n in range(6):
        make_user(workspace, f"employee{n}@acme.test", Role.EMPLOYEE)
    Membership.objects.filter(role=Role.EMPLOYEE).update(department=sales)
    alice = Membership.objects.get(user__email="alice@acme.test")
    item = publish(workspace, "A launch", alice)
    for n in range(6):
        member = Membership.objects.get(user__email=f"employee{n}@acme.test")
        when = timezone.now() - dt.timedelta(days=n * 5)
        share_with_clicks(member, item, 3 + n, network=("linkedin", "x", "bluesky")[n % 3], when=when)
    share_with_clicks(member, item, 2, when=timezone.now() - dt.timedelta(days=40))  # the previous 30 days


def _chart(page: Any, selector: str, expression: str) -> Any:
    return page.eval_on_selector(selector, f"c => {{ const chart = Chart.getChart(c); return {expression}; }}")


def test_charts_draw_with_tooltips_and_fit_a_phone(browser: Any, live_server: Any) -> None:
    base = live_server.url
    _workspace_with_activity()
    page = sign_in(browser, base, "alice@acme.test")
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_viewport_size({"width": 1366, "height": 900})

    page.goto(f"{base}/w/acme/dashboard/?range=30d&compare=1")
    activity = 'canvas[data-chart="chart-activity-data"]'
    page.wait_for_selector(f"{activity}.drawn")
    assert page.locator("canvas.drawn").count() == 3  # activity, departments, networks
    assert _chart(page, activity, "chart.config.type") == "line"
    assert _chart(page, activity, "chart.data.datasets.length") == 4  # with the previous period
    # Labels are legible: ticks, legend and tooltip at >= 12 px.
    for axis in ("x", "y"):
        assert _chart(page, activity, f"chart.options.scales.{axis}.ticks.font.size") >= 12
    assert _chart(page, activity, "chart.options.plugins.legend.labels.font.size") >= 12
    # Colours come from the CSS custom properties of :root.
    accent = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--accent').trim()")
    assert accent and _chart(page, activity, "chart.data.datasets[0].borderColor") == accent

    # Hovering today's point shows a tooltip with the day's figures.
    page.locator(activity).scroll_into_view_if_needed()
    box = page.locator(activity).bounding_box()
    assert box["width"] > 600
    right = _chart(page, activity, "chart.chartArea.right")
    middle = _chart(page, activity, "(chart.chartArea.top + chart.chartArea.bottom) / 2")
    page.mouse.move(box["x"] + right - 2, box["y"] + middle)
    page.wait_for_function(
        "() => Chart.getChart(document.querySelector('canvas[data-chart=\"chart-activity-data\"]'))"
        ".tooltip.getActiveElements().length > 0"
    )
    title = _chart(page, activity, "chart.tooltip.title.join(' ')")
    assert title == timezone.localdate().strftime("%d %b"), title
    body = _chart(page, activity, "chart.tooltip.body.map(b => b.lines.join(' ')).join(' | ')")
    assert "Human clicks: 3" in body and "previous period (" in body, body

    # Bars are horizontal so long department names keep their line; the box grows with the bars.
    departments = 'canvas[data-chart="chart-departments-data"]'
    assert _chart(page, departments, "chart.options.indexAxis") == "y"

    # The table behind the chart opens without scripts' help.
    page.get_by_text("Show as table").click()
    assert page.locator("details.chart-table table tbody tr").count() == 30

    # On a phone nothing scrolls sideways and the chart fits the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/w/acme/dashboard/?range=90d&compare=1")
    page.wait_for_selector(f"{activity}.drawn")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert page.locator(activity).bounding_box()["width"] <= 390
    # A long department name is shortened on the axis of a narrow chart instead of being cut off.
    tick = _chart(page, departments, "chart.scales.y.ticks[0].label")
    assert tick.endswith("\u2026") and len(tick) <= 14, tick
    assert errors == [], errors  # no CSP violation, no script error


def test_range_picker_keeps_its_state_in_the_url(browser: Any, live_server: Any) -> None:
    base = live_server.url
    _workspace_with_activity()
    page = sign_in(browser, base, "alice@acme.test")
    page.goto(f"{base}/w/acme/dashboard/")
    page.get_by_role("link", name="Last 7 days").click()
    page.wait_for_url(re.compile(r"range=7d"))
    start = (timezone.localdate() - dt.timedelta(days=20)).isoformat()
    end = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    page.get_by_label("From").fill(start)
    page.get_by_label("To").fill(end)
    page.get_by_label("Compare with the previous period").check()
    page.get_by_role("button", name="Show this range").click()
    page.wait_for_url(re.compile(rf"range=custom&from={start}&to={end}&compare=1"))
    assert "compared with" in page.locator(".range-summary").inner_text()
    page.go_back()
    page.wait_for_url(re.compile(r"range=7d$"))
    assert page.get_by_role("link", name="Last 7 days").get_attribute("aria-current") == "page"


def test_reduced_motion_and_dark_mode(browser: Any, live_server: Any) -> None:
    base = live_server.url
    _workspace_with_activity()
    page = sign_in(browser, base, "alice@acme.test")
    activity = 'canvas[data-chart="chart-activity-data"]'
    page.emulate_media(reduced_motion="reduce", color_scheme="light")
    page.goto(f"{base}/w/acme/dashboard/")
    page.wait_for_selector(f"{activity}.drawn")
    assert _chart(page, activity, "chart.options.animation") is False
    light = _chart(page, activity, "chart.options.plugins.legend.labels.color")
    # Switching the system to dark redraws the charts in the dark tokens.
    page.emulate_media(reduced_motion="reduce", color_scheme="dark")
    text = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--text').trim()")
    page.wait_for_function(
        "t => Chart.getChart(document.querySelector('canvas[data-chart=\"chart-activity-data\"]'))"
        ".options.plugins.legend.labels.color === t",
        arg=text,
    )
    assert text and text != light
