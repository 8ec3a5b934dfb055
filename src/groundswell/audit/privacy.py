"""What the audit keeps about a member: that they receive the report by email, and which reports were sent."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q

from groundswell.audit.models import ReportDelivery, ReportSubscription
from groundswell.privacy.registry import ADMINS, ErasureResult, InventoryLine
from groundswell.workspaces.models import Membership


class AuditPrivacy:
    key: str = "audit"
    label: str = "The chatter audit report by email"
    models: tuple[str, ...] = ("audit.ReportSubscription", "audit.ReportDelivery")

    def inventory(self, member: Membership) -> list[InventoryLine]:
        return [
            InventoryLine(
                what="Chatter audit reports you receive by email (weekly or monthly)",
                count=ReportSubscription.objects.filter(member=member).count(),
                visible_to="Program admins and managers",
                why="To email you the report someone set up for you.",
            ),
            InventoryLine(
                what="Reports we emailed you (period, and whether sending worked; not whether you opened them)",
                count=ReportDelivery.objects.filter(member=member).count(),
                visible_to=f"{ADMINS}, through the database only",
                why="So nobody gets the same report twice.",
            ),
            InventoryLine(
                what="Report subscriptions you set up for others",
                count=ReportSubscription.objects.filter(created_by=member).exclude(member=member).count(),
                visible_to="Program admins and managers",
                why="Who arranged for a colleague to get the report.",
            ),
        ]

    def export(self, member: Membership) -> dict[str, Any]:
        return {
            "subscriptions": [
                {"frequency": s.frequency, "since": s.created_at.isoformat()}
                for s in ReportSubscription.objects.filter(member=member)
            ],
            "deliveries": [
                {"period": d.period_key, "status": d.status, "sent_at": d.sent_at.isoformat() if d.sent_at else None}
                for d in ReportDelivery.objects.filter(member=member).order_by("claimed_at")
            ],
            "subscriptions_set_up_for_others": ReportSubscription.objects.filter(created_by=member)
            .exclude(member=member)
            .count(),
        }

    @transaction.atomic
    def erase(self, member: Membership) -> ErasureResult:
        erased = ReportSubscription.objects.filter(member=member).delete()[0]
        erased += ReportDelivery.objects.filter(member=member).delete()[0]
        erased += ReportSubscription.objects.filter(Q(created_by=member)).update(created_by=None)
        return ErasureResult(erased=erased)
