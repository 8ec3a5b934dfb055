"""Layout under hostile data: a 300-character unbroken title, a 10,000-character body and a long error never
widen the page (no sideways scroll) on a phone (390x844) or a laptop (1366x900). Badges stay pills."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from groundswell.analytics.tests.helpers import publish, share_with_clicks
from groundswell.care import actions as care_actions
from groundswell.care.tests.conftest import make_post, volunteer
from groundswell.content.models import Item, ItemKind, ItemState, Topic
from groundswell.listening.models import Source, SourceKind, TopicKind
from groundswell.listening.models import Topic as ListeningTopic
from groundswell.rewards.actions import ensure_default_rules
from groundswell.workspaces.models import Membership, Role, Workspace
from tests.e2e.test_core_loop import make_user, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_WORD = "x" * 300
SIZES = [(390, 844), (1366, 900)]


def _hostile_data(workspace: Workspace) -> Item:
    alice = Membership.objects.get(user__email="alice@acme.test")
    topic = Topic.objects.create(workspace=workspace, name="Product launches and announcements", slug="launches")
    item = Item.objects.create(
        workspace=workspace,
        kind=ItemKind.URL,
        state=ItemState.PUBLISHED,
        url="https://example.com/" + "a" * 400,
        title=LONG_WORD,
        description="d" * 2000,
        body="b" * 10_000,
        unfurl_state="failed",
        unfurl_error="e" * 300,
        created_by=alice,
        published_at=timezone.now(),
    )
    item.topics.add(topic)
    Item.objects.create(
        workspace=workspace,
        kind=ItemKind.TEXT,
        state=ItemState.PUBLISHED,
        body="Short and sweet",
        created_by=alice,
        published_at=timezone.now(),
    )
    brand = ListeningTopic.objects.create(workspace=workspace, name="N" * 120, kind=TopicKind.BRAND, query="n")
    source = Source.objects.create(workspace=workspace, kind=SourceKind.MASTODON, name="Mastodon search")
    volunteer(Membership.objects.get(user__email="bob@acme.test"))
    care_actions.open_cases_for(make_post(source, [brand], text="q" * 10_000)[1])
    return item


def _no_sideways_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_long_unbroken_text_never_widens_the_page(browser: Any, live_server: Any) -> None:
    base = live_server.url
    workspace = Workspace.objects.create(name="Acme", slug="acme")
    ensure_default_rules(workspace)
    make_user(workspace, "alice@acme.test", Role.ADMIN)
    make_user(workspace, "bob@acme.test", Role.EMPLOYEE)
    item = _hostile_data(workspace)
    page = sign_in(browser, base, "alice@acme.test")
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        for path in ("/w/acme/content/list/", f"/w/acme/content/{item.pk}/", "/w/acme/care/queue/"):
            response = page.goto(base + path)
            assert response is not None and response.status == 200, path
            assert _no_sideways_scroll(page), (width, path, page.evaluate("document.documentElement.scrollWidth"))
        # Badges are pills sized to their text, not bars across the card; long titles are clamped.
        page.goto(base + "/w/acme/content/list/")
        card = page.locator(".item-card").first.bounding_box()
        for badge in page.locator(".item-card .badge").all():
            box = badge.bounding_box()
            assert box["width"] < card["width"] * 0.8, (width, badge.inner_text(), box)
        title = page.locator(".item-card .item-title").first.bounding_box()
        assert title["height"] < 120, title


def test_dashboard_and_people_fit_a_laptop(browser: Any, live_server: Any) -> None:
    base = live_server.url
    workspace = Workspace.objects.create(name="Acme", slug="acme")
    ensure_default_rules(workspace)
    make_user(workspace, "alice@acme.test", Role.ADMIN)
    for n in range(3):
        make_user(workspace, f"employee{n}@acme.test", Role.EMPLOYEE)
    alice = Membership.objects.get(user__email="alice@acme.test")
    item = publish(workspace, "A launch", alice)
    for n in range(3):
        share_with_clicks(Membership.objects.get(user__email=f"employee{n}@acme.test"), item, 3 + n)
    page = sign_in(browser, base, "alice@acme.test")
    page.set_viewport_size({"width": 1366, "height": 900})

    page.goto(f"{base}/w/acme/dashboard/")
    # The breakdown charts are drawn by Chart.js (charts.js) as wide as their column, with >= 12 px labels.
    page.wait_for_selector(".breakdowns canvas.drawn")
    charts = page.locator(".breakdowns canvas.drawn").all()
    assert len(charts) >= 1
    for chart in charts:
        assert chart.bounding_box()["width"] >= 677
        assert chart.evaluate("c => Chart.getChart(c).options.scales.y.ticks.font.size") >= 12
    by_network = page.locator(".breakdowns .table-wrap").last
    assert by_network.evaluate("e => e.scrollWidth <= e.clientWidth + 1")  # the whole table shows
    tops = page.eval_on_selector_all(".kpis .stat", "els => els.map(e => Math.round(e.getBoundingClientRect().top))")
    rows = [tops.count(t) for t in sorted(set(tops))]
    assert rows == [4, 3], rows  # seven KPIs, balanced: never one alone on a row
    values = page.locator(".kpis .stat .value").all()
    assert all(v.evaluate("e => getComputedStyle(e).whiteSpace") == "nowrap" for v in values)
    assert _no_sideways_scroll(page)

    page.goto(f"{base}/w/acme/people/")
    table = page.locator(".table-wrap").first.bounding_box()
    for edit in page.get_by_role("link", name="Edit", exact=False).all():
        box = edit.bounding_box()
        assert box["x"] + box["width"] <= table["x"] + table["width"], box  # not clipped by the scroll box
    form = page.locator("form.filters").bounding_box()
    for field in page.locator("form.filters select, form.filters input").all():
        box = field.bounding_box()
        assert box["x"] + box["width"] <= form["x"] + form["width"] + 1, box
        assert field.evaluate("e => e.scrollWidth <= e.clientWidth + 1")  # the text of a select is not cut
    assert _no_sideways_scroll(page)


def test_an_admins_eight_sections_never_widen_the_page_between_phone_and_laptop(browser: Any, live_server: Any) -> None:
    """From the phone layout's end (641 px) to a laptop, the admin's top bar (Home, Share, Stories, Program,
    Care, Results, Admin, Me) tightens, and scrolls inside itself rather than widening the page."""
    base = live_server.url
    workspace = Workspace.objects.create(name="Northwind Outfitters International", slug="acme")
    make_user(workspace, "alice@acme.test", Role.ADMIN)
    page = sign_in(browser, base, "alice@acme.test")
    for width in (641, 700, 800, 900, 1000, 1100):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{base}/w/acme/")
        assert _no_sideways_scroll(page), width
        assert (
            page.get_by_role("navigation", name="Main", exact=True).get_by_role("link", name="Me", exact=True).count()
            == 1
        )
    page.context.close()
