"""The core loop in a real browser: an admin publishes an item, an employee shares it (the intent link is
captured, not followed: tests reach nothing beyond loopback), a visitor opens the tracked link, the employee
sees the click and points, and the admin sees goal progress move."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.test import override_settings
from django.utils import timezone

from groundswell.content.models import Item
from groundswell.goals.models import Goal, Metric
from groundswell.lib.periods import period_start
from groundswell.links.buffer import get_buffer
from groundswell.rewards.actions import ensure_default_rules
from groundswell.sharing.models import Share
from groundswell.workspaces.models import Role, Workspace

PASSWORD = "correct horse battery"
HUMAN_UA = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def make_user(workspace: Workspace, email: str, role: str) -> None:
    from django.contrib.auth import get_user_model

    from groundswell.workspaces.models import Membership

    user = get_user_model().objects.create_user(username=email, email=email, password=PASSWORD)
    Membership.objects.create(workspace=workspace, user=user, role=role, display_name=email.split("@")[0].title())


def sign_in(browser: Any, base: str, email: str) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    page.wait_for_url(re.compile(r"/w/acme/"))
    return page


def test_publish_share_click_points_goal(browser: Any, live_server: Any) -> None:
    base = live_server.url
    workspace = Workspace.objects.create(name="Acme", slug="acme")
    ensure_default_rules(workspace)
    make_user(workspace, "alice@acme.test", Role.ADMIN)
    make_user(workspace, "bob@acme.test", Role.EMPLOYEE)
    today = timezone.localdate()
    Goal.objects.create(
        workspace=workspace,
        name="Clicks this quarter",
        metric=Metric.CLICKS,
        target=4,
        period="q",
        period_start=period_start("q", today),
    )
    landing = f"{base}/healthz?from=launch"

    with override_settings(SITE_URL=base):
        # 1. The admin publishes an item.
        admin = sign_in(browser, base, "alice@acme.test")
        admin.goto(f"{base}/w/acme/content/new/")
        admin.get_by_role("textbox", name="Link").fill(landing)
        admin.get_by_role("textbox", name="Title").fill("Our spring launch")
        admin.get_by_label("Suggested caption").first.fill("We just launched something good.")
        admin.get_by_role("button", name="Publish now").click()
        admin.wait_for_load_state()
        item = Item.objects.get(workspace=workspace)
        assert item.state == "published"

        # 2. The employee finds it, edits the caption in their own voice and shares on LinkedIn.
        employee = sign_in(browser, base, "bob@acme.test")
        employee.goto(f"{base}/w/acme/content/list/")
        employee.get_by_role("link", name=re.compile("Our spring launch")).first.click()
        employee.locator("main").get_by_role("link", name=re.compile(r"^Share", re.I)).first.click()
        employee.get_by_label("LinkedIn").check()
        employee.get_by_label(re.compile("caption", re.I)).first.fill("Proud of my team: we just launched this.")
        employee.get_by_role("button", name="Get my share link").click()
        employee.wait_for_url(re.compile(r"/share/done/"))

        intent = employee.get_by_role("link", name=re.compile("Open LinkedIn")).get_attribute("href")
        assert intent and intent.startswith("https://www.linkedin.com/feed/?")
        short_link = employee.locator("#short-link").input_value()
        share = Share.objects.get(member__user__email="bob@acme.test")
        assert short_link == f"{base}/{share.code}"
        intent_text = parse_qs(urlsplit(intent).query)["text"][0]
        assert "Proud of my team" in unquote(intent_text) and short_link in intent_text

        # 3. Someone in the employee's network opens the tracked link.
        # (Headless Chromium announces itself as HeadlessChrome, which we rightly count as a bot.)
        visitor = browser.new_context(user_agent=HUMAN_UA).new_page()
        response = visitor.goto(short_link)
        assert response is not None and response.ok
        landed = urlsplit(visitor.url)
        query = parse_qs(landed.query)
        assert landed.path == "/healthz" and query["from"] == ["launch"]
        assert query["utm_source"] == ["linkedin"] and query["utm_content"] == [share.code]
        assert get_buffer().flush() >= 1  # the background flusher would do this within a second

        # 4. The employee sees the click and the points (10 for the share + 2 for the unique click).
        employee.goto(f"{base}/w/acme/")
        home = employee.locator("main").inner_text()
        assert re.search(r"\b12\b", home), home
        employee.goto(f"{base}/w/acme/share/mine/")
        assert re.search(r"\b1\b", employee.locator("main").inner_text())

        # 5. The admin sees the goal move: 1 of 4 clicks.
        admin.goto(f"{base}/w/acme/program/")
        program = admin.locator("main").inner_text()
        assert "Clicks this quarter" in program
        assert re.search(r"\b1\b[^\n]*\b4\b", program), program
        assert admin.locator("progress").first.get_attribute("value") in {"1", "25", "25.0"}

        # The phone layout of the employee home is usable too.
        employee.set_viewport_size({"width": 390, "height": 844})
        employee.goto(f"{base}/w/acme/")
        bar = employee.get_by_role("navigation", name="Main (phone)")
        assert bar.get_by_role("link", name="Share").is_visible()
        bar.get_by_text("More").click()
        assert bar.get_by_role("link", name="Leaderboard").is_visible()

        for page in (admin, employee, visitor):
            page.context.close()  # no request may still be in flight when the live server stops
