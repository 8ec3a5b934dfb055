"""Single sign-on: one identity provider per workspace (OpenID Connect or SAML) and the domains it speaks for.

The identities people sign in with are allauth's ``SocialAccount`` rows (``provider`` is the workspace's
``provider_id``, see ``SsoConfig.provider_id``); nothing about them is copied here.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone as djtz

from groundswell.networks.crypto import EncryptedTextField
from groundswell.workspaces.models import Membership, Workspace


class Protocol(models.TextChoices):
    OIDC = "oidc", "OpenID Connect"
    SAML = "saml", "SAML 2.0"


class SsoConfig(models.Model):
    """A workspace's identity provider and how signing in through it works."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="sso_config")
    protocol = models.CharField(max_length=8, choices=Protocol.choices, default=Protocol.OIDC)
    is_enabled = models.BooleanField(
        default=False, help_text="Offer “Sign in with SSO” for this workspace's email domains."
    )
    require_sso = models.BooleanField(
        default=False,
        help_text="Members must sign in through the identity provider; password sign-in is refused for them. "
        "Program admins keep their password, so a broken identity provider cannot lock everyone out.",
    )
    jit_provisioning = models.BooleanField(
        default=True,
        help_text="The first sign-in of someone with an allowed email domain adds them to the workspace as an "
        "employee, without an invitation.",
    )
    # OpenID Connect
    oidc_issuer = models.URLField(max_length=500, blank=True)
    oidc_client_id = models.CharField(max_length=255, blank=True)
    oidc_client_secret = EncryptedTextField(blank=True)
    # SAML (the IdP's settings; metadata given as a URL or XML is parsed into these when saved)
    saml_entity_id = models.CharField(max_length=500, blank=True)
    saml_sso_url = models.URLField(max_length=500, blank=True)
    saml_x509cert = models.TextField(blank=True)
    saml_metadata_url = models.URLField(max_length=500, blank=True)
    # Where the email, name and department come from: SAML attribute names or OIDC claim names.
    email_attribute = models.CharField(max_length=255, blank=True)
    name_attribute = models.CharField(max_length=255, blank=True)
    department_attribute = models.CharField(max_length=255, blank=True)
    updated_at = models.DateTimeField(default=djtz.now)
    updated_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"{self.get_protocol_display()} for {self.workspace}"

    @property
    def provider_id(self) -> str:
        """The id allauth knows this workspace's IdP by (in its URLs and ``SocialAccount.provider``).

        Built from the primary key, so renaming the workspace's slug never orphans linked identities.
        """
        return f"ws{self.workspace_id}-{self.protocol}"

    @property
    def is_complete(self) -> bool:
        if self.protocol == Protocol.OIDC:
            return bool(self.oidc_issuer and self.oidc_client_id)
        return bool(self.saml_entity_id and self.saml_sso_url and self.saml_x509cert)


class SsoDomain(models.Model):
    """An email domain whose people sign in through a workspace's IdP. A domain belongs to one workspace only,
    so an email always leads to exactly one IdP."""

    config = models.ForeignKey(SsoConfig, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253, unique=True)

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain
