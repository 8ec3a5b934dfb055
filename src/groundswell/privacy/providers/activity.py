"""What the member's activity produced: clicks on their links and statistics rollups (points: ``rewards.privacy``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from groundswell.analytics.models import MemberPeriod
from groundswell.links.models import Click, UniqueVisit
from groundswell.privacy.providers._util import iso
from groundswell.privacy.registry import ADMINS_AND_MANAGER, ErasureResult, InventoryLine
from groundswell.sharing.models import Share
from groundswell.workspaces.models import Membership


class LinksProvider:
    key = "links"
    label = "Clicks on your links"
    models: tuple[str, ...] = ("links.Click", "links.UniqueVisit")

    def _clicks(self, member: Membership) -> Any:
        return Click.objects.filter(share__member=member)

    def inventory(self, member: Membership) -> list[InventoryLine]:
        return [
            InventoryLine(
                "How many people clicked the links you shared (counts per share and day; nothing about who clicked)",
                self._clicks(member).count(),
                ADMINS_AND_MANAGER,
                "Clicks earn points and count towards the program's goals.",
            )
        ]

    def export(self, member: Membership) -> dict[str, Any]:
        # Counts only: visitor hashes, user agents and referrers are about the visitors, not the member.
        rows = (
            self._clicks(member)
            .values("share_id", "clicked_at__date")
            .annotate(
                human=Count("id", filter=Q(is_bot=False)),
                unique=Count("id", filter=Q(is_unique=True)),
                bots=Count("id", filter=Q(is_bot=True)),
            )
            .order_by("share_id", "clicked_at__date")
        )
        return {
            "clicks_per_share_and_day": [
                {
                    "share_id": r["share_id"],
                    "day": iso(r["clicked_at__date"]),
                    "human_clicks": r["human"],
                    "unique_clicks": r["unique"],
                    "bot_clicks": r["bots"],
                }
                for r in rows
            ]
        }

    def erase(self, member: Membership) -> ErasureResult:
        share_ids = list(Share.objects.filter(member=member).values_list("pk", flat=True))
        clicks, _ = Click.objects.filter(share_id__in=share_ids).delete()
        visits, _ = UniqueVisit.objects.filter(share_id__in=share_ids).delete()
        return ErasureResult(erased=clicks + visits)


class AnalyticsProvider:
    key = "analytics"
    label = "Your statistics"
    models: tuple[str, ...] = ("analytics.MemberPeriod",)

    def inventory(self, member: Membership) -> list[InventoryLine]:
        return [
            InventoryLine(
                "Your statistics per day, week, month and year: shares, clicks, reach, engagement, points",
                MemberPeriod.objects.filter(member=member).count(),
                ADMINS_AND_MANAGER,
                "Your home page, and boards only as you choose below; a group's totals are shown to a manager "
                "only when enough people in it keep their numbers private.",
            )
        ]

    def export(self, member: Membership) -> dict[str, Any]:
        fields = (
            "shares",
            "clicks",
            "unique_clicks",
            "bot_clicks",
            "reach",
            "points",
            "engagements",
            "impressions",
        )
        rows = MemberPeriod.objects.filter(member=member).order_by("period", "start")
        return {
            "periods": [{"period": r.period, "start": iso(r.start), **{f: getattr(r, f) for f in fields}} for r in rows]
        }

    def erase(self, member: Membership) -> ErasureResult:
        deleted, _ = MemberPeriod.objects.filter(member=member).delete()
        return ErasureResult(
            erased=deleted,
            kept=[
                "The workspace's, departments' and networks' totals still include your past activity, "
                "without anything that points to you."
            ],
        )

    def keeps(self, member: Membership) -> list[str]:
        return [
            "The workspace's, departments' and networks' totals still include your past activity, without "
            "anything that points to you."
        ]
