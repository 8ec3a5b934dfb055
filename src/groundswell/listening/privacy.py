"""Listening keeps public posts by people outside the company; about members it keeps only who set up topics."""

from __future__ import annotations

from typing import Any

from groundswell.listening.models import ListeningCredential, Topic
from groundswell.privacy.registry import ADMINS, ErasureResult, InventoryLine
from groundswell.workspaces.models import Membership


class ListeningProvider:
    key: str = "listening"
    label: str = "Listening"
    models: tuple[str, ...] = ("listening.Topic", "listening.ListeningCredential")

    def inventory(self, member: Membership) -> list[InventoryLine]:
        return [
            InventoryLine(
                "Listening topics you set up (as a program admin)",
                Topic.objects.filter(created_by=member).count(),
                ADMINS,
                "Who defined what the company listens for",
            ),
            InventoryLine(
                "Listening credentials you last changed (as a program admin; the secrets are not shown)",
                ListeningCredential.objects.filter(updated_by=member).count(),
                ADMINS,
                "Who last set the account a listening source signs in with",
            ),
        ]

    def export(self, member: Membership) -> dict[str, Any]:
        return {
            "topics_created": [{"name": t.name, "query": t.query} for t in Topic.objects.filter(created_by=member)],
            "listening_credentials_changed": [
                {"network": c.network, "updated_at": c.updated_at.isoformat()}
                for c in ListeningCredential.objects.filter(updated_by=member)
            ],
        }

    def erase(self, member: Membership) -> ErasureResult:
        erased = Topic.objects.filter(created_by=member).update(created_by=None)
        erased += ListeningCredential.objects.filter(updated_by=member).update(updated_by=None)
        return ErasureResult(erased=erased)
