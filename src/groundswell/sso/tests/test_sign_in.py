"""Sign-in pages, "require SSO", allauth's view of the per-workspace apps, and the privacy provider."""

from __future__ import annotations

import pytest
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialAccount
from django.core import mail
from django.test import Client

from groundswell.sso import actions
from groundswell.sso.models import SsoConfig
from groundswell.sso.privacy import SsoPrivacyProvider
from groundswell.sso.tests import saml_idp
from groundswell.workspaces.models import Membership, Workspace

PASSWORD = "correct horse battery"


@pytest.fixture
def saml_config(workspace: Workspace) -> SsoConfig:
    key = saml_idp.make_key()
    return actions.save_sso_config(
        workspace,
        actions.SsoSettings(
            protocol="saml",
            is_enabled=True,
            require_sso=True,
            jit_provisioning=True,
            domains=["acme.test"],
            saml_metadata_xml=saml_idp.metadata_xml(key),
        ),
        by=None,
    )


def password_login(email: str) -> tuple[Client, object]:
    c = Client()
    return c, c.post("/accounts/login/", {"login": email, "password": PASSWORD})


def test_require_sso_is_asked_when_the_workspace_is_entered(saml_config: SsoConfig, bob: Membership) -> None:
    """ADR 0024: the password still signs in (other workspaces must not be locked by this one); the workspace
    that requires SSO asks for it on its own pages."""
    c, resp = password_login("bob@acme.test")
    assert resp.status_code == 302  # type: ignore[attr-defined]
    assert "_auth_user_id" in c.session
    page = c.get("/w/acme/")
    assert page.status_code == 302 and page["Location"] == "/w/acme/sso/login/"
    assert c.get("/w/acme/people/").status_code == 302  # every page of the workspace, not only home
    sso_page = c.get("/w/acme/sso/login/").content.decode()
    assert "Acme asks its members to sign in through its identity provider" in sso_page
    session = c.session
    session["sso_workspace_ids"] = [saml_config.workspace_id]  # as a sign-in through Acme's IdP leaves it
    session.save()
    assert c.get("/w/acme/").status_code == 200


def test_wrong_password_does_not_reveal_the_sso_rule(saml_config: SsoConfig, bob: Membership) -> None:
    c = Client()
    resp = c.post("/accounts/login/", {"login": "bob@acme.test", "password": "wrong"})
    assert resp.status_code == 200
    assert "requires single sign-on" not in resp.content.decode()


def test_admins_keep_their_password_and_others_are_unaffected(
    saml_config: SsoConfig, alice: Membership, charlie: Membership
) -> None:
    for email in ("alice@acme.test", "charlie@globex.test"):
        c, resp = password_login(email)
        assert resp.status_code == 302, email  # type: ignore[attr-defined]
        assert "_auth_user_id" in c.session


def test_password_sign_in_works_when_sso_is_not_required(saml_config: SsoConfig, bob: Membership) -> None:
    SsoConfig.objects.filter(pk=saml_config.pk).update(require_sso=False)
    c, resp = password_login("bob@acme.test")
    assert resp.status_code == 302  # type: ignore[attr-defined]
    assert c.get("/w/acme/").status_code == 200


def test_disabled_sso_requires_nothing_and_offers_nothing(saml_config: SsoConfig, bob: Membership) -> None:
    actions.disable_sso(saml_config, by=None)
    _, resp = password_login("bob@acme.test")
    assert resp.status_code == 302  # type: ignore[attr-defined]
    assert Client().get("/w/acme/sso/login/").status_code == 404
    assert "Check your email" in Client().post("/sso/", {"email": "bob@acme.test"}).content.decode()
    assert mail.outbox == []
    assert get_adapter().list_apps(None) == []


def test_workspace_sign_in_page(saml_config: SsoConfig, other_workspace: Workspace) -> None:
    resp = Client().get("/w/acme/sso/login/")
    assert resp.status_code == 200
    assert "Sign in to Acme" in resp.content.decode() and 'method="post"' in resp.content.decode()
    # A workspace without SSO, or none at all, looks the same: not found.
    assert Client().get("/w/globex/sso/login/").status_code == 404
    assert Client().post("/w/globex/sso/login/").status_code == 404
    assert Client().get("/w/nope/sso/login/").status_code == 404
    assert Client().put("/w/acme/sso/login/").status_code == 404  # allow_methods: non-members learn no methods


def test_email_page_reveals_no_claimed_domain(saml_config: SsoConfig) -> None:
    c = Client(HTTP_HOST="groundswell.example.test")
    page = c.get("/sso/")
    assert page.status_code == 200 and '<label for="id_email">Work email' in page.content.decode()
    bad = c.post("/sso/", {"email": "not-an-email"})
    assert bad.status_code == 400 and "Enter a valid email address" in bad.content.decode()
    claimed = c.post("/sso/", {"email": "someone@acme.test"})
    unclaimed = c.post("/sso/", {"email": "someone@nowhere.test"})
    assert claimed.status_code == unclaimed.status_code == 200
    assert claimed.content.decode().replace("acme", "X") == unclaimed.content.decode().replace("nowhere", "X")
    assert "Acme" not in claimed.content.decode()
    [sent] = mail.outbox  # only the claimed domain's mailbox learns where to sign in
    assert sent.to == ["someone@acme.test"] and "/w/acme/sso/login/" in sent.body
    c.post("/sso/", {"email": "Someone@ACME.test"})
    assert len(mail.outbox) == 1  # one link per address every few minutes
    assert "Sign in with SSO" in Client().get("/accounts/login/").content.decode()


def test_allauth_sees_one_app_per_workspace(saml_config: SsoConfig, other_workspace: Workspace) -> None:
    adapter = get_adapter()
    apps = adapter.list_apps(None)
    assert [(a.provider, a.provider_id, a.client_id) for a in apps] == [
        ("saml", saml_config.provider_id, saml_config.provider_id)
    ]
    assert adapter.list_apps(None, provider="openid_connect") == []
    assert (
        adapter.list_apps(None, provider=saml_config.provider_id)[0].settings["idp"]["entity_id"] == saml_idp.ENTITY_ID
    )
    assert adapter.list_apps(None, provider="ws999-saml") == []
    assert adapter.list_apps(None, provider="saml", client_id="ws999-saml") == []
    assert adapter.get_app(None, provider="saml", client_id=saml_config.provider_id).name == "Acme single sign-on"


def test_privacy_provider_exports_and_erases_linked_identities(saml_config: SsoConfig, bob: Membership) -> None:
    SocialAccount.objects.create(
        user=bob.user, provider=saml_config.provider_id, uid="bob@acme.test", extra_data={"email": ["bob@acme.test"]}
    )
    SocialAccount.objects.create(user=bob.user, provider="ws999-oidc", uid="other")  # another workspace's IdP
    provider = SsoPrivacyProvider()
    [line] = provider.inventory(bob)
    assert line.count == 1
    exported = provider.export(bob)
    assert exported["identities"][0]["uid"] == "bob@acme.test"
    assert exported["identities"][0]["claims"] == {"email": ["bob@acme.test"]}
    import json

    json.dumps(exported)
    result = provider.erase(bob)
    assert result.erased == 1 and result.kept == []
    assert list(SocialAccount.objects.values_list("uid", flat=True)) == ["other"]
