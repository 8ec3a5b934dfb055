"""The login behind a membership: the user account and its email addresses (allauth)."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model

from groundswell.privacy.providers._util import iso
from groundswell.privacy.registry import ADMINS, ErasureResult, InventoryLine
from groundswell.workspaces.models import Membership


def _other_memberships(member: Membership) -> bool:
    return Membership.objects.filter(user_id=member.user_id).exclude(pk=member.pk).exists()


class AccountProvider:
    key = "account"
    label = "Your sign-in account"
    models: tuple[str, ...] = ("auth.User", "account.EmailAddress", "admin.LogEntry")

    def inventory(self, member: Membership) -> list[InventoryLine]:
        return [
            InventoryLine(
                "Your sign-in account: email address, when you signed up and last signed in (your password is "
                "stored only as a one-way hash)",
                EmailAddress.objects.filter(user_id=member.user_id).count() or None,
                ADMINS,
                "So you can sign in and receive invitations.",
            )
        ]

    def export(self, member: Membership) -> dict[str, Any]:
        user = member.user
        return {
            "user": {
                "username": user.get_username(),
                "email": getattr(user, "email", ""),
                "date_joined": iso(getattr(user, "date_joined", None)),
                "last_login": iso(user.last_login),
            },
            "email_addresses": [
                {"email": e.email, "verified": e.verified, "primary": e.primary}
                for e in EmailAddress.objects.filter(user_id=member.user_id).order_by("email")
            ],
        }

    def erase(self, member: Membership) -> ErasureResult:
        if _other_memberships(member):
            return ErasureResult(kept=self.keeps(member))
        kept = self.keeps(member)
        user = get_user_model().objects.get(pk=member.user_id)
        erased, _ = EmailAddress.objects.filter(user_id=user.pk).delete()
        placeholder = f"erased-user-{user.pk}"
        user.username = placeholder
        user.email = f"{placeholder}@invalid.invalid"
        user.first_name = ""
        user.last_name = ""
        user.is_active = False
        user.set_unusable_password()
        user.save()
        return ErasureResult(erased=erased + 1, kept=kept)

    def keeps(self, member: Membership) -> list[str]:
        kept = []
        if _other_memberships(member):
            kept.append(
                "Your sign-in account (email address and password): you also belong to another workspace "
                "on this Groundswell, which still needs it. Delete your data there too to remove it."
            )
        if LogEntry.objects.filter(user_id=member.user_id).exists():
            kept.append(
                "The server's administration log of changes you made as a server administrator: kept as the "
                "operator's audit trail."
            )
        return kept
