"""A steward on a phone: sees the hand-over note when the shift starts, writes a post for the company account,
and reads why the admin did not approve it. Nothing overflows the narrow screen."""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import Any

import pytest
from django.utils import timezone

from groundswell.networks.accounts import connect_for_workspace
from groundswell.networks.base import TokenSet
from groundswell.rewards.actions import ensure_default_rules
from groundswell.stewards import actions
from groundswell.stewards.models import BrandAccount, BrandPost
from groundswell.workspaces.models import Membership, Role, Workspace
from tests.e2e.test_core_loop import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def sign_in_on_phone(browser: Any, base: str, email: str) -> Any:
    page = browser.new_context(viewport=PHONE).new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    page.wait_for_url(re.compile(r"/w/acme/"))
    return page


def assert_fits(page: Any, what: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{what}: the page is {width}px wide on a {PHONE['width']}px phone"
    shots = os.environ.get("GS_SCREENSHOTS")
    if shots:
        page.screenshot(path=f"{shots}/{what}.png", full_page=True)


def test_steward_on_a_phone(browser: Any, live_server: Any) -> None:
    base = live_server.url
    ws = Workspace.objects.create(name="Acme", slug="acme")
    ensure_default_rules(ws)
    for email, role in (
        ("alice@acme.test", Role.ADMIN),
        ("bob@acme.test", Role.EMPLOYEE),
        ("dana@acme.test", Role.EMPLOYEE),
    ):
        make_user(ws, email, role)
    alice, bob, dana = (Membership.objects.get(user__email=f"{n}@acme.test") for n in ("alice", "bob", "dana"))
    account = connect_for_workspace(
        alice, "bluesky", TokenSet(access_token="unused", remote_id="did:plc:acme", handle="acme.bsky.example")
    )
    brand = BrandAccount.objects.get(account=account)
    actions.set_require_approval(brand, True)  # nothing is delivered anywhere in this test
    now = timezone.now()
    before = now - dt.timedelta(days=10)
    dana_shift = actions.assign_shift(
        brand=brand,
        steward=dana,
        starts_at=now - dt.timedelta(days=7),
        ends_at=now - dt.timedelta(hours=1),
        by=alice,
        now=before,
    )
    actions.write_handover(dana_shift, dana, "The Friday product post does best. Two replies are still open.")
    actions.assign_shift(
        brand=brand,
        steward=bob,
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(days=7),
        by=alice,
        now=before,
    )

    page = sign_in_on_phone(browser, base, "bob@acme.test")
    page.goto(f"{base}/w/acme/brand/shifts/")
    main = page.locator("main")
    assert "On shift now" in main.inner_text()
    assert "The Friday product post does best." in main.inner_text()
    assert_fits(page, "my-shifts")

    page.get_by_role("link", name="Write a post").click()
    page.get_by_label("Post").fill("")
    page.get_by_role("button", name="Send for approval").click()
    assert "Write the post first." in page.locator("main").inner_text()
    page.get_by_label("Post").fill("Our winter range is in stores today ❄️")
    page.get_by_label("Link (optional)").fill("https://acme.example/winter")
    page.get_by_role("button", name="Send for approval").click()
    page.wait_for_url(re.compile(rf"/w/acme/brand/{brand.pk}/$"))
    assert "Waiting for approval" in page.locator("main").inner_text()
    assert_fits(page, "account")

    admin = sign_in_on_phone(browser, base, "alice@acme.test")
    admin.goto(f"{base}/w/acme/brand/review/")
    assert_fits(admin, "review")
    admin.get_by_label(re.compile("Reason")).fill("Let's wait for the photos from the shoot.")
    admin.get_by_role("button", name="Reject").click()
    assert "Nothing to review" in admin.locator("main").inner_text()
    admin.goto(f"{base}/w/acme/brand/")
    assert_fits(admin, "accounts")

    page.reload()
    text = page.locator("main").inner_text()
    assert "Not approved" in text and "Let's wait for the photos from the shoot." in text
    assert BrandPost.objects.get().status == "rejected"
    page.context.close()
    admin.context.close()
