"""Sign-in pages, "require SSO", allauth's view of the per-workspace apps, and the privacy provider."""

from __future__ import annotations

import pytest
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialAccount
from django.test import Client

from groundswell.sso import actions
from groundswell.sso.models import SsoConfig
from groundswell.sso.privacy import SsoPrivacyProvider
from groundswell.sso.tests import saml_idp
from groundswell.sso.tests.helpers import idp_url
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


def test_require_sso_refuses_password_sign_in(saml_config: SsoConfig, bob: Membership) -> None:
    c, resp = password_login("bob@acme.test")
    text = resp.content.decode()  # type: ignore[attr-defined]
    assert resp.status_code == 403  # type: ignore[attr-defined]
    assert "Acme requires single sign-on" in text
    assert "/w/acme/sso/login/" in text  # the way in
    assert c.get("/w/acme/")["Location"].startswith("/accounts/login/")  # not signed in
    assert "_auth_user_id" not in c.session


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
    assert Client().post("/sso/", {"email": "bob@acme.test"}).status_code == 400
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


def test_email_page(saml_config: SsoConfig) -> None:
    c = Client(HTTP_HOST="groundswell.example.test")
    page = c.get("/sso/")
    assert page.status_code == 200 and '<label for="id_email">Work email' in page.content.decode()
    bad = c.post("/sso/", {"email": "not-an-email"})
    assert bad.status_code == 400 and "Enter a valid email address" in bad.content.decode()
    resp = c.post("/sso/", {"email": "Someone@ACME.test"})
    assert idp_url(resp).startswith(saml_idp.SSO_URL + "?SAMLRequest=")
    assert "Signing in to Acme" in resp.content.decode()
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
