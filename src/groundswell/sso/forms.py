from __future__ import annotations

from typing import Any

from django import forms

from groundswell.sso import validation
from groundswell.sso.actions import SsoSettings
from groundswell.sso.models import Protocol, SsoConfig


class SsoConfigForm(forms.Form):
    protocol = forms.ChoiceField(choices=Protocol.choices, widget=forms.RadioSelect, label="Protocol")
    is_enabled = forms.BooleanField(required=False, label="Offer “Sign in with SSO”")
    domains = forms.CharField(
        required=False,
        max_length=2000,
        label="Allowed email domains",
        help_text="Comma-separated, for example acme.com, acme.de. People with these addresses sign in through "
        "this identity provider; a domain can belong to one workspace only.",
    )
    require_sso = forms.BooleanField(
        required=False,
        label="Require SSO for this workspace's members",
        help_text="Members must sign in through the identity provider to open this workspace (program admins "
        "keep their password as a way back in). Their other workspaces are not affected.",
    )
    jit_provisioning = forms.BooleanField(
        required=False,
        label="Add people on their first sign-in (just-in-time provisioning)",
        help_text="Someone with an allowed email domain who signs in for the first time joins as an employee.",
    )
    oidc_issuer = forms.URLField(
        required=False,
        max_length=500,
        label="Issuer URL",
        assume_scheme="https",
        help_text="We read its /.well-known/openid-configuration to check it.",
    )
    oidc_client_id = forms.CharField(required=False, max_length=255, label="Client id")
    oidc_client_secret = forms.CharField(
        required=False,
        max_length=2000,
        label="Client secret",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Stored encrypted. Leave empty to keep the current secret.",
    )
    saml_metadata_url = forms.URLField(
        required=False,
        max_length=500,
        label="IdP metadata URL",
        assume_scheme="https",
        help_text="Fills in the three fields below when saved.",
    )
    saml_metadata_xml = forms.CharField(
        required=False,
        max_length=200_000,
        label="…or the IdP metadata XML",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    saml_entity_id = forms.CharField(required=False, max_length=500, label="IdP entity id")
    saml_sso_url = forms.URLField(required=False, max_length=500, label="IdP single sign-on URL", assume_scheme="https")
    saml_x509cert = forms.CharField(
        required=False,
        max_length=20_000,
        label="IdP signing certificate",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="PEM (-----BEGIN CERTIFICATE-----…) or base64.",
    )
    email_attribute = forms.CharField(
        required=False,
        max_length=255,
        label="Email attribute",
        help_text="SAML only; empty: email, mail or the NameID.",
    )
    name_attribute = forms.CharField(
        required=False, max_length=255, label="Name attribute or claim", help_text="Empty: name (or displayName)."
    )
    department_attribute = forms.CharField(
        required=False,
        max_length=255,
        label="Department attribute or claim",
        help_text="New members are put in this department (created if needed). Empty: department.",
    )

    @classmethod
    def initial_for(cls, config: SsoConfig | None) -> dict[str, Any]:
        if config is None:
            return {"protocol": Protocol.OIDC, "jit_provisioning": True}
        return {
            "protocol": config.protocol,
            "is_enabled": config.is_enabled,
            "domains": ", ".join(d.domain for d in config.domains.all()),
            "require_sso": config.require_sso,
            "jit_provisioning": config.jit_provisioning,
            "oidc_issuer": config.oidc_issuer,
            "oidc_client_id": config.oidc_client_id,
            "saml_metadata_url": config.saml_metadata_url,
            "saml_entity_id": config.saml_entity_id,
            "saml_sso_url": config.saml_sso_url,
            "saml_x509cert": config.saml_x509cert,
            "email_attribute": config.email_attribute,
            "name_attribute": config.name_attribute,
            "department_attribute": config.department_attribute,
        }

    def clean_domains(self) -> list[str]:
        return validation.clean_domains(self.cleaned_data.get("domains") or "")

    def clean_saml_x509cert(self) -> str:
        value = (self.cleaned_data.get("saml_x509cert") or "").strip()
        return validation.clean_certificate(value) if value else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("require_sso") and not data.get("is_enabled"):
            self.add_error("require_sso", "Turn on “Sign in with SSO” to require it.")
        if data.get("protocol") == Protocol.SAML and data.get("saml_metadata_url") and data.get("saml_metadata_xml"):
            self.add_error("saml_metadata_xml", "Give the metadata as a URL or as XML, not both.")
        return data

    def to_settings(self) -> SsoSettings:
        d = self.cleaned_data
        return SsoSettings(
            protocol=d["protocol"],
            is_enabled=bool(d.get("is_enabled")),
            require_sso=bool(d.get("require_sso")),
            jit_provisioning=bool(d.get("jit_provisioning")),
            domains=d.get("domains") or [],
            oidc_issuer=d.get("oidc_issuer") or "",
            oidc_client_id=(d.get("oidc_client_id") or "").strip(),
            oidc_client_secret=d.get("oidc_client_secret") or "",
            saml_metadata_url=d.get("saml_metadata_url") or "",
            saml_metadata_xml=d.get("saml_metadata_xml") or "",
            saml_entity_id=(d.get("saml_entity_id") or "").strip(),
            saml_sso_url=d.get("saml_sso_url") or "",
            saml_x509cert=d.get("saml_x509cert") or "",
            email_attribute=d.get("email_attribute") or "",
            name_attribute=d.get("name_attribute") or "",
            department_attribute=d.get("department_attribute") or "",
        )


class SsoEmailForm(forms.Form):
    email = forms.EmailField(
        label="Work email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
