"""Single sign-on in a real browser: the program admin sets up OpenID Connect on the SSO page, then an
employee who has never used Groundswell signs in through the provider's own sign-in form (node
oidc-provider on loopback) and lands on the workspace home, provisioned just in time."""

from __future__ import annotations

import re
from typing import Any

import pytest

from groundswell.rewards.actions import ensure_default_rules
from groundswell.sso.models import SsoConfig
from groundswell.workspaces.models import Membership, Role, Workspace
from tests.oidc.server import OidcProvider, oidc_provider  # noqa: F401  (fixture)

PASSWORD = "correct horse battery"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.xdist_group("oidc"),
    pytest.mark.django_db(transaction=True),
]


def test_admin_sets_up_oidc_and_an_employee_signs_in(
    browser: Any,
    live_server: Any,
    oidc_provider: OidcProvider,  # noqa: F811
) -> None:
    from django.contrib.auth import get_user_model

    base = live_server.url
    workspace = Workspace.objects.create(name="Acme", slug="acme")
    ensure_default_rules(workspace)
    user = get_user_model().objects.create_user(username="alice@acme.test", email="alice@acme.test", password=PASSWORD)
    Membership.objects.create(workspace=workspace, user=user, role=Role.ADMIN, display_name="Alice")

    admin = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    admin.goto(f"{base}/accounts/login/")
    admin.get_by_label("Email").fill("alice@acme.test")
    admin.get_by_label("Password").fill(PASSWORD)
    admin.get_by_role("button", name=re.compile("^sign in$", re.I)).click()
    admin.wait_for_url(re.compile(r"/w/acme/"))
    admin.goto(f"{base}/w/acme/sso/")
    admin.get_by_label("OpenID Connect").check()
    admin.get_by_label("Allowed email domains").fill("sso.test")
    admin.get_by_label("Issuer URL").fill(oidc_provider.issuer)
    admin.get_by_label("Client id").fill(oidc_provider.client_id)
    admin.get_by_label("Client secret").fill(oidc_provider.client_secret)
    admin.get_by_label("Offer “Sign in with SSO”").check()
    admin.get_by_role("button", name="Save single sign-on").click()
    admin.wait_for_selector("text=Single sign-on is on.")
    assert SsoConfig.objects.get(workspace=workspace).is_enabled

    # An employee on a phone: the sign-in page → Sign in with SSO → work email → the IdP → the workspace.
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_role("link", name="Sign in with SSO").click()
    page.get_by_label("Work email").fill("dana@sso.test")
    page.get_by_role("button", name="Continue").click()
    # The page says the same for every domain (ADR 0024); the mailbox gets the workspace's sign-in page.
    page.wait_for_selector("text=Check your email")
    from django.core import mail

    link = re.search(r"https?://[^/\s]+(/w/acme/sso/login/)", mail.outbox[-1].body)
    assert link, mail.outbox[-1].body
    page.goto(base + link.group(1))
    page.get_by_role("button", name="Sign in with SSO").click()
    page.wait_for_url(re.compile(re.escape(oidc_provider.issuer) + r"/interaction/"))
    page.get_by_label("Email").fill("dana@sso.test")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("text=Wrong email or password.")
    page.get_by_label("Email").fill("dana@sso.test")
    page.get_by_label("Password").fill("dana-pass-1")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/w/acme/")
    assert "Acme" in page.content()
    member = Membership.objects.get(workspace=workspace, user__email="dana@sso.test")
    assert member.role == Role.EMPLOYEE and member.department is not None and member.department.name == "Research"
