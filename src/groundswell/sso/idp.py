"""The workspace's IdP as allauth sees it: a ``SocialApp`` built on the fly from ``SsoConfig`` (never stored),
and the reverse lookups from allauth's provider id and from an email domain."""

from __future__ import annotations

import re
from typing import Any

from allauth.socialaccount.models import SocialApp

from groundswell.sso.models import Protocol, SsoConfig, SsoDomain

ALLAUTH_PROVIDER = {Protocol.OIDC: "openid_connect", Protocol.SAML: "saml"}
_PROVIDER_ID = re.compile(r"^ws(?P<workspace_id>\d+)-(?P<protocol>oidc|saml)$")

#: Where the email, name and department come from in a SAML assertion when the admin names nothing.
SAML_DEFAULTS = {
    "email": [
        "email",
        "mail",
        "urn:oid:0.9.2342.19200300.100.1.3",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
    ],
    "name": ["name", "displayName", "urn:oid:2.16.840.1.113730.3.1.241"],
    "department": [
        "department",
        "urn:oid:2.5.4.11",
        "http://schemas.microsoft.com/ws/2008/06/identity/claims/department",
    ],
}


def enabled_configs() -> Any:
    return SsoConfig.objects.filter(is_enabled=True).select_related("workspace")


def config_for_provider_id(provider_id: str) -> SsoConfig | None:
    """The enabled configuration behind allauth's ``provider_id`` (``ws12-oidc``), if any."""
    match = _PROVIDER_ID.match(provider_id or "")
    if not match:
        return None
    config: SsoConfig | None = enabled_configs().filter(workspace_id=int(match["workspace_id"])).first()
    if config is None or config.protocol != match["protocol"] or not config.is_complete:
        return None
    return config


def config_for_email(email: str) -> SsoConfig | None:
    """The enabled, complete configuration whose domains include ``email``'s domain."""
    domain = email.strip().rsplit("@", 1)[-1].lower() if "@" in email else ""
    if not domain:
        return None
    row = SsoDomain.objects.filter(domain=domain, config__is_enabled=True).select_related("config__workspace").first()
    if row is None or not row.config.is_complete:
        return None
    return row.config


def _saml_mapping(config: SsoConfig) -> dict[str, list[str]]:
    def keys(own: str, field: str) -> list[str]:
        return [own, *SAML_DEFAULTS[field]] if own else list(SAML_DEFAULTS[field])

    return {
        "email": keys(config.email_attribute, "email"),
        "name": keys(config.name_attribute, "name"),
        "department": keys(config.department_attribute, "department"),
        "first_name": [
            "givenName",
            "urn:oid:2.5.4.42",
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
        ],
        "last_name": ["sn", "surname", "urn:oid:2.5.4.4"],
    }


def build_app(config: SsoConfig) -> SocialApp:
    """An unsaved ``SocialApp`` for allauth (like the ones it builds from settings)."""
    domains = [d.domain for d in config.domains.all()]
    app = SocialApp(provider=ALLAUTH_PROVIDER[Protocol(config.protocol)], provider_id=config.provider_id)
    app.name = f"{config.workspace.name} single sign-on"
    if config.protocol == Protocol.OIDC:
        app.client_id = config.oidc_client_id
        app.secret = config.oidc_client_secret or ""
        app.settings = {
            "server_url": config.oidc_issuer,
            "oauth_pkce_enabled": True,
            "fetch_userinfo": True,
            # An address is taken as proven only in the domains this IdP speaks for (see linking.py).
            "verified_email": domains,
        }
    else:
        app.client_id = config.provider_id  # allauth's SAML URLs use the client id as the organisation slug
        app.settings = {
            "idp": {
                "entity_id": config.saml_entity_id,
                "sso_url": config.saml_sso_url,
                "x509cert": config.saml_x509cert,
            },
            "attribute_mapping": _saml_mapping(config),
            "use_nameid_for_email": not config.email_attribute,
            "verified_email": domains,
            "advanced": {"strict": True, "reject_idp_initiated_sso": True},
        }
    return app


def list_apps(provider: str | None = None, client_id: str | None = None) -> list[SocialApp]:
    """allauth's ``list_apps``: ``provider`` is a provider class id (``saml``), a provider id (``ws12-saml``) or
    None (all of them)."""
    configs = enabled_configs().prefetch_related("domains")
    if provider in ALLAUTH_PROVIDER.values():
        protocol = next(p for p, name in ALLAUTH_PROVIDER.items() if name == provider)
        configs = configs.filter(protocol=protocol)
    elif provider:
        match = _PROVIDER_ID.match(provider)
        if not match:
            return []
        configs = configs.filter(workspace_id=int(match["workspace_id"]), protocol=match["protocol"])
    apps = [build_app(c) for c in configs if c.is_complete]
    if client_id:
        apps = [a for a in apps if a.client_id == client_id]
    return apps
