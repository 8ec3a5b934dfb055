"""A test SAML identity provider: a key and self-signed certificate made in the test, and signed responses.

Signing uses python3-saml's ``OneLogin_Saml2_Utils.add_sign`` (xmlsec), the same library that verifies them.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
import zlib
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

ENTITY_ID = "https://idp.example.test/saml"
SSO_URL = "https://idp.example.test/saml/sso"


@dataclass(frozen=True)
class IdpKey:
    key_pem: str
    cert_pem: str

    @property
    def cert_b64(self) -> str:
        return "".join(self.cert_pem.strip().splitlines()[1:-1])


def make_key(common_name: str = "Test IdP") -> IdpKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return IdpKey(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode(),
        cert.public_bytes(serialization.Encoding.PEM).decode(),
    )


def metadata_xml(key: IdpKey, entity_id: str = ENTITY_ID, sso_url: str = SSO_URL) -> str:
    return f"""<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{entity_id}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{key.cert_b64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="{sso_url}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"""


def request_id(redirect_url: str) -> str:
    """The ID of the AuthnRequest in an HTTP-Redirect binding URL."""
    saml_request = parse_qs(urlsplit(redirect_url).query)["SAMLRequest"][0]
    xml = zlib.decompress(base64.b64decode(saml_request), -15).decode()
    return xml.split(' ID="', 1)[1].split('"', 1)[0]


def _instant(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def response(
    key: IdpKey,
    *,
    acs_url: str,
    audience: str,
    in_response_to: str,
    email: str,
    attributes: dict[str, str],
    issuer: str = ENTITY_ID,
    nameid_format: str = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
) -> str:
    """A signed SAML Response (base64, for the HTTP-POST binding)."""
    from onelogin.saml2.constants import OneLogin_Saml2_Constants as C
    from onelogin.saml2.utils import OneLogin_Saml2_Utils

    now = dt.datetime.now(dt.UTC)
    irt = f' InResponseTo="{in_response_to}"' if in_response_to else ""  # none: an unsolicited (IdP-initiated) response
    later = now + dt.timedelta(minutes=5)
    attrs = "".join(
        f'<saml:Attribute Name="{escape(k)}"><saml:AttributeValue>{escape(v)}</saml:AttributeValue></saml:Attribute>'
        for k, v in attributes.items()
    )
    xml = f"""<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_{uuid.uuid4().hex}" Version="2.0" IssueInstant="{_instant(now)}" Destination="{acs_url}"{irt}><saml:Issuer>{issuer}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status><saml:Assertion ID="_{uuid.uuid4().hex}" Version="2.0" IssueInstant="{_instant(now)}"><saml:Issuer>{issuer}</saml:Issuer><saml:Subject><saml:NameID Format="{nameid_format}">{escape(email)}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="{_instant(later)}" Recipient="{acs_url}"{irt}/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="{_instant(now - dt.timedelta(minutes=1))}" NotOnOrAfter="{_instant(later)}"><saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="{_instant(now)}" SessionIndex="_{uuid.uuid4().hex}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement>{attrs}</saml:AttributeStatement></saml:Assertion></samlp:Response>"""
    signed = OneLogin_Saml2_Utils.add_sign(
        xml, key.key_pem, key.cert_pem, sign_algorithm=C.RSA_SHA256, digest_algorithm=C.SHA256
    )
    raw = signed if isinstance(signed, bytes) else signed.encode()
    return base64.b64encode(raw).decode()
