"""Shares the member made, with their captions."""

from __future__ import annotations

from typing import Any

from groundswell.privacy.providers._util import iso
from groundswell.privacy.registry import ADMINS_AND_MANAGER, ErasureResult, InventoryLine
from groundswell.sharing.models import Share
from groundswell.workspaces.models import Membership


class SharingProvider:
    key = "sharing"
    label = "Your shares"
    models: tuple[str, ...] = ("sharing.Share",)

    def inventory(self, member: Membership) -> list[InventoryLine]:
        shares = Share.objects.filter(member=member)
        return [
            InventoryLine(
                "Shares you made through Groundswell: which item, which network, when, how many clicks",
                shares.count(),
                ADMINS_AND_MANAGER,
                "Program admins see individual activity to run the program; totals feed goals and the dashboard.",
                erasable=False,
            ),
            InventoryLine(
                "The captions you wrote for your shares",
                shares.exclude(caption="").count(),
                ADMINS_AND_MANAGER,
                "So admins can see how content is shared.",
            ),
        ]

    def export(self, member: Membership) -> dict[str, Any]:
        return {
            "shares": [
                {
                    "id": s.pk,
                    "item": s.item.display_title,
                    "item_url": s.item.url,
                    "network": s.network,
                    "method": s.method,
                    "caption": s.caption,
                    "short_link_code": s.code,
                    "estimated_reach": s.reach_estimate,
                    "human_clicks": s.human_clicks,
                    "unique_clicks": s.unique_clicks,
                    "created_at": iso(s.created_at),
                }
                for s in Share.objects.filter(member=member).select_related("item").order_by("created_at")
            ]
        }

    def erase(self, member: Membership) -> ErasureResult:
        erased = Share.objects.filter(member=member).exclude(caption="").update(caption="")
        shares = Share.objects.filter(member=member).count()
        kept = [self._kept(shares)] if shares else []
        return ErasureResult(erased=erased, kept=kept)

    def keeps(self, member: Membership) -> list[str]:
        shares = Share.objects.filter(member=member).count()
        return [self._kept(shares)] if shares else []

    @staticmethod
    def _kept(count: int) -> str:
        return (
            f"{count} share record(s) without their captions (item, network, date and click counts), under "
            "your anonymised membership: the short links you posted keep working, and the program's totals "
            "and goals stay correct."
        )
