"""The linking rules (linking.py) through real SAML sign-ins, and allauth's error paths landing on our page."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model

from groundswell.conftest import make_member
from groundswell.sso import actions
from groundswell.sso.models import SsoConfig
from groundswell.sso.tests import saml_idp
from groundswell.sso.tests.fake_issuer import discovery_server
from groundswell.sso.tests.helpers import idp_url
from groundswell.sso.tests.test_saml import browser, configure, saml_sign_in
from groundswell.workspaces import actions as ws_actions
from groundswell.workspaces.models import Membership, Role, Workspace


@pytest.fixture(scope="module")
def idp_key() -> saml_idp.IdpKey:
    return saml_idp.make_key()


def test_existing_member_is_linked_and_told(workspace: Workspace, bob: Membership, idp_key: saml_idp.IdpKey) -> None:
    config = configure(workspace, idp_key)
    resp = saml_sign_in(browser(), config, idp_key, "bob@acme.test", {"email": "bob@acme.test", "dept": "Elsewhere"})
    assert resp.status_code == 302 and resp["Location"] == "/w/acme/"  # type: ignore[attr-defined]
    account = SocialAccount.objects.get()
    assert account.user_id == bob.user_id
    bob.refresh_from_db()
    assert bob.department is not None and bob.department.name == "Sales"  # linking does not re-provision


def test_secondary_address_matches_too(workspace: Workspace, alice: Membership, idp_key: saml_idp.IdpKey) -> None:
    EmailAddress.objects.create(user=alice.user, email="a.admin@acme.test", verified=True, primary=False)
    config = configure(workspace, idp_key)
    resp = saml_sign_in(browser(), config, idp_key, "a.admin@acme.test", {"email": "a.admin@acme.test"})
    assert resp.status_code == 302  # type: ignore[attr-defined]
    assert SocialAccount.objects.get().user_id == alice.user_id
    assert get_user_model().objects.count() == 1


def test_user_without_any_workspace_is_linked_and_provisioned(workspace: Workspace, idp_key: saml_idp.IdpKey) -> None:
    user = get_user_model().objects.create_user(username="nomad", email="nomad@acme.test", password="x" * 12)
    config = configure(workspace, idp_key)
    resp = saml_sign_in(browser(), config, idp_key, "nomad@acme.test", {"email": "nomad@acme.test", "dept": "Ops"})
    assert resp.status_code == 302  # type: ignore[attr-defined]
    member = Membership.objects.get(user=user)
    assert member.workspace == workspace and member.role == Role.EMPLOYEE and member.department.name == "Ops"  # type: ignore[union-attr]


def test_deactivated_member_stays_out(workspace: Workspace, bob: Membership, idp_key: saml_idp.IdpKey) -> None:
    config = configure(workspace, idp_key)
    ws_actions.deactivate_member(bob)
    resp = saml_sign_in(browser(), config, idp_key, "bob@acme.test", {"email": "bob@acme.test"})
    assert resp.status_code == 403  # type: ignore[attr-defined]
    assert "was ended by a program admin" in resp.content.decode()  # type: ignore[attr-defined]
    bob.refresh_from_db()
    assert not bob.is_active and not SocialAccount.objects.exists()


def test_no_email_from_the_idp(workspace: Workspace, idp_key: saml_idp.IdpKey) -> None:
    config = configure(workspace, idp_key, email_attribute="mail")
    # No email attribute, and the NameID is an opaque persistent id rather than an email address.
    persistent = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
    resp = saml_sign_in(browser(), config, idp_key, "a81f-77c2", {"name": "Ghost"}, nameid_format=persistent)
    assert resp.status_code == 403  # type: ignore[attr-defined]
    assert "did not tell us your email address" in resp.content.decode()  # type: ignore[attr-defined]


def test_existing_identity_of_a_deactivated_member(workspace: Workspace, idp_key: saml_idp.IdpKey) -> None:
    config = configure(workspace, idp_key)
    assert saml_sign_in(browser(), config, idp_key, "grace@acme.test").status_code == 302  # type: ignore[attr-defined]
    member = Membership.objects.get(user__email="grace@acme.test")
    ws_actions.deactivate_member(member)
    resp = saml_sign_in(browser(), config, idp_key, "grace@acme.test")
    assert resp.status_code == 403  # type: ignore[attr-defined]


def test_sso_turned_off_mid_sign_in(workspace: Workspace, idp_key: saml_idp.IdpKey) -> None:
    config = configure(workspace, idp_key)
    c = browser()
    start = idp_url(c.post("/w/acme/sso/login/"))
    SsoConfig.objects.filter(pk=config.pk).update(is_enabled=False)
    acs = f"http://{saml_idp_host()}/accounts/saml/{config.provider_id}/acs/"
    body = saml_idp.response(
        idp_key,
        acs_url=acs,
        audience=f"http://{saml_idp_host()}/accounts/saml/{config.provider_id}/metadata/",
        in_response_to=saml_idp.request_id(start),
        email="grace@acme.test",
        attributes={"email": "grace@acme.test"},
    )
    resp = c.get(c.post(acs, {"SAMLResponse": body})["Location"])
    assert resp.status_code == 404  # allauth no longer knows the app
    assert not get_user_model().objects.filter(email="grace@acme.test").exists()


def saml_idp_host() -> str:
    from groundswell.sso.tests.test_saml import HOST

    return HOST


def oidc_config(workspace: Workspace, issuer: str) -> SsoConfig:
    return actions.save_sso_config(
        workspace,
        actions.SsoSettings(
            protocol="oidc",
            is_enabled=True,
            require_sso=False,
            jit_provisioning=True,
            domains=["acme.test"],
            oidc_issuer=issuer,
            oidc_client_id="gs",
            oidc_client_secret="secret",
        ),
        by=None,
    )


def test_oidc_callback_errors_get_our_page(workspace: Workspace) -> None:
    with discovery_server() as issuer:
        config = oidc_config(workspace, issuer)
        c = browser()
        callback = f"/accounts/oidc/{config.provider_id}/login/callback/"
        for query in ("?code=abc&state=forged", "?error=access_denied&state=forged", ""):
            resp = c.get(callback + query)
            assert resp.status_code == 400, (query, resp.status_code)
            assert "You are not signed in" in resp.content.decode()
    assert not SocialAccount.objects.exists()


def test_unreachable_idp_at_sign_in_is_a_clear_page(workspace: Workspace) -> None:
    with discovery_server() as issuer:
        oidc_config(workspace, issuer)
    # The provider went away after it was configured.
    resp = browser().post("/w/acme/sso/login/")
    assert resp.status_code == 502
    assert "We could not reach Acme" in resp.content.decode()


def test_connecting_an_identity_by_hand_is_refused(
    workspace: Workspace, alice: Membership, idp_key: saml_idp.IdpKey
) -> None:
    """allauth's connect flow (a signed-in user adds an identity) is not ours: linking follows linking.py only."""
    config = configure(workspace, idp_key)
    c = browser()
    c.force_login(alice.user)
    resp = c.post(f"/accounts/saml/{config.provider_id}/login/", {"process": "connect"})
    assert resp.status_code == 302
    start = resp["Location"]
    acs = f"http://{saml_idp_host()}/accounts/saml/{config.provider_id}/acs/"
    body = saml_idp.response(
        idp_key,
        acs_url=acs,
        audience=f"http://{saml_idp_host()}/accounts/saml/{config.provider_id}/metadata/",
        in_response_to=saml_idp.request_id(start),
        email="mallory@acme.test",
        attributes={"email": "mallory@acme.test"},
    )
    resp = c.get(c.post(acs, {"SAMLResponse": body})["Location"])
    assert resp.status_code == 403
    assert "cannot be connected by hand" in resp.content.decode()
    assert not SocialAccount.objects.exists()


def test_workspace_login_page_query_count(
    workspace: Workspace, idp_key: saml_idp.IdpKey, django_assert_max_num_queries: object
) -> None:
    configure(workspace, idp_key)
    make_member(workspace, "x@acme.test")
    with django_assert_max_num_queries(3):  # type: ignore[operator]
        assert browser().get("/w/acme/sso/login/").status_code == 200
