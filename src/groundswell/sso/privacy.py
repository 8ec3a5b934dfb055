"""Privacy provider: the SSO identities linked to a member's account (allauth ``SocialAccount`` rows)."""

from __future__ import annotations

from typing import Any

from allauth.socialaccount.models import SocialAccount
from django.db import transaction

from groundswell.privacy.registry import ErasureResult, InventoryLine
from groundswell.sso.models import SsoConfig
from groundswell.workspaces.models import Membership


def _identities(member: Membership) -> Any:
    # Both protocols of this workspace: provider ids are "ws<workspace id>-oidc" / "-saml" (SsoConfig.provider_id).
    return SocialAccount.objects.filter(
        user_id=member.user_id, provider__in=[f"ws{member.workspace_id}-oidc", f"ws{member.workspace_id}-saml"]
    ).order_by("pk")


class SsoPrivacyProvider:
    key = "sso"
    label = "Single sign-on"
    models: tuple[str, ...] = ("socialaccount.SocialAccount", "sso.SsoConfig")

    def inventory(self, member: Membership) -> list[InventoryLine]:
        lines = [
            InventoryLine(
                what="Your identity at the company's identity provider (its id for you, and the name, email and "
                "department it sent when you last signed in)",
                count=_identities(member).count(),
                visible_to="Only you and Groundswell; program admins see whether you sign in with SSO, not the details",
                why="To sign you in through your company's single sign-on and keep your account linked to it",
            )
        ]
        if SsoConfig.objects.filter(updated_by=member).exists():
            lines.append(
                InventoryLine(
                    what="That you last changed the workspace's single sign-on settings",
                    count=None,
                    visible_to="Program admins",
                    why="So admins know who changed how everyone signs in",
                )
            )
        return lines

    def export(self, member: Membership) -> dict[str, Any]:
        return {
            "identities": [
                {
                    "provider": account.provider,
                    "uid": account.uid,
                    "last_login": account.last_login.isoformat() if account.last_login else None,
                    "date_joined": account.date_joined.isoformat() if account.date_joined else None,
                    "claims": account.extra_data,
                }
                for account in _identities(member)
            ],
            "changed_sso_settings": SsoConfig.objects.filter(updated_by=member).exists(),
        }

    def erase(self, member: Membership) -> ErasureResult:
        """Unlinks the identities (the next SSO sign-in links again, with fresh claims) and forgets who last
        edited the settings. Nothing is kept."""
        with transaction.atomic():
            erased, _ = _identities(member).delete()
            erased += SsoConfig.objects.filter(updated_by=member).update(updated_by=None)
        return ErasureResult(erased=erased)
