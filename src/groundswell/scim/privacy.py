"""What SCIM provisioning keeps about a member, for the privacy centre."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from groundswell.privacy.registry import ErasureResult, InventoryLine
from groundswell.scim.models import ScimEvent, ScimToken, ScimUser
from groundswell.workspaces.models import Membership


class ScimPrivacy:
    key: str = "scim"
    label: str = "Provisioning by your company's identity provider"
    models: tuple[str, ...] = ("scim.ScimUser", "scim.ScimEvent", "scim.ScimToken")

    def inventory(self, member: Membership) -> list[InventoryLine]:
        lines: list[InventoryLine] = []
        if ScimUser.objects.filter(member=member).exists():
            lines.append(
                InventoryLine(
                    what="How your company's identity provider knows you (its user name and id for you)",
                    count=None,
                    visible_to="Program admins",
                    why="To keep your membership in step with the company directory",
                )
            )
        events = ScimEvent.objects.filter(member=member).count()
        if events:
            lines.append(
                InventoryLine(
                    what="Log of changes the identity provider made to your membership (department, manager, "
                    "employee number, active or not)",
                    count=events,
                    visible_to="Program admins",
                    why="So admins can see who changed what, and when",
                )
            )
        tokens = ScimToken.objects.filter(created_by=member).count()
        if tokens:
            lines.append(
                InventoryLine(
                    what="SCIM tokens you created (name and dates)",
                    count=tokens,
                    visible_to="Program admins",
                    why="To know who connected the identity provider",
                )
            )
        return lines

    def export(self, member: Membership) -> dict[str, Any]:
        link = ScimUser.objects.filter(member=member).first()
        return {
            "identity_provider": (
                {"user_name": link.user_name, "external_id": link.external_id, "since": link.created_at.isoformat()}
                if link is not None
                else None
            ),
            "changes": [
                {
                    "at": e.created_at.isoformat(),
                    "operation": e.operation,
                    "token": e.token_name,
                    "changes": e.changes,
                }
                for e in ScimEvent.objects.filter(member=member).order_by("created_at", "pk")
            ],
            "tokens_created": [
                {
                    "name": t.name,
                    "created_at": t.created_at.isoformat(),
                    "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
                }
                for t in ScimToken.objects.filter(created_by=member).order_by("created_at")
            ],
        }

    def erase(self, member: Membership) -> ErasureResult:
        result = ErasureResult()
        with transaction.atomic():
            result.erased += ScimUser.objects.filter(member=member).delete()[0]
            result.erased += ScimEvent.objects.filter(member=member).update(
                member=None, label="(erased member)", changes={}
            )
            kept_tokens = ScimToken.objects.filter(created_by=member).update(created_by=None)
        result.kept.append(
            "Provisioning log lines, without your name or details: when the identity provider changed a membership "
            "and with which token, so admins can audit its access"
        )
        if kept_tokens:
            result.kept.append(
                "SCIM tokens you created, without your name: the workspace's identity provider uses them"
            )
        return result
