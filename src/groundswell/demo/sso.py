"""Demo data for single sign-on: Northwind signs in through its (fictional) SAML identity provider.

SSO is on for the company's domain, with just-in-time provisioning, but not required, so the demo's
password logins keep working. Most employees have signed in through the IdP at least once, so the admin's
SSO page shows linked identities. The IdP itself does not exist: "Sign in with SSO" leads to its address.
"""

from __future__ import annotations

import datetime as dt
import random

from allauth.socialaccount.models import SocialAccount
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from groundswell.demo import data
from groundswell.sso.models import Protocol, SsoConfig, SsoDomain
from groundswell.workspaces.models import Membership, Role, Workspace


def _certificate(now: dt.datetime) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"login.{data.DOMAIN}")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=30))
        .not_valid_after(now + dt.timedelta(days=700))
        .sign(key, hashes.SHA256())
    )
    return "".join(cert.public_bytes(serialization.Encoding.PEM).decode().strip().splitlines()[1:-1])


def build_sso(workspace: Workspace, members: list[Membership], now: dt.datetime, *, seed: int = 7) -> SsoConfig:
    admin = next((m for m in members if m.role == Role.ADMIN), None)
    config = SsoConfig.objects.create(
        workspace=workspace,
        protocol=Protocol.SAML,
        is_enabled=True,
        require_sso=False,
        jit_provisioning=True,
        saml_entity_id=f"https://login.{data.DOMAIN}/saml/metadata",
        saml_sso_url=f"https://login.{data.DOMAIN}/saml/sso",
        saml_x509cert=_certificate(now),
        email_attribute="mail",
        name_attribute="displayName",
        department_attribute="department",
        updated_at=now - dt.timedelta(days=60),
        updated_by=admin,
    )
    SsoDomain.objects.create(config=config, domain=data.DOMAIN)
    rng = random.Random(seed)
    accounts = []
    for member in members:
        if rng.random() > 0.7:  # some still use their password
            continue
        last = now - dt.timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 23))
        email = member.user.email
        accounts.append(
            SocialAccount(
                user_id=member.user_id,
                provider=config.provider_id,
                uid=email,
                last_login=last,
                date_joined=last - dt.timedelta(days=rng.randint(1, 50)),
                extra_data={
                    "mail": [email],
                    "displayName": [member.display_name],
                    "department": [member.department.name if member.department else ""],
                },
            )
        )
    SocialAccount.objects.bulk_create(accounts)
    return config
