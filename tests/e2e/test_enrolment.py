"""The call for interest in a real browser: an employee answers it on a phone in under a minute (chips, one
screen), and the program admin then sees them among the volunteers."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from groundswell.content.models import Topic
from groundswell.enrolment import actions
from groundswell.enrolment.models import Enrolment, Status
from groundswell.rewards.actions import ensure_default_rules
from groundswell.workspaces.models import Membership, Role, Workspace
from tests.e2e.test_core_loop import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 3}


def sign_in(browser: Any, base: str, email: str, **context: Any) -> Any:
    page = browser.new_context(**context).new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    page.wait_for_url(re.compile(r"/w/acme/"))
    return page


def test_employee_answers_the_call_on_a_phone(browser: Any, live_server: Any) -> None:
    base = live_server.url
    workspace = Workspace.objects.create(name="Acme", slug="acme")
    ensure_default_rules(workspace)
    make_user(workspace, "alice@acme.test", Role.ADMIN)
    make_user(workspace, "bob@acme.test", Role.EMPLOYEE)
    Topic.objects.create(workspace=workspace, name="Product news", slug="product")
    alice = Membership.objects.get(user__email="alice@acme.test")
    bob = Membership.objects.get(user__email="bob@acme.test")

    with override_settings(SITE_URL=base):
        actions.open_call(
            workspace=workspace,
            by=alice,
            title="Would you like to represent Acme?",
            message="We are starting an advocacy program.",
            deadline=timezone.localdate() + dt.timedelta(days=7),
            send_email=False,
        )

        # The employee, on a phone: the call is on the home page.
        phone = sign_in(browser, base, "bob@acme.test", **PHONE)
        phone.goto(f"{base}/w/acme/")
        banner = phone.locator("section.call-banner")
        assert banner.is_visible() and "Would you like to represent Acme?" in banner.inner_text()
        banner.get_by_role("link", name=re.compile("Answer")).tap()
        phone.wait_for_url(re.compile(r"/w/acme/join/$"))

        # One screen of chips: nothing overflows sideways, the buttons are big enough to tap.
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
        join_button = phone.get_by_role("button", name="Join", exact=True)
        not_now = phone.get_by_role("button", name="Not now")
        assert join_button.is_visible() and not_now.is_visible()
        box = phone.get_by_text("Answer customers", exact=True).bounding_box()
        assert box is not None and box["height"] >= 40

        phone.get_by_text("Share company content", exact=True).tap()
        phone.get_by_text("Answer customers", exact=True).tap()
        phone.get_by_text("LinkedIn", exact=True).tap()
        phone.get_by_text("Product news", exact=True).tap()
        phone.get_by_text("1 to 2 hours a week", exact=True).tap()
        phone.get_by_text("Intermediate", exact=True).tap()
        phone.get_by_text("German", exact=True).tap()
        assert phone.get_by_label("Answer customers").is_checked()
        join_button.tap()
        phone.wait_for_url(re.compile(r"/w/acme/join/done/$"))
        assert "What happens next" in phone.locator("main").inner_text()

        enrolment = Enrolment.objects.get(member=bob)
        assert enrolment.status == Status.JOINED and enrolment.hours == "1-2" and enrolment.comfort == "intermediate"
        assert enrolment.activities == ["share", "answer"] and enrolment.networks == ["linkedin"]
        assert enrolment.languages == ["de"] and [t.name for t in enrolment.topics.all()] == ["Product news"]

        # The card is gone from the home page.
        phone.goto(f"{base}/w/acme/")
        assert phone.locator("section.call-banner").count() == 0

        # The admin sees the volunteer, and can filter for customer care.
        admin = sign_in(browser, base, "alice@acme.test", viewport={"width": 1280, "height": 900})
        admin.goto(f"{base}/w/acme/join/volunteers/")
        admin.get_by_label("Activity").select_option("answer")
        admin.get_by_role("button", name="Filter").click()
        admin.wait_for_url(re.compile(r"activity=answer"))
        row = admin.locator("table.volunteers tbody tr")
        assert row.count() == 1
        text = row.first.inner_text()
        assert "Bob" in text and "Answer customers" in text and "LinkedIn" in text and "German" in text
        admin.goto(f"{base}/w/acme/join/calls/")
        assert re.search(r"1\s+Joined", admin.locator("main").inner_text())

        for page in (phone, admin):
            page.context.close()
