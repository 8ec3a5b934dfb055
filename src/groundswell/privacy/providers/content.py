"""Items the member submitted or worked on, goals they created, policy acknowledgements."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from groundswell.content.models import Item, ItemState
from groundswell.goals.models import Goal
from groundswell.policy.models import PolicyAcknowledgement, PolicyVersion
from groundswell.privacy.providers._util import iso
from groundswell.privacy.registry import ADMINS, ErasureResult, InventoryLine
from groundswell.workspaces.models import Membership


class ContentProvider:
    key = "content"
    label = "Content you submitted"
    models: tuple[str, ...] = ("content.Item",)

    def inventory(self, member: Membership) -> list[InventoryLine]:
        return [
            InventoryLine(
                "Items you suggested for the content hub, with their review outcome",
                Item.objects.filter(submitted_by=member).count(),
                ADMINS,
                "Admins review suggestions before anyone can share them.",
            ),
            InventoryLine(
                "Items you created or reviewed as an editor (your name on them)",
                Item.objects.filter(created_by=member).exclude(submitted_by=member).count()
                + Item.objects.filter(reviewed_by=member).exclude(submitted_by=member).count(),
                ADMINS,
                "Who published what.",
            ),
        ]

    def export(self, member: Membership) -> dict[str, Any]:
        return {
            "submitted_items": [
                {
                    "id": i.pk,
                    "kind": i.kind,
                    "state": i.state,
                    "title": i.title,
                    "url": i.url,
                    "body": i.body,
                    "description": i.description,
                    "rejection_reason": i.rejection_reason,
                    "created_at": iso(i.created_at),
                    "published_at": iso(i.published_at),
                }
                for i in Item.objects.filter(submitted_by=member).order_by("created_at")
            ],
            "items_created_or_reviewed": [
                {"id": i.pk, "title": i.display_title, "state": i.state}
                for i in Item.objects.filter(Q(created_by=member) | Q(reviewed_by=member)).order_by("created_at")
            ],
        }

    def erase(self, member: Membership) -> ErasureResult:
        unpublished = Item.objects.filter(submitted_by=member).exclude(state=ItemState.PUBLISHED)
        # Delete through the queryset: shares of an item never published cannot exist.
        deleted, _ = unpublished.filter(shares__isnull=True).delete()
        unlinked = Item.objects.filter(submitted_by=member).update(submitted_by=None)
        Item.objects.filter(created_by=member).update(created_by=None)
        Item.objects.filter(reviewed_by=member).update(reviewed_by=None)
        kept = [self._kept(unlinked)] if unlinked else []
        return ErasureResult(erased=deleted + unlinked, kept=kept)

    def keeps(self, member: Membership) -> list[str]:
        published = Item.objects.filter(submitted_by=member, state=ItemState.PUBLISHED).count()
        return [self._kept(published)] if published else []

    @staticmethod
    def _kept(count: int) -> str:
        return (
            f"{count} item(s) you suggested that were published or already shared: they are now the "
            "company's content, kept without your name."
        )


class GoalsProvider:
    key = "goals"
    label = "Program goals"
    models: tuple[str, ...] = ("goals.Goal",)

    def inventory(self, member: Membership) -> list[InventoryLine]:
        return [
            InventoryLine(
                "Program goals you created (your name on them)",
                Goal.objects.filter(created_by=member).count(),
                ADMINS,
                "Who set which goal.",
            )
        ]

    def export(self, member: Membership) -> dict[str, Any]:
        return {
            "goals_created": [
                {"name": g.name, "metric": g.metric, "target": g.target, "period_start": iso(g.period_start)}
                for g in Goal.objects.filter(created_by=member)
            ]
        }

    def erase(self, member: Membership) -> ErasureResult:
        return ErasureResult(erased=Goal.objects.filter(created_by=member).update(created_by=None))


class PolicyProvider:
    key = "policy"
    label = "Social media policy"
    models: tuple[str, ...] = ("policy.PolicyAcknowledgement", "policy.PolicyVersion")

    def inventory(self, member: Membership) -> list[InventoryLine]:
        return [
            InventoryLine(
                "Which versions of the social media policy you acknowledged, and when",
                PolicyAcknowledgement.objects.filter(member=member).count(),
                ADMINS,
                "Admins see how many people acknowledged the current policy.",
            )
        ]

    def export(self, member: Membership) -> dict[str, Any]:
        return {
            "acknowledgements": [
                {"version": a.version.number, "title": a.version.title, "acknowledged_at": iso(a.acknowledged_at)}
                for a in PolicyAcknowledgement.objects.filter(member=member).select_related("version")
            ],
            "versions_published": [v.number for v in PolicyVersion.objects.filter(published_by=member)],
        }

    def erase(self, member: Membership) -> ErasureResult:
        deleted, _ = PolicyAcknowledgement.objects.filter(member=member).delete()
        # Versions are append-only (save refuses); a queryset update only drops the author's name.
        PolicyVersion.objects.filter(published_by=member).update(published_by=None)
        return ErasureResult(erased=deleted)
