"""The share composer on a phone (390 x 844): typing updates the count (by the network's rule) and the preview,
a tapped suggestion replaces the text, going over the limit warns before anything is sent, and the page
never gets wider than the screen."""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from groundswell.content.models import Caption, Item, ItemKind, ItemState
from groundswell.rewards.actions import ensure_default_rules
from groundswell.sharing.models import Share
from groundswell.workspaces.models import Membership, Role, Workspace
from tests.e2e.test_core_loop import make_user
from tests.e2e.test_steward_phone import PHONE, sign_in_on_phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_composer_counts_previews_and_warns_on_a_phone(browser: Any, live_server: Any) -> None:
    base = live_server.url
    ws = Workspace.objects.create(name="Acme", slug="acme")
    ensure_default_rules(ws)
    make_user(ws, "alice@acme.test", Role.ADMIN)
    make_user(ws, "bob@acme.test", Role.EMPLOYEE)
    alice = Membership.objects.get(user__email="alice@acme.test")
    item = Item.objects.create(
        workspace=ws,
        kind=ItemKind.URL,
        state=ItemState.PUBLISHED,
        url="https://www.example.com/spring",
        title="Our spring launch",
        created_by=alice,
        published_at=timezone.now(),
    )
    Caption.objects.create(item=item, text="Suggested: have a look at what we built.", position=0)

    page = sign_in_on_phone(browser, base, "bob@acme.test")
    page.goto(f"{base}/w/acme/share/item/{item.pk}/")
    counter = page.locator("#caption-count")
    preview = page.locator("[data-preview-text]")

    # X: the short link counts 23 whatever its length.
    page.locator("#net-x").check()  # the whole tile is the radio button
    textarea = page.get_by_label("Your caption")
    textarea.fill("")
    textarea.press_sequentially("Hello 日本")
    assert counter.inner_text() == f"{len('Hello ') + 4 + 1 + 23} / 280"
    assert preview.inner_text().startswith("Hello 日本 ")
    assert page.locator("#composer-preview").get_attribute("data-network") == "x"
    assert "example.com" in page.locator(".link-card").inner_text()

    # Bluesky: graphemes, the link as typed; the preview follows the choice.
    page.get_by_label("Bluesky").check()
    link = f"{settings.SITE_URL}/•••••••"
    assert counter.inner_text() == f"{len('Hello 日本') + 2 + len(link)} / 300"
    assert page.locator("[data-preview-network]").inner_text() == "on Bluesky"

    # A tapped suggestion replaces the text.
    page.get_by_label(re.compile("Suggested: have a look")).check()
    assert textarea.input_value() == "Suggested: have a look at what we built."
    assert preview.inner_text().startswith("Suggested: have a look")

    # Over the limit: the counter and a warning say so, and the form is not sent.
    textarea.fill("a" * 300)
    warning = page.locator("#over-warning")
    assert warning.is_visible()
    assert re.search(r"Shorten it by \d+", warning.inner_text())
    assert "over" in (counter.get_attribute("class") or "")
    page.get_by_role("button", name="Get my share link").click()
    assert "/share/item/" in page.url and Share.objects.count() == 0
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the composer is {width}px wide on a {PHONE['width']}px phone"
    shots = os.environ.get("GS_SCREENSHOTS")
    if shots:
        page.screenshot(path=f"{shots}/composer-over.png", full_page=True)

    # Shortened: it goes through.
    textarea.fill("Short and sweet.")
    assert not warning.is_visible()
    page.get_by_role("button", name="Get my share link").click()
    page.wait_for_url(re.compile(r"/share/done/"))
    assert Share.objects.get().caption == "Short and sweet."
