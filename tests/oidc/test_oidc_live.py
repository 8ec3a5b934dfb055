"""Single sign-on against a real OpenID Connect provider (node oidc-provider on loopback).

The Django test client cannot follow redirects to another server, so ``OidcProvider.sign_in`` plays the
browser at the provider (its real sign-in form) and hands back the callback URL; one test runs the whole
round trip over HTTP between Django's live server and the provider with httpx.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

import httpx
import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from groundswell.conftest import make_member
from groundswell.sso import actions
from groundswell.sso.models import SsoConfig
from groundswell.sso.tests.helpers import idp_url
from groundswell.workspaces import actions as ws_actions
from groundswell.workspaces.models import Membership, Role, Workspace

from .server import OidcProvider

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("oidc")]

CALLBACK_PREFIX = "http://testserver/accounts/oidc/"


def configure(
    workspace: Workspace, provider: OidcProvider, *, jit: bool = True, domains: str = "sso.test"
) -> SsoConfig:
    return actions.save_sso_config(
        workspace,
        actions.SsoSettings(
            protocol="oidc",
            is_enabled=True,
            require_sso=False,
            jit_provisioning=jit,
            domains=domains.split(","),
            oidc_issuer=provider.issuer,
            oidc_client_id=provider.client_id,
            oidc_client_secret=provider.client_secret,
        ),
        by=None,
    )


def emailed_sign_in_page(email: str) -> tuple[str, dict[str, str]]:
    """The path of the sign-in page emailed to ``email`` by /sso/, and the form data its button posts."""
    for message in reversed(mail.outbox):
        found = re.search(r"https?://[^/\s]+(/w/[^/\s]+/sso/login/)\?email=(\S+)", message.body)
        if message.to == [email] and found:
            return found.group(1), {"email": unquote(found.group(2))}
    raise AssertionError(f"no sign-in link was emailed to {email}")


def sign_in(client: Client, provider: OidcProvider, email: str, *, start: str = "/sso/") -> tuple[object, str]:
    """Start at ``start`` (the email page or a workspace's SSO page), sign in at the provider, come back."""
    data: dict[str, str] = {}
    if start == "/sso/":  # the email page answers "check your email"; the mailbox has the workspace's page
        assert "Check your email" in client.post(start, {"email": email}).content.decode()
        start, data = emailed_sign_in_page(email)
    authorize = idp_url(client.post(start, data))
    assert authorize.startswith(provider.issuer + "/auth?"), authorize
    callback = provider.sign_in(authorize, email, provider.users[email]["password"], until=CALLBACK_PREFIX)
    parts = urlsplit(callback)
    return client.get(f"{parts.path}?{parts.query}"), authorize


def test_the_issuer_is_checked_through_its_discovery_document(
    workspace: Workspace, oidc_provider: OidcProvider
) -> None:
    config = configure(workspace, oidc_provider)
    assert config.oidc_issuer == oidc_provider.issuer
    stored = SsoConfig.objects.values_list("oidc_client_secret", flat=True).get(pk=config.pk)
    assert stored == oidc_provider.client_secret  # decrypted for Python…
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT oidc_client_secret FROM sso_ssoconfig WHERE id = %s", [config.pk])
        raw = cur.fetchone()[0]
    assert raw and oidc_provider.client_secret not in raw  # …encrypted at rest

    from django.core.exceptions import ValidationError

    # The provider names itself 127.0.0.1: an issuer typed as localhost is refused with what to enter.
    with pytest.raises(ValidationError, match="calls itself"):
        actions.save_sso_config(
            workspace,
            actions.SsoSettings(
                protocol="oidc",
                is_enabled=True,
                require_sso=False,
                jit_provisioning=True,
                domains=["sso.test"],
                oidc_issuer=oidc_provider.issuer.replace("127.0.0.1", "localhost"),
                oidc_client_id="x",
                oidc_client_secret="y",
            ),
            by=None,
        )


def test_first_sign_in_provisions_an_employee_with_department(
    workspace: Workspace, oidc_provider: OidcProvider
) -> None:
    configure(workspace, oidc_provider)
    client = Client()
    resp, authorize = sign_in(client, oidc_provider, "dana@sso.test")
    assert "login_hint=dana%40sso.test" in authorize
    assert "code_challenge=" in authorize  # PKCE
    assert resp.status_code == 302 and resp["Location"] == "/w/acme/", resp.content[:500]
    user = get_user_model().objects.get(email="dana@sso.test")
    member = Membership.objects.get(workspace=workspace, user=user)
    assert member.role == Role.EMPLOYEE and member.is_active
    assert member.display_name == "Dana Scully"
    assert member.department is not None and member.department.name == "Research"
    account = SocialAccount.objects.get(user=user)
    assert account.provider == f"ws{workspace.pk}-oidc" and account.uid == "dana@sso.test"
    assert client.get("/w/acme/").status_code == 200

    # The second sign-in finds the linked identity: same user, no second membership.
    client2 = Client()
    resp, _ = sign_in(client2, oidc_provider, "dana@sso.test")
    assert resp.status_code == 302 and resp["Location"] == "/w/acme/"
    assert get_user_model().objects.filter(email="dana@sso.test").count() == 1
    assert Membership.objects.filter(user=user).count() == 1


def test_domain_not_allowed_gets_a_clear_refusal(workspace: Workspace, oidc_provider: OidcProvider) -> None:
    configure(workspace, oidc_provider)
    client = Client()
    # The email page answers as for any domain (ADR 0024), and sends nothing…
    resp = client.post("/sso/", {"email": "fred@other.test"})
    assert resp.status_code == 200 and "Check your email" in resp.content.decode()
    assert mail.outbox == []
    # …and someone of another domain signing in at Acme's IdP is refused after it answers.
    resp, _ = sign_in(client, oidc_provider, "fred@other.test", start="/w/acme/sso/login/")
    text = resp.content.decode()
    assert resp.status_code == 403
    assert "fred@other.test is not in one of the email domains that sign in to Acme" in text
    assert not get_user_model().objects.filter(email="fred@other.test").exists()
    assert not SocialAccount.objects.exists()


def test_unverified_email_is_refused(workspace: Workspace, oidc_provider: OidcProvider) -> None:
    configure(workspace, oidc_provider)
    resp, _ = sign_in(Client(), oidc_provider, "vic@sso.test")
    assert resp.status_code == 403
    assert "says vic@sso.test is not verified" in resp.content.decode()
    assert not get_user_model().objects.filter(email="vic@sso.test").exists()


def test_existing_member_with_the_same_email_is_linked(workspace: Workspace, oidc_provider: OidcProvider) -> None:
    bob = make_member(workspace, "bob@acme.test", Role.MANAGER)
    configure(workspace, oidc_provider, domains="sso.test,acme.test")
    resp, _ = sign_in(Client(), oidc_provider, "bob@acme.test")
    assert resp.status_code == 302 and resp["Location"] == "/w/acme/"
    account = SocialAccount.objects.get()
    assert account.user_id == bob.user_id
    bob.refresh_from_db()
    assert bob.role == Role.MANAGER  # unchanged: linking is not provisioning
    assert get_user_model().objects.filter(email__iexact="bob@acme.test").count() == 1


def test_account_of_another_workspace_is_not_taken_over(
    workspace: Workspace, other_workspace: Workspace, oidc_provider: OidcProvider
) -> None:
    """Acme's IdP asserts bob@acme.test, but that account is also Globex's member: no link, no login."""
    make_member(other_workspace, "bob@acme.test", Role.ADMIN)
    configure(workspace, oidc_provider, domains="acme.test")
    resp, _ = sign_in(Client(), oidc_provider, "bob@acme.test")
    assert resp.status_code == 403
    assert "also belongs to another workspace" in resp.content.decode()
    assert not SocialAccount.objects.exists()


def test_without_jit_only_invited_people_get_in(
    workspace: Workspace, alice: Membership, oidc_provider: OidcProvider
) -> None:
    configure(workspace, oidc_provider, jit=False)
    resp, _ = sign_in(Client(), oidc_provider, "dana@sso.test")
    assert resp.status_code == 403
    assert "Acme adds people by invitation only" in resp.content.decode()
    assert not get_user_model().objects.filter(email="dana@sso.test").exists()

    # The invitation flow keeps working: accept the link, then sign in through SSO instead of a password.
    result = ws_actions.invite_member(workspace, email="erin@sso.test", invited_by=alice, role=Role.MANAGER, send=False)
    client = Client()
    assert client.get(f"/invite/{result.token}/").status_code == 302
    resp, _ = sign_in(client, oidc_provider, "erin@sso.test")
    assert resp.status_code == 302 and resp["Location"] == "/w/acme/"
    erin = Membership.objects.get(workspace=workspace, user__email="erin@sso.test")
    assert erin.role == Role.MANAGER  # from the invitation, not JIT's employee


@pytest.mark.django_db(transaction=True)
def test_round_trip_over_http_with_the_live_server(live_server: object, oidc_provider: OidcProvider) -> None:
    """Django's live server and the provider, a real HTTP client following every redirect between them."""
    workspace = Workspace.objects.create(name="Acme", slug="acme")
    from groundswell.rewards.actions import ensure_default_rules

    ensure_default_rules(workspace)
    configure(workspace, oidc_provider)
    base = str(live_server.url)  # type: ignore[attr-defined]
    with httpx.Client(timeout=20, follow_redirects=True) as browser:
        page = browser.get(f"{base}/sso/")
        assert page.status_code == 200 and "Sign in with SSO" in page.text
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert csrf
        sent = browser.post(
            f"{base}/sso/",
            data={"email": "dana@sso.test", "csrfmiddlewaretoken": csrf.group(1)},
            headers={"Referer": f"{base}/sso/"},
        )
        assert "Check your email" in sent.text
        path, data = emailed_sign_in_page("dana@sso.test")
        page = browser.get(f"{base}{path}", params=data)
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert csrf and 'name="email" value="dana@sso.test"' in page.text
        continue_page = browser.post(
            f"{base}{path}",
            data={**data, "csrfmiddlewaretoken": csrf.group(1)},
            headers={"Referer": f"{base}{path}"},
        )
        assert "Signing in to Acme" in continue_page.text
        login_form = browser.get(idp_url(continue_page))
        assert str(login_form.url).startswith(oidc_provider.issuer + "/interaction/"), login_form.url
        assert "Test identity provider" in login_form.text
        action = re.search(r'action="([^"]+)"', login_form.text)
        assert action
        wrong = browser.post(
            oidc_provider.issuer + action.group(1), data={"login": "dana@sso.test", "password": "nope"}
        )
        assert wrong.status_code == 401 and "Wrong email or password" in wrong.text
        home = browser.post(
            oidc_provider.issuer + action.group(1), data={"login": "dana@sso.test", "password": "dana-pass-1"}
        )
        assert home.status_code == 200, home.text[:500]
        assert str(home.url) == f"{base}/w/acme/"
        assert "Acme" in home.text
    assert Membership.objects.filter(workspace=workspace, user__email="dana@sso.test", is_active=True).exists()
