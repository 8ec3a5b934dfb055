"""Checking what an admin enters before it is saved: an OIDC issuer's discovery document, SAML metadata,
certificates and email domains. Every failure is a ``ValidationError`` whose message says what to fix."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from cryptography import x509
from django.core.exceptions import ValidationError

from groundswell.lib.safe_fetch import FetchError, safe_get

DISCOVERY_PATH = "/.well-known/openid-configuration"
JSON_TYPES = frozenset({"application/json", "application/jwk-set+json"})
XML_TYPES = frozenset({"application/samlmetadata+xml", "application/xml", "text/xml"})
_DOMAIN = re.compile(r"^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$")
_PEM = re.compile(r"-----(BEGIN|END) CERTIFICATE-----|\s")


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + DISCOVERY_PATH


def check_issuer(issuer: str) -> dict[str, object]:
    """The issuer's discovery document, fetched through the SSRF-safe fetcher and checked for what sign-in
    needs (OpenID Connect Discovery 1.0 §4: the ``issuer`` in it must equal the URL it was fetched from)."""
    url = discovery_url(issuer)
    try:
        result = safe_get(url, content_types=JSON_TYPES)
    except FetchError as exc:
        raise ValidationError(f"Could not read the discovery document at {url}: {exc}") from exc
    try:
        document = json.loads(result.body.decode(result.charset or "utf-8"))
    except (UnicodeDecodeError, LookupError, ValueError) as exc:
        raise ValidationError(f"The discovery document at {url} is not valid JSON.") from exc
    if not isinstance(document, dict):
        raise ValidationError(f"The discovery document at {url} is not a JSON object.")
    missing = [k for k in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri") if not document.get(k)]
    if missing:
        raise ValidationError(
            f"The discovery document at {url} lacks {', '.join(missing)}: is this an OpenID provider?"
        )
    if str(document["issuer"]).rstrip("/") != issuer.rstrip("/"):
        raise ValidationError(
            f"The provider calls itself {document['issuer']!r}, not {issuer!r}: enter exactly that issuer URL."
        )
    return document


def clean_domains(text: str) -> list[str]:
    """Email domains from a comma/space/line separated list, lower-cased, deduplicated, in the given order."""
    domains: list[str] = []
    for raw in re.split(r"[\s,;]+", text.strip()):
        domain = raw.strip().lower().lstrip("@").rstrip(".")
        if not domain:
            continue
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            raise ValidationError(f"{raw!r} is not a valid domain name.") from None
        if not _DOMAIN.match(domain):
            raise ValidationError(f"{raw!r} is not a domain name like example.com.")
        if domain not in domains:
            domains.append(domain)
    return domains


def clean_certificate(text: str) -> str:
    """The IdP's signing certificate as bare base64 (PEM armour and spaces removed), checked to parse."""
    body = _PEM.sub("", text)
    if not body:
        raise ValidationError("Paste the identity provider's signing certificate (PEM or base64).")
    pem = "-----BEGIN CERTIFICATE-----\n" + "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
    try:
        x509.load_pem_x509_certificate((pem + "\n-----END CERTIFICATE-----\n").encode())
    except ValueError as exc:
        raise ValidationError("That is not an X.509 certificate (expected PEM or base64 DER).") from exc
    return body


@dataclass(frozen=True)
class SamlIdp:
    entity_id: str
    sso_url: str
    x509cert: str


def parse_metadata(xml: str) -> SamlIdp:
    """The IdP's entity id, HTTP-Redirect sign-in URL and signing certificate from its SAML metadata."""
    from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

    try:
        parsed = OneLogin_Saml2_IdPMetadataParser.parse(xml)
    except Exception as exc:  # the parser raises bare Exceptions and lxml errors for bad XML
        raise ValidationError(f"The SAML metadata could not be read: {exc}") from exc
    idp = parsed.get("idp") or {}
    entity_id = str(idp.get("entityId") or "")
    sso_url = str((idp.get("singleSignOnService") or {}).get("url") or "")
    cert = str(idp.get("x509cert") or "")
    if not cert:
        signing = (idp.get("x509certMulti") or {}).get("signing") or []
        cert = str(signing[0]) if signing else ""
    if not (entity_id and sso_url and cert):
        raise ValidationError(
            "The SAML metadata lacks an IdP entity id, an HTTP-Redirect single sign-on URL or a signing certificate."
        )
    return SamlIdp(entity_id, sso_url, clean_certificate(cert))


def fetch_metadata(url: str) -> SamlIdp:
    try:
        result = safe_get(url, content_types=XML_TYPES)
    except FetchError as exc:
        raise ValidationError(f"Could not read the SAML metadata at {url}: {exc}") from exc
    return parse_metadata(result.body.decode(result.charset or "utf-8", errors="replace"))
