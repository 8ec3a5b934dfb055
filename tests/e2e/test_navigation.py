"""The navigation in a real browser: a bottom bar on a phone (no sideways scrolling), one line on a laptop."""

from __future__ import annotations

from typing import Any

import pytest

from groundswell.enrolment.actions import Answers, join
from groundswell.rewards.actions import ensure_default_rules
from groundswell.workspaces.models import Membership, Role, Workspace
from tests.e2e.test_core_loop import make_user, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_phone_bottom_bar_and_laptop_top_bar(browser: Any, live_server: Any) -> None:
    workspace = Workspace.objects.create(name="Northwind Outfitters International", slug="acme")
    ensure_default_rules(workspace)
    make_user(workspace, "alice@acme.test", Role.ADMIN)  # every section: the widest top bar
    page = sign_in(browser, live_server.url, "alice@acme.test")

    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/w/acme/content/list/")
    links = page.get_by_role("navigation", name="Main", exact=True).get_by_role("link")
    assert links.count() == 8  # Home, Share, Stories, Program, Care, Results, Admin, Me
    tops = {round(box["y"]) for box in (links.nth(i).bounding_box() for i in range(links.count())) if box}
    assert len(tops) == 1, tops  # one line
    assert not page.get_by_role("navigation", name="Main (phone)").is_visible()
    assert (
        page.get_by_role("navigation", name="Share pages")
        .get_by_role("link", name="Content")
        .get_attribute("aria-current")
        == "page"
    )

    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/w/acme/", "/w/acme/content/list/", "/w/acme/people/", "/w/acme/dashboard/"):
        page.goto(f"{live_server.url}{path}")
        bar = page.get_by_role("navigation", name="Main (phone)")
        assert bar.is_visible(), path
        assert not page.get_by_role("navigation", name="Main", exact=True).is_visible(), path
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (path, width)
        for name in ("Home", "Share", "Care", "Me"):
            box = bar.get_by_role("link", name=name, exact=True).bounding_box()
            assert box and box["height"] >= 44 and box["width"] >= 44, (name, box)
            assert box["y"] + box["height"] <= 844 + 1  # at the bottom of the screen, inside it
    bar.get_by_text("More").click()
    people = bar.get_by_role("link", name="People", exact=True)
    assert people.is_visible()
    people.click()
    page.wait_for_url("**/w/acme/people/")
    page.context.close()


def test_the_care_volunteer_gets_care_in_the_phone_bar(browser: Any, live_server: Any) -> None:
    workspace = Workspace.objects.create(name="Acme", slug="acme")
    ensure_default_rules(workspace)
    make_user(workspace, "bob@acme.test", Role.EMPLOYEE)
    join(Membership.objects.get(user__email="bob@acme.test"), Answers(activities=["answer"], languages=["en"]))
    page = sign_in(browser, live_server.url, "bob@acme.test")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/w/acme/")
    bar = page.get_by_role("navigation", name="Main (phone)")
    bar.get_by_role("link", name="Care", exact=True).click()
    page.wait_for_url("**/w/acme/care/")
    assert bar.get_by_role("link", name="Care", exact=True).get_attribute("aria-current") == "true"
    page.context.close()
