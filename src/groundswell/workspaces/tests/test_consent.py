"""ADR 0024: one workspace never attaches, activates or locks an account that belongs to another one.

The whole attack of issue 10 first (SCIM provisioning + "Require SSO"), then the other ways a membership is
made: SCIM lifecycle, invitations, the CSV import, just-in-time SSO and open sign-up.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from groundswell.conftest import client_for, make_member
from groundswell.scim import actions as scim_actions
from groundswell.scim.tests.conftest import ScimClient, new_user
from groundswell.sso.tests import saml_idp
from groundswell.sso.tests.test_saml import browser, configure, saml_sign_in
from groundswell.workspaces import actions, importing
from groundswell.workspaces.models import Invitation, Membership, Role, Workspace

User = get_user_model()
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def idp_key() -> saml_idp.IdpKey:
    return saml_idp.make_key()


def scim_of(admin: Membership) -> ScimClient:
    return ScimClient(scim_actions.create_token(admin.workspace, by=admin, name="IdP")[1])


def password_client(email: str) -> Client:
    c = browser()
    resp = c.post("/accounts/login/", {"login": email, "password": PASSWORD})
    assert resp.status_code == 302, resp.content.decode()[:500]
    assert "_auth_user_id" in c.session
    return c


def accept_path(message: Any) -> str:
    match = re.search(r"/invite/[^/\s]+/", message.body)
    assert match, message.body
    return match.group(0)


def test_another_workspace_cannot_take_over_a_person(
    workspace: Workspace,
    bob: Membership,
    charlie: Membership,
    idp_key: saml_idp.IdpKey,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Globex provisions Acme's Bob through SCIM and requires SSO: Bob is asked, not taken."""
    globex = charlie.workspace
    acme_idp = configure(workspace, idp_key)  # Acme's own IdP, for acme.test
    configure(globex, idp_key, domains=["globex.test"], require_sso=True)  # Globex requires SSO
    globex_scim = scim_of(charlie)

    with django_capture_on_commit_callbacks(execute=True):
        resp = globex_scim.post("/Users", new_user("bob@acme.test", displayName="Bob (Globex)"))
    assert resp.status_code == 201  # RFC 7644 answer, with the resource...
    assert resp.json()["active"] is False  # ...which is not active
    pending = Membership.objects.get(workspace=globex, user=bob.user)
    assert pending.awaiting_acceptance and not pending.is_active
    [invitation] = mail.outbox
    assert invitation.to == ["bob@acme.test"] and "Globex" in invitation.subject
    # The identity provider insisting changes nothing.
    resp = globex_scim.patch(f"/Users/{pending.pk}", {"op": "replace", "path": "active", "value": True})
    assert resp.status_code == 200 and resp.json()["active"] is False
    with pytest.raises(ValidationError):
        actions.reactivate_member(pending)

    # Bob's password still signs him in, Acme opens; Globex's "require SSO" imposes nothing, Globex stays shut.
    c = password_client("bob@acme.test")
    assert c.get("/w/acme/").status_code == 200
    assert c.get("/w/globex/").status_code == 404
    assert c.get("/w/globex/sso/login/").status_code == 200  # a public page, shown to anyone
    bob.refresh_from_db()
    assert bob.is_active and bob.role == Role.EMPLOYEE

    # Acme's own IdP can still link and sign in Bob's account.
    resp = saml_sign_in(browser(), acme_idp, idp_key, "bob@acme.test", {"email": "bob@acme.test"})
    assert resp.status_code == 302 and resp["Location"] == "/w/acme/"  # type: ignore[attr-defined]
    assert SocialAccount.objects.get().user_id == bob.user_id

    # Bob accepts, signed in, with a POST: only now is he a member of Globex.
    path = accept_path(invitation)
    assert c.get(path).status_code == 200
    assert not Membership.objects.get(pk=pending.pk).is_active
    assert c.post(path)["Location"] == "/w/globex/"
    pending.refresh_from_db()
    assert pending.is_active and not pending.awaiting_acceptance and pending.display_name == "Bob (Globex)"
    # From now on Globex's "require SSO" applies to Globex's pages, and only to them.
    assert c.get("/w/globex/")["Location"] == "/w/globex/sso/login/"
    assert c.get("/w/acme/").status_code == 200


def test_a_member_of_two_workspaces_confirms_sso_while_signed_in(
    workspace: Workspace, bob: Membership, charlie: Membership, idp_key: saml_idp.IdpKey
) -> None:
    globex = charlie.workspace
    globex_idp = configure(globex, idp_key, domains=["acme.test"], require_sso=True)
    Membership.objects.create(workspace=globex, user=bob.user, display_name="Bob")  # joined (accepted) earlier
    c = password_client("bob@acme.test")
    assert c.get("/w/globex/")["Location"] == "/w/globex/sso/login/"
    assert client_for(charlie).get("/w/globex/").status_code == 200  # program admins are exempt
    # Not signed in, Globex's IdP cannot sign in an account Acme relies on...
    refused = saml_sign_in(browser(), globex_idp, idp_key, "bob@acme.test", {"email": "bob@acme.test"})
    assert refused.status_code == 403  # type: ignore[attr-defined]
    assert "also belongs to another workspace" in refused.content.decode()  # type: ignore[attr-defined]
    # ...but signed in as Bob, the same answer confirms him for Globex, without linking anything.
    resp = saml_sign_in(c, globex_idp, idp_key, "bob@acme.test", {"email": "bob@acme.test"})
    assert resp.status_code == 302 and resp["Location"] == "/w/globex/"  # type: ignore[index,attr-defined]
    assert c.get("/w/globex/").status_code == 200 and c.get("/w/acme/").status_code == 200
    assert not SocialAccount.objects.exists()
    # A password sign-in later starts again from nothing.
    c2 = password_client("bob@acme.test")
    assert c2.get("/w/globex/").status_code == 302


def test_an_identity_linked_before_the_account_joined_elsewhere_stops_signing_in(
    workspace: Workspace, alice: Membership, charlie: Membership, idp_key: saml_idp.IdpKey
) -> None:
    """Globex's IdP creates grace@acme.test (JIT) before Acme invites her: once she joins Acme, Globex's IdP
    no longer signs her account in (it would open Acme)."""
    globex_idp = configure(charlie.workspace, idp_key, domains=["acme.test"])
    assert saml_sign_in(browser(), globex_idp, idp_key, "grace@acme.test").status_code == 302  # type: ignore[attr-defined]
    grace = User.objects.get(email="grace@acme.test")
    token = actions.invite_member(workspace, email="grace@acme.test", invited_by=alice).token
    c = Client()
    c.force_login(grace)
    c.post(f"/invite/{token}/")
    assert Membership.objects.filter(workspace=workspace, user=grace, is_active=True).exists()
    resp = saml_sign_in(browser(), globex_idp, idp_key, "grace@acme.test")
    assert resp.status_code == 403  # type: ignore[attr-defined]
    assert "now also belongs to another workspace" in resp.content.decode()  # type: ignore[attr-defined]


# --- SCIM lifecycle of a membership awaiting acceptance ------------------------------------------------


def test_scim_fresh_accounts_are_still_provisioned_directly(charlie: Membership) -> None:
    resp = scim_of(charlie).post("/Users", new_user("newbie@globex.test"))
    assert resp.status_code == 201 and resp.json()["active"] is True
    member = Membership.objects.get(pk=int(resp.json()["id"]))
    assert member.is_active and not member.awaiting_acceptance


def test_scim_deprovisioning_a_pending_member_withdraws_the_invitation(
    bob: Membership, charlie: Membership, django_capture_on_commit_callbacks: Any
) -> None:
    globex_scim = scim_of(charlie)
    with django_capture_on_commit_callbacks(execute=True):
        pk = globex_scim.post("/Users", new_user("bob@acme.test")).json()["id"]
    path = accept_path(mail.outbox[0])
    assert globex_scim.delete(f"/Users/{pk}").status_code == 204
    assert not Invitation.objects.filter(email="bob@acme.test", revoked_at__isnull=True).exists()
    c = client_for(bob)
    assert c.post(path).status_code == 404
    assert not Membership.objects.get(pk=pk).is_active
    # Provisioned again: a new invitation, still nothing active.
    with django_capture_on_commit_callbacks(execute=True):
        resp = globex_scim.patch(f"/Users/{pk}", {"op": "replace", "path": "active", "value": True})
    assert resp.json()["active"] is False and len(mail.outbox) == 2
    assert c.post(accept_path(mail.outbox[1]))["Location"] == "/w/globex/"
    assert Membership.objects.get(pk=pk).is_active


def test_a_pending_membership_is_accepted_only_by_its_own_account(
    bob: Membership, carol: Membership, charlie: Membership, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        scim_of(charlie).post("/Users", new_user("bob@acme.test"))
    resp = client_for(carol).post(accept_path(mail.outbox[0]))
    assert resp.status_code == 404 and "sign in with it to accept" in resp.content.decode()
    assert not Membership.objects.filter(workspace=charlie.workspace, user=carol.user).exists()


# --- Invitations, CSV import, JIT SSO, open sign-up ---------------------------------------------------


def test_an_invitation_link_opened_by_a_page_joins_nobody(bob: Membership, charlie: Membership) -> None:
    token = actions.invite_member(charlie.workspace, email="bob@acme.test", invited_by=charlie).token
    c = client_for(bob)
    assert c.get(f"/invite/{token}/").status_code == 200  # a confirmation page, nothing else
    # Signing in after opening the link does not join either: the account belongs to Acme.
    anonymous = Client()
    anonymous.get(f"/invite/{token}/")
    anonymous.post("/accounts/login/", {"login": "bob@acme.test", "password": PASSWORD})
    assert not Membership.objects.filter(workspace=charlie.workspace, user=bob.user).exists()


def test_csv_import_of_another_workspace_only_invites(
    workspace: Workspace, bob: Membership, charlie: Membership, django_capture_on_commit_callbacks: Any
) -> None:
    text = "Name,Email,Department,Employee ID\nBob,bob@acme.test,Globex Sales,G-1\n"
    job, _ = importing.create_job(
        charlie.workspace, by=charlie, file_name="p.csv", raw=text.encode(), send_invitations=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        importing.start_job(job)
    job.refresh_from_db()
    assert job.status == "done" and job.created_count == 1
    assert not Membership.objects.filter(workspace=charlie.workspace, user=bob.user).exists()
    assert Invitation.objects.filter(workspace=charlie.workspace, email="bob@acme.test", accepted_at=None).exists()
    bob.refresh_from_db()
    assert bob.is_active and bob.department is not None and bob.department.name == "Sales" and bob.employee_id == ""


def test_jit_sso_of_another_workspace_cannot_take_a_member(
    workspace: Workspace, bob: Membership, charlie: Membership, idp_key: saml_idp.IdpKey
) -> None:
    globex_idp = configure(charlie.workspace, idp_key, domains=["acme.test"], jit_provisioning=True)
    resp = saml_sign_in(browser(), globex_idp, idp_key, "bob@acme.test", {"email": "bob@acme.test"})
    assert resp.status_code == 403  # type: ignore[attr-defined]
    assert not Membership.objects.filter(workspace=charlie.workspace, user=bob.user).exists()
    assert not SocialAccount.objects.exists()
    assert password_client("bob@acme.test").get("/w/acme/").status_code == 200


def test_open_sign_up_cannot_claim_an_existing_account(
    workspace: Workspace, bob: Membership, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.GROUNDSWELL_OPEN_SIGNUP = True
    c = Client()
    c.post(
        "/accounts/signup/",
        {"email": "bob@acme.test", "password1": "x-Another-pass-99", "password2": "x-Another-pass-99"},
    )
    assert User.objects.filter(email__iexact="bob@acme.test").count() == 1
    assert Membership.objects.filter(user=bob.user).count() == 1
    assert password_client("bob@acme.test").get("/w/acme/").status_code == 200
    # Someone who signed up on their own and started a workspace is asked by the next one, not attached.
    owner = make_member(Workspace.objects.create(name="Solo", slug="solo"), "solo@solo.test", Role.ADMIN)
    alice = make_member(workspace, "alice@acme.test", Role.ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        resp = scim_of(alice).post("/Users", new_user("solo@solo.test"))
    assert resp.json()["active"] is False
    assert Membership.objects.get(workspace=workspace, user=owner.user).awaiting_acceptance
