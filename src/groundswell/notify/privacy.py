"""What notify keeps about a member: their devices' push subscriptions and their notification choices."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from groundswell.notify.models import NotificationPreference, PushSubscription
from groundswell.privacy.registry import ONLY_YOU, ErasureResult, InventoryLine, register
from groundswell.workspaces.models import Membership


class NotifyPrivacy:
    key = "notify"
    label = "Notifications"
    models: tuple[str, ...] = ("notify.PushSubscription", "notify.NotificationPreference")

    def inventory(self, member: Membership) -> list[InventoryLine]:
        return [
            InventoryLine(
                what="Devices you enabled for push notifications (the browser's push address and keys, encrypted)",
                count=PushSubscription.objects.filter(member=member).count(),
                visible_to=ONLY_YOU,
                why="To send the notifications you asked for to your phone or computer.",
            ),
            InventoryLine(
                what="Your notification choices (push, e-mail or off, per kind)",
                count=NotificationPreference.objects.filter(member=member).count(),
                visible_to=ONLY_YOU,
                why="To respect them.",
            ),
        ]

    def export(self, member: Membership) -> dict[str, Any]:
        return {
            "devices": [
                {"device": s.device, "created_at": s.created_at.isoformat()}
                for s in PushSubscription.objects.filter(member=member)
            ],
            "preferences": {
                p.kind: p.channel for p in NotificationPreference.objects.filter(member=member).order_by("kind")
            },
        }

    def erase(self, member: Membership) -> ErasureResult:
        result = ErasureResult()
        with transaction.atomic():
            result.erased += PushSubscription.objects.filter(member=member).delete()[0]
            result.erased += NotificationPreference.objects.filter(member=member).delete()[0]
        return result


register(NotifyPrivacy())
