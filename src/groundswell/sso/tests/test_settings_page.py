"""The admin's single sign-on page: access, validation with clear errors, saving both protocols."""

from __future__ import annotations

import pytest
from django.test import Client

from groundswell.conftest import client_for
from groundswell.sso.models import Protocol, SsoConfig, SsoDomain
from groundswell.sso.tests import saml_idp
from groundswell.sso.tests.fake_issuer import discovery_server
from groundswell.workspaces.models import Membership, Workspace

URL = "/w/acme/sso/"


def oidc_form(issuer: str, **extra: object) -> dict[str, object]:
    return {
        "protocol": "oidc",
        "is_enabled": "on",
        "jit_provisioning": "on",
        "domains": "acme.test, ACME.de",
        "oidc_issuer": issuer,
        "oidc_client_id": "groundswell",
        "oidc_client_secret": "s3cret",
        **extra,
    }


def test_admin_sees_what_to_register(alice: Membership) -> None:
    resp = client_for(alice).get(URL)
    text = resp.content.decode()
    assert resp.status_code == 200
    ws_id = alice.workspace_id
    assert f"/accounts/oidc/ws{ws_id}-oidc/login/callback/" in text
    assert f"/accounts/saml/ws{ws_id}-saml/acs/" in text
    assert "Single sign-on is off" in text
    assert '<label for="id_domains">' in text


@pytest.mark.parametrize("who", ["bob", "carol", "charlie"])
def test_only_the_program_admin_gets_the_page(who: str, request: pytest.FixtureRequest, alice: Membership) -> None:
    member: Membership = request.getfixturevalue(who)
    c = client_for(member)
    with discovery_server() as issuer:
        assert c.get(URL).status_code == 404
        assert c.post(URL, oidc_form(issuer)).status_code == 404
    assert not SsoConfig.objects.exists()


def test_anonymous_is_sent_to_sign_in(workspace: Workspace) -> None:
    resp = Client().get(URL)
    assert resp.status_code == 302 and resp["Location"].startswith("/accounts/login/")


def test_save_oidc_checks_the_issuer_and_keeps_the_secret(alice: Membership) -> None:
    c = client_for(alice)
    with discovery_server() as issuer:
        resp = c.post(URL, oidc_form(issuer))
        assert resp.status_code == 302, resp.content.decode()[:2000]
        config = SsoConfig.objects.get(workspace=alice.workspace)
        assert config.protocol == Protocol.OIDC and config.is_enabled and config.jit_provisioning
        assert config.oidc_issuer == issuer and config.oidc_client_secret == "s3cret"
        assert sorted(d.domain for d in config.domains.all()) == ["acme.de", "acme.test"]
        assert config.updated_by == alice
        # Editing without typing the secret again keeps it; dropping a domain removes it.
        resp = c.post(URL, oidc_form(issuer, oidc_client_secret="", domains="acme.test"))
        assert resp.status_code == 302
    config.refresh_from_db()
    assert config.oidc_client_secret == "s3cret"
    assert list(SsoDomain.objects.values_list("domain", flat=True)) == ["acme.test"]
    page = c.get(URL).content.decode()
    assert "A client secret is stored." in page and "s3cret" not in page
    assert "/w/acme/sso/login/" in page


@pytest.mark.parametrize(
    ("server", "message"),
    [
        ({"status": 500}, "answered with HTTP status 500"),
        ({"body": "<html>nope</html>", "content_type": "text/html"}, "not application/json"),
        ({"body": "{not json"}, "is not valid JSON"),
        ({"body": {"issuer": "x"}}, "lacks authorization_endpoint, token_endpoint, jwks_uri"),
        (
            {
                "body": {
                    "issuer": "https://elsewhere.test",
                    "authorization_endpoint": "a",
                    "token_endpoint": "t",
                    "jwks_uri": "j",
                }
            },
            "calls itself",
        ),
    ],
)
def test_bad_issuers_get_a_clear_error(alice: Membership, server: dict[str, object], message: str) -> None:
    with discovery_server(**server) as issuer:  # type: ignore[arg-type]
        resp = client_for(alice).post(URL, oidc_form(issuer))
    assert resp.status_code == 200
    assert message in resp.content.decode()
    assert not SsoConfig.objects.exists()


def test_unreachable_issuer(alice: Membership) -> None:
    resp = client_for(alice).post(URL, oidc_form("http://127.0.0.1:9"))
    assert resp.status_code == 200
    assert (
        "Could not read the discovery document at http://127.0.0.1:9/.well-known/openid-configuration"
        in resp.content.decode()
    )


@pytest.mark.parametrize(
    ("changes", "field_error"),
    [
        ({"domains": "not a domain!"}, "is not a domain name like example.com"),
        ({"domains": ""}, "Add at least one email domain"),
        ({"oidc_client_id": ""}, "needs the issuer URL, the client id and the client secret"),
        ({"oidc_issuer": "notaurl"}, "Enter a valid URL"),
        ({"is_enabled": "", "require_sso": "on"}, "Turn on “Sign in with SSO” to require it."),
        ({"protocol": "kerberos"}, "Select a valid choice"),
    ],
)
def test_bad_input_is_explained(alice: Membership, changes: dict[str, str], field_error: str) -> None:
    with discovery_server() as issuer:
        resp = client_for(alice).post(URL, oidc_form(issuer, **changes))
    assert resp.status_code == 200
    assert field_error in resp.content.decode()
    assert not SsoConfig.objects.exists()


def test_a_domain_belongs_to_one_workspace(alice: Membership, charlie: Membership) -> None:
    with discovery_server() as issuer:
        assert client_for(charlie).post("/w/globex/sso/", oidc_form(issuer, domains="acme.test")).status_code == 302
        resp = client_for(alice).post(URL, oidc_form(issuer))
    assert resp.status_code == 200
    assert "acme.test already signs in through another workspace" in resp.content.decode()
    assert not SsoConfig.objects.filter(workspace=alice.workspace, is_enabled=True).exists()


def test_save_saml_from_metadata_and_attribute_mapping(alice: Membership) -> None:
    key = saml_idp.make_key()
    resp = client_for(alice).post(
        URL,
        {
            "protocol": "saml",
            "is_enabled": "on",
            "domains": "acme.test",
            "saml_metadata_xml": saml_idp.metadata_xml(key),
            "email_attribute": "mail",
            "name_attribute": "displayName",
            "department_attribute": "ou",
            "require_sso": "on",
        },
    )
    assert resp.status_code == 302, resp.content.decode()[:2000]
    config = SsoConfig.objects.get()
    assert (config.saml_entity_id, config.saml_sso_url) == (saml_idp.ENTITY_ID, saml_idp.SSO_URL)
    assert config.require_sso and not config.jit_provisioning
    assert (config.email_attribute, config.name_attribute, config.department_attribute) == ("mail", "displayName", "ou")


def test_saml_needs_metadata_or_the_three_fields(alice: Membership) -> None:
    resp = client_for(alice).post(
        URL, {"protocol": "saml", "is_enabled": "on", "domains": "acme.test", "saml_entity_id": "x"}
    )
    assert resp.status_code == 200
    assert "Give the IdP&#x27;s metadata (URL or XML)" in resp.content.decode()
