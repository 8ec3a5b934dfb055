"""Who may sign in through a workspace's IdP, and as whom. Decided before allauth logs anyone in.

The rules (docs/adr/0013-per-workspace-sso.md explains why):

1. The IdP must send an email address, in one of the domains the workspace claimed for it.
2. An identity already linked to a user signs that user in.
3. Otherwise a user with the same email is linked — but only if they belong to no *other* workspace
   (``workspaces.actions.belongs_elsewhere``), at linking and at every later sign-in: an IdP speaks for its own
   workspace, never for an account that another company also relies on (ADR 0024). Such a person signs in
   with their password and, where the workspace requires SSO, confirms through its IdP while signed in
   (``adapter.WorkspaceSocialAccountAdapter.pre_social_login``).
4. A deactivated member is refused (a program admin ended their membership; SSO does not undo that), and
   so is a membership still awaiting the person's acceptance (they accept the emailed invitation).
5. Someone without a membership gets in only through a pending invitation to this workspace or through
   just-in-time provisioning (then ``actions.provision_member`` adds them once they are logged in).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from allauth.account.utils import filter_users_by_email
from allauth.socialaccount.models import SocialLogin
from django.contrib.auth.models import User
from django.http import HttpRequest

from groundswell.sso.idp import SAML_DEFAULTS
from groundswell.sso.models import Protocol, SsoConfig
from groundswell.workspaces.actions import belongs_elsewhere
from groundswell.workspaces.invitations import pending_invitation
from groundswell.workspaces.models import Membership


class SsoRefused(Exception):
    """A sign-in that is not allowed; ``str(exc)`` tells the person why and what to do."""


@dataclass(frozen=True)
class Decision:
    email: str
    link_to: User | None  # an existing account to link the identity to


def login_email(sociallogin: SocialLogin) -> str:
    email = str(getattr(sociallogin.user, "email", "") or "")
    if not email:
        for address in sociallogin.email_addresses:
            if address.email:
                email = address.email
                break
    return email.strip().lower()


def _claim(config: SsoConfig, data: dict[str, Any], own: str, field: str, oidc_default: str) -> str:
    if config.protocol == Protocol.OIDC:
        value = data.get(own or oidc_default)
    else:
        value = None
        for key in [own] if own else SAML_DEFAULTS[field]:
            values = data.get(key)
            if values:
                value = values[0] if isinstance(values, list) else values
                break
    return str(value).strip() if isinstance(value, str | int) else ""


def _oidc_claims(sociallogin: SocialLogin) -> dict[str, Any]:
    extra = sociallogin.account.extra_data or {}
    data = extra.get("userinfo") or extra.get("id_token") or {}
    return data if isinstance(data, dict) else {}


def profile_claims(config: SsoConfig, sociallogin: SocialLogin) -> tuple[str, str]:
    """(display name, department) from the IdP's claims or attributes, '' when absent."""
    extra = sociallogin.account.extra_data or {}
    data = (extra.get("userinfo") or extra.get("id_token") or extra) if config.protocol == Protocol.OIDC else extra
    if not isinstance(data, dict):
        return "", ""
    return (
        _claim(config, data, config.name_attribute, "name", "name"),
        _claim(config, data, config.department_attribute, "department", "department"),
    )


def confirms_signed_in_member(request: HttpRequest, config: SsoConfig, sociallogin: SocialLogin) -> bool:
    """Whether this IdP answer only confirms the person already signed in, as an active member of the workspace.

    That is how a member whose account belongs to other workspaces too (so the IdP may not link it) meets the
    workspace's "require SSO": signed in first, then through the IdP with the same, verified, claimed email.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    if sociallogin.is_existing and sociallogin.user.pk != user.pk:
        return False  # the identity is someone else's: allauth signs that account in, by decide's rules
    email = login_email(sociallogin)
    if "@" not in email or email != (user.email or "").strip().lower():
        return False
    if config.protocol == Protocol.OIDC and _oidc_claims(sociallogin).get("email_verified") is False:
        return False
    if not config.domains.filter(domain=email.rsplit("@", 1)[1]).exists():
        return False
    return Membership.objects.filter(workspace=config.workspace, user_id=user.pk, is_active=True).exists()


def decide(request: HttpRequest, config: SsoConfig, sociallogin: SocialLogin) -> Decision:
    workspace = config.workspace
    email = login_email(sociallogin)
    if "@" not in email:
        raise SsoRefused(
            f"{workspace.name}'s identity provider did not tell us your email address, so we cannot sign you in. "
            "Ask your IT team to release the email attribute to Groundswell."
        )
    if config.protocol == Protocol.OIDC and _oidc_claims(sociallogin).get("email_verified") is False:
        raise SsoRefused(
            f"{workspace.name}'s identity provider says {email} is not verified, so we cannot sign you in with it. "
            "Ask your IT team to verify the address."
        )
    domain = email.rsplit("@", 1)[1]
    if not config.domains.filter(domain=domain).exists():
        raise SsoRefused(
            f"{email} is not in one of the email domains that sign in to {workspace.name} through single sign-on. "
            "Ask your program admin to add the domain, or sign in with your password."
        )
    user: User | None
    link_to: User | None = None
    if sociallogin.is_existing:
        user = sociallogin.user
        if belongs_elsewhere(user, workspace):
            # Linked while the account was this workspace's alone; it has since joined another one, which
            # relies on it too: from now on the IdP confirms, it does not sign in (ADR 0024).
            raise SsoRefused(
                f"The Groundswell account for {email} now also belongs to another workspace, so "
                f"{workspace.name}'s identity provider cannot sign it in any more. Sign in with your email and "
                f"password; if {workspace.name} asks for single sign-on, confirm there through its identity provider."
            )
    else:
        # Primary or secondary (allauth EmailAddress) addresses, as allauth itself would match them.
        matches = filter_users_by_email(email)
        user = min(matches, key=lambda u: u.pk) if matches else None
        if user is not None:
            if belongs_elsewhere(user, workspace):
                raise SsoRefused(
                    f"The Groundswell account for {email} also belongs to another workspace, so {workspace.name}'s "
                    "identity provider cannot sign it in. Sign in with your email and password first; if "
                    f"{workspace.name} asks for single sign-on, confirm there through its identity provider."
                )
            link_to = user
    member = Membership.objects.filter(workspace=workspace, user=user).first() if user is not None else None
    if member is not None and member.awaiting_acceptance:
        raise SsoRefused(
            f"You have not joined {workspace.name} yet. Open the invitation we emailed to {email}, sign in and "
            "accept it; then single sign-on works here."
        )
    if member is not None and not member.is_active:
        raise SsoRefused(
            f"Your membership in {workspace.name} was ended by a program admin. Ask them if you think this is a mistake."
        )
    if member is None:
        invitation = pending_invitation(request)
        invited = invitation is not None and invitation.workspace_id == workspace.pk
        if not invited and not config.jit_provisioning:
            raise SsoRefused(
                f"{workspace.name} adds people by invitation only. Ask your program admin to invite {email}."
            )
    return Decision(email=email, link_to=link_to)
