"""SAML sign-in through allauth's ACS, with responses signed in the test by a test IdP key."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client

from groundswell.sso import actions
from groundswell.sso.models import SsoConfig
from groundswell.sso.tests import saml_idp
from groundswell.sso.tests.helpers import idp_url
from groundswell.workspaces.models import Membership, Role, Workspace

HOST = "groundswell.example.test"


def browser() -> Client:
    """A test client that sends a Host header, as browsers do (python3-saml reads it; it also refuses
    single-label host names such as Django's default ``testserver``)."""
    return Client(HTTP_HOST=HOST)


@pytest.fixture(scope="module")
def idp_key() -> saml_idp.IdpKey:
    return saml_idp.make_key()


def configure(workspace: Workspace, key: saml_idp.IdpKey, **extra: object) -> SsoConfig:
    values = {
        "protocol": "saml",
        "is_enabled": True,
        "require_sso": False,
        "jit_provisioning": True,
        "domains": ["acme.test"],
        "saml_metadata_xml": saml_idp.metadata_xml(key),
        "email_attribute": "email",
        "department_attribute": "dept",
        **extra,
    }
    return actions.save_sso_config(workspace, actions.SsoSettings(**values), by=None)  # type: ignore[arg-type]


def saml_sign_in(
    client: Client,
    config: SsoConfig,
    key: saml_idp.IdpKey,
    email: str,
    attributes: dict[str, str] | None = None,
    **response_options: str,
) -> object:
    start = idp_url(client.post(f"/w/{config.workspace.slug}/sso/login/"))
    assert start.startswith(saml_idp.SSO_URL + "?SAMLRequest="), start
    acs = f"http://{HOST}/accounts/saml/{config.provider_id}/acs/"
    audience = f"http://{HOST}/accounts/saml/{config.provider_id}/metadata/"
    body = saml_idp.response(
        key,
        acs_url=acs,
        audience=audience,
        in_response_to=saml_idp.request_id(start),
        email=email,
        attributes=attributes if attributes is not None else {"email": email, "name": "Grace Hopper", "dept": "Navy"},
        **response_options,
    )
    resp = client.post(acs, {"SAMLResponse": body})
    assert resp.status_code == 302, resp
    return client.get(resp["Location"])


def test_metadata_is_parsed_into_the_idp_settings(workspace: Workspace, idp_key: saml_idp.IdpKey) -> None:
    config = configure(workspace, idp_key)
    assert config.saml_entity_id == saml_idp.ENTITY_ID
    assert config.saml_sso_url == saml_idp.SSO_URL
    assert config.saml_x509cert == idp_key.cert_b64
    assert config.provider_id == f"ws{workspace.pk}-saml"


def test_bad_metadata_and_certificates_are_refused_clearly(workspace: Workspace, idp_key: saml_idp.IdpKey) -> None:
    with pytest.raises(ValidationError, match="could not be read"):
        configure(workspace, idp_key, saml_metadata_xml="<not-xml")
    with pytest.raises(ValidationError, match=r"not an X\.509 certificate"):
        from groundswell.sso.validation import clean_certificate

        clean_certificate("-----BEGIN CERTIFICATE-----\nnonsense\n-----END CERTIFICATE-----")
    assert not SsoConfig.objects.exists()


def test_signed_response_signs_in_and_provisions(workspace: Workspace, idp_key: saml_idp.IdpKey) -> None:
    config = configure(workspace, idp_key)
    client = browser()
    resp = saml_sign_in(client, config, idp_key, "grace@acme.test")
    assert resp.status_code == 302 and resp["Location"] == "/w/acme/", getattr(resp, "content", b"")[:600]
    member = Membership.objects.get(workspace=workspace, user__email="grace@acme.test")
    assert member.role == Role.EMPLOYEE
    assert member.display_name == "Grace Hopper"
    assert member.department is not None and member.department.name == "Navy"
    account = SocialAccount.objects.get(user=member.user)
    assert account.provider == config.provider_id and account.uid == "grace@acme.test"
    assert client.get("/w/acme/").status_code == 200


def test_bad_signature_is_refused_with_a_clear_page(workspace: Workspace, idp_key: saml_idp.IdpKey) -> None:
    config = configure(workspace, idp_key)
    impostor = saml_idp.make_key("Impostor")
    resp = saml_sign_in(browser(), config, impostor, "grace@acme.test")
    text = resp.content.decode()  # type: ignore[attr-defined]
    assert resp.status_code == 400  # type: ignore[attr-defined]
    assert "could not be verified" in text and "Details for your IT team" in text
    assert not get_user_model().objects.filter(email="grace@acme.test").exists()


def test_tampered_response_is_refused(workspace: Workspace, idp_key: saml_idp.IdpKey) -> None:
    import base64

    config = configure(workspace, idp_key)
    client = browser()
    start = idp_url(client.post(f"/w/{config.workspace.slug}/sso/login/"))
    acs = f"http://{HOST}/accounts/saml/{config.provider_id}/acs/"
    body = saml_idp.response(
        idp_key,
        acs_url=acs,
        audience=f"http://{HOST}/accounts/saml/{config.provider_id}/metadata/",
        in_response_to=saml_idp.request_id(start),
        email="grace@acme.test",
        attributes={"email": "grace@acme.test"},
    )
    forged = base64.b64encode(base64.b64decode(body).replace(b"grace@acme.test", b"alice@acme.test")).decode()
    resp = client.post(acs, {"SAMLResponse": forged})
    resp = client.get(resp["Location"])
    assert resp.status_code == 400
    assert not SocialAccount.objects.exists()
    # Garbage is a clear page too, not a 500.
    resp = client.post(acs, {"SAMLResponse": "not base64 at all!"})
    assert client.get(resp["Location"]).status_code == 400


def test_unsolicited_response_is_refused(workspace: Workspace, idp_key: saml_idp.IdpKey) -> None:
    """IdP-initiated sign-in (no AuthnRequest of ours) is refused: it cannot be tied to this browser."""
    config = configure(workspace, idp_key)
    client = browser()
    acs = f"http://{HOST}/accounts/saml/{config.provider_id}/acs/"
    body = saml_idp.response(
        idp_key,
        acs_url=acs,
        audience=f"http://{HOST}/accounts/saml/{config.provider_id}/metadata/",
        in_response_to="",
        email="grace@acme.test",
        attributes={"email": "grace@acme.test"},
    )
    resp = client.get(client.post(acs, {"SAMLResponse": body})["Location"])
    assert resp.status_code == 400
    assert not get_user_model().objects.filter(email="grace@acme.test").exists()


def test_saml_domain_not_allowed(workspace: Workspace, idp_key: saml_idp.IdpKey) -> None:
    config = configure(workspace, idp_key)
    resp = saml_sign_in(browser(), config, idp_key, "mallory@evil.test")
    assert resp.status_code == 403  # type: ignore[attr-defined]
    assert "mallory@evil.test is not in one of the email domains" in resp.content.decode()  # type: ignore[attr-defined]


def test_sp_metadata_is_served(workspace: Workspace, idp_key: saml_idp.IdpKey) -> None:
    config = configure(workspace, idp_key)
    resp = browser().get(f"/accounts/saml/{config.provider_id}/metadata/")
    assert resp.status_code == 200
    assert f"/accounts/saml/{config.provider_id}/acs/" in resp.content.decode()
    # A workspace without SAML has no metadata.
    assert browser().get("/accounts/saml/ws999999-saml/metadata/").status_code == 404
