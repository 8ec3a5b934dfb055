"""The invitation flow through allauth: sign-up, log-in, already signed in, and unusable links."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groundswell.conftest import client_for
from groundswell.workspaces import actions
from groundswell.workspaces.models import Department, Invitation, Membership, Role, Workspace

User = get_user_model()
pytestmark = pytest.mark.django_db
PASSWORD = "a-long-unusual-passphrase-42"


def invite(workspace: Workspace, by: Membership, email: str = "dave@acme.test", **kw: object) -> str:
    return actions.invite_member(workspace, email=email, invited_by=by, **kw).token  # type: ignore[arg-type]


def test_signup_is_closed_without_invitation(workspace: Workspace) -> None:
    c = Client()
    resp = c.get(reverse("account_signup"))
    assert "Sign-up is by invitation" in resp.content.decode()
    c.post(reverse("account_signup"), {"email": "eve@evil.test", "password1": PASSWORD, "password2": PASSWORD})
    assert not User.objects.filter(email="eve@evil.test").exists()


def test_signup_open_when_configured(workspace: Workspace, settings: object) -> None:
    settings.GROUNDSWELL_OPEN_SIGNUP = True  # type: ignore[attr-defined]
    resp = Client().get(reverse("account_signup"))
    assert resp.status_code == 200 and "Create your account" in resp.content.decode()


def test_new_person_signs_up_through_invitation(workspace: Workspace, alice: Membership, sales: Department) -> None:
    token = invite(workspace, alice, role=Role.MANAGER, department=sales)
    c = Client()
    resp = c.get(f"/invite/{token}/")
    assert resp.status_code == 302
    assert resp["Location"].startswith(reverse("account_signup"))
    assert "email=dave%40acme.test" in resp["Location"]
    page = c.get(resp["Location"])
    assert page.status_code == 200 and 'value="dave@acme.test"' in page.content.decode()
    resp = c.post(
        resp["Location"],
        {"email": "dave@acme.test", "password1": PASSWORD, "password2": PASSWORD, "next": "/w/acme/"},
    )
    assert resp.status_code == 302, resp.content.decode()[:2000]
    assert resp["Location"] == "/w/acme/"
    member = Membership.objects.get(workspace=workspace, user__email="dave@acme.test")
    assert (member.role, member.department) == (Role.MANAGER, sales)
    assert Invitation.objects.get().accepted_at is not None
    assert c.get("/w/acme/").status_code == 200
    # The invitation link proved the mailbox: the address counts as verified.
    from allauth.account.models import EmailAddress

    assert EmailAddress.objects.get(email="dave@acme.test").verified
    # The session no longer opens sign-up.
    c.logout()
    assert "Sign-up is by invitation" in c.get(reverse("account_signup")).content.decode()


def test_existing_account_is_sent_to_login_and_confirms(
    workspace: Workspace, alice: Membership, charlie: Membership
) -> None:
    """ADR 0024: an account of another workspace joins only by its owner's POST on the invitation page."""
    token = invite(workspace, alice, email="charlie@globex.test")
    c = Client()
    resp = c.get(f"/invite/{token}/")
    assert resp["Location"] == reverse("account_login") + f"?next=%2Finvite%2F{token}%2F"
    resp = c.post(
        reverse("account_login") + f"?next=/invite/{token}/",
        {"login": "charlie@globex.test", "password": "correct horse battery", "next": f"/invite/{token}/"},
    )
    assert resp.status_code == 302 and resp["Location"] == f"/invite/{token}/"
    assert not Membership.objects.filter(workspace=workspace, user=charlie.user).exists()  # not by signing in
    page = c.get(f"/invite/{token}/")
    assert page.status_code == 200 and "Join Acme?" in page.content.decode()
    resp = c.post(f"/invite/{token}/")
    assert resp.status_code == 302 and resp["Location"] == "/w/acme/"
    assert Membership.objects.filter(workspace=workspace, user=charlie.user, is_active=True).exists()
    # Now in two workspaces: the front door shows the picker.
    picker = c.get("/")
    assert picker.status_code == 200 and "Acme" in picker.content.decode() and "Globex" in picker.content.decode()


def test_signed_in_person_confirms_with_a_post(workspace: Workspace, alice: Membership, charlie: Membership) -> None:
    token = invite(workspace, alice, email="charlie@globex.test")
    c = client_for(charlie)
    page = c.get(f"/invite/{token}/")  # a link (or a page that makes the browser open it) joins nobody
    assert page.status_code == 200 and 'method="post"' in page.content.decode()
    assert not Membership.objects.filter(workspace=workspace, user=charlie.user).exists()
    resp = c.post(f"/invite/{token}/")
    assert resp.status_code == 302 and resp["Location"] == "/w/acme/"
    assert Membership.objects.filter(workspace=workspace, user=charlie.user, is_active=True).exists()


@pytest.mark.parametrize("state", ["expired", "revoked", "used", "unknown", "replaced"])
def test_unusable_links_show_a_friendly_page(
    workspace: Workspace, alice: Membership, bob: Membership, state: str
) -> None:
    token = invite(workspace, alice)
    inv = Invitation.objects.get()
    if state == "expired":
        Invitation.objects.update(expires_at=timezone.now() - timedelta(hours=1))
    elif state == "revoked":
        actions.revoke_invitation(inv)
    elif state == "used":
        actions.accept_invitation(inv, User.objects.create_user(username="d", email="dave@acme.test"))
    elif state == "unknown":
        token = "definitely-not-a-token"
    elif state == "replaced":
        invite(workspace, alice)  # refresh: the first link stops working
    for c in (Client(), client_for(bob)):
        resp = c.get(f"/invite/{token}/")
        assert resp.status_code == 404
        html = resp.content.decode()
        assert "This invitation can" in html and "Ask the person who invited you" in html
    assert Membership.objects.filter(workspace=workspace).count() == 2 + (state == "used")


def test_invitation_revoked_after_remembering_does_not_join(workspace: Workspace, alice: Membership) -> None:
    token = invite(workspace, alice)
    c = Client()
    c.get(f"/invite/{token}/")
    actions.revoke_invitation(Invitation.objects.get())
    c.post(
        reverse("account_signup"),
        {"email": "dave@acme.test", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert not User.objects.filter(email="dave@acme.test").exists()
    assert not Membership.objects.filter(user__email="dave@acme.test").exists()


def test_login_without_invitation_lands_on_front_door(workspace: Workspace, bob: Membership) -> None:
    resp = Client().post(reverse("account_login"), {"login": "bob@acme.test", "password": "correct horse battery"})
    assert resp.status_code == 302 and resp["Location"] == "/"


def test_auth_pages_render_in_product_layout(workspace: Workspace) -> None:
    c = Client()
    for name in ("account_login", "account_reset_password", "account_signup"):
        html = c.get(reverse(name)).content.decode()
        assert "groundswell/app.css" in html and "style=" not in html, name


def test_signed_in_under_another_address_confirms_first(
    workspace: Workspace, alice: Membership, charlie: Membership
) -> None:
    token = invite(workspace, alice, email="charlie.personal@example.test")
    c = client_for(charlie)
    resp = c.get(f"/invite/{token}/")
    assert resp.status_code == 200 and "Join as charlie@globex.test" in resp.content.decode()
    assert not Membership.objects.filter(workspace=workspace, user=charlie.user).exists()
    resp = c.post(f"/invite/{token}/")
    assert resp.status_code == 302 and resp["Location"] == "/w/acme/"
    assert Membership.objects.filter(workspace=workspace, user=charlie.user, is_active=True).exists()
