"""The write layer for single sign-on: saving a workspace's IdP, and adding people who sign in through it.

Functions raise ``ValidationError`` with a message for the admin; network checks (the OIDC discovery
document, SAML metadata by URL) run before the transaction, so no database lock is held while fetching.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from groundswell.sso import validation
from groundswell.sso.models import Protocol, SsoConfig, SsoDomain
from groundswell.workspaces.models import Department, Membership, Role, Workspace


@dataclass(frozen=True)
class SsoSettings:
    """What the admin entered (already cleaned by the form)."""

    protocol: str
    is_enabled: bool
    require_sso: bool
    jit_provisioning: bool
    domains: list[str]
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""  # empty: keep the stored one
    saml_metadata_url: str = ""
    saml_metadata_xml: str = ""
    saml_entity_id: str = ""
    saml_sso_url: str = ""
    saml_x509cert: str = ""
    email_attribute: str = ""
    name_attribute: str = ""
    department_attribute: str = ""


def _resolve_saml(values: SsoSettings) -> validation.SamlIdp:
    if values.saml_metadata_xml.strip():
        return validation.parse_metadata(values.saml_metadata_xml)
    if values.saml_metadata_url:
        return validation.fetch_metadata(values.saml_metadata_url)
    if not (values.saml_entity_id and values.saml_sso_url and values.saml_x509cert):
        raise ValidationError("Give the IdP's metadata (URL or XML), or its entity id, sign-in URL and certificate.")
    return validation.SamlIdp(values.saml_entity_id, values.saml_sso_url, values.saml_x509cert)


def save_sso_config(workspace: Workspace, values: SsoSettings, *, by: Membership | None) -> SsoConfig:
    """Create or update the workspace's IdP. An enabled configuration must be complete and checked."""
    existing = SsoConfig.objects.filter(workspace=workspace).first()
    if values.protocol not in Protocol.values:
        raise ValidationError(f"Unknown protocol {values.protocol!r}.")
    if values.is_enabled and not values.domains:
        raise ValidationError("Add at least one email domain whose people sign in through this identity provider.")
    saml: validation.SamlIdp | None = None
    if values.protocol == Protocol.OIDC:
        secret = values.oidc_client_secret or (existing.oidc_client_secret if existing else "") or ""
        if values.is_enabled or values.oidc_issuer:
            if not (values.oidc_issuer and values.oidc_client_id and secret):
                raise ValidationError("OpenID Connect needs the issuer URL, the client id and the client secret.")
            validation.check_issuer(values.oidc_issuer)
    else:
        secret = existing.oidc_client_secret if existing else ""
        if values.is_enabled or values.saml_metadata_url or values.saml_metadata_xml or values.saml_entity_id:
            saml = _resolve_saml(values)
    with transaction.atomic():
        config = existing or SsoConfig(workspace=workspace)
        config.protocol = values.protocol
        config.is_enabled = values.is_enabled
        config.require_sso = values.require_sso and values.is_enabled
        config.jit_provisioning = values.jit_provisioning
        config.oidc_issuer = values.oidc_issuer.rstrip("/") if values.oidc_issuer else ""
        config.oidc_client_id = values.oidc_client_id
        config.oidc_client_secret = secret or ""
        config.saml_metadata_url = values.saml_metadata_url
        if saml is not None:
            config.saml_entity_id, config.saml_sso_url, config.saml_x509cert = (
                saml.entity_id,
                saml.sso_url,
                saml.x509cert,
            )
        config.email_attribute = values.email_attribute.strip()
        config.name_attribute = values.name_attribute.strip()
        config.department_attribute = values.department_attribute.strip()
        config.updated_at = timezone.now()
        config.updated_by = by
        config.save()
        _set_domains(config, values.domains)
    return config


def _set_domains(config: SsoConfig, domains: list[str]) -> None:
    taken = list(SsoDomain.objects.filter(domain__in=domains).exclude(config=config).values_list("domain", flat=True))
    if taken:
        raise ValidationError(
            f"{', '.join(sorted(taken))} already signs in through another workspace's identity provider. "
            "A domain can belong to one workspace only."
        )
    SsoDomain.objects.filter(config=config).exclude(domain__in=domains).delete()
    have = set(SsoDomain.objects.filter(config=config).values_list("domain", flat=True))
    try:
        with transaction.atomic():
            SsoDomain.objects.bulk_create([SsoDomain(config=config, domain=d) for d in domains if d not in have])
    except IntegrityError:  # claimed concurrently by another workspace
        raise ValidationError("One of these domains was just claimed by another workspace.") from None


def disable_sso(config: SsoConfig, *, by: Membership | None) -> SsoConfig:
    """Stop offering SSO (and requiring it); linked identities and domains stay for when it is turned back on."""
    config.is_enabled = False
    config.require_sso = False
    config.updated_at = timezone.now()
    config.updated_by = by
    config.save(update_fields=["is_enabled", "require_sso", "updated_at", "updated_by"])
    return config


def _display_name(user: User, name: str) -> str:
    name = " ".join(name.split())[:120]
    if name:
        return name
    local = (user.email or user.get_username()).split("@", 1)[0]
    return local.replace(".", " ").replace("_", " ").title()[:120] or "Member"


def provision_member(config: SsoConfig, user: User, *, name: str = "", department: str = "") -> Membership:
    """Just-in-time provisioning: ``user`` (who just signed in through the workspace's IdP) joins as an employee,
    in ``department`` (created when the IdP names one the workspace does not have yet).

    An existing membership is returned untouched — deactivated members stay deactivated (the adapter refuses
    them before we get here).
    """
    workspace = config.workspace
    department = " ".join(department.split())[:120]
    with transaction.atomic():
        member = Membership.objects.filter(workspace=workspace, user=user).first()
        if member is not None:
            return member
        dept = None
        if department:
            dept = Department.objects.filter(workspace=workspace, name__iexact=department).first()
            if dept is None:
                dept, _ = Department.objects.get_or_create(workspace=workspace, name=department)
        try:
            with transaction.atomic():
                return Membership.objects.create(
                    workspace=workspace,
                    user=user,
                    role=Role.EMPLOYEE,
                    department=dept,
                    display_name=_display_name(user, name),
                )
        except IntegrityError:  # the same person signed in twice at once
            return Membership.objects.get(workspace=workspace, user=user)
