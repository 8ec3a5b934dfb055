"""What recognition keeps about a member: contest wins, bonus payouts (payroll records) and badges."""

from __future__ import annotations

from typing import Any

from groundswell.privacy.registry import ErasureResult, InventoryLine
from groundswell.recognition.models import BonusPayout, ContestWinner, MemberBadge
from groundswell.workspaces.models import Membership


class RecognitionProvider:
    key: str = "recognition"
    label: str = "Contests, bonus pool and badges"
    models: tuple[str, ...] = ("recognition.ContestWinner", "recognition.BonusPayout", "recognition.MemberBadge")

    def inventory(self, member: Membership) -> list[InventoryLine]:
        return [
            InventoryLine(
                "Contests you won (shown to everyone in the workspace, under your leaderboard name choice)",
                ContestWinner.objects.filter(member=member).count(),
                "Everyone in the workspace",
                "Published draws anyone can check",
            ),
            InventoryLine(
                "Bonus payouts of closed periods (amount, points, name, email, employee id)",
                BonusPayout.objects.filter(member=member).count(),
                "Program admins (payroll)",
                "Paying the bonus",
            ),
            InventoryLine("Badges you earned", MemberBadge.objects.filter(member=member).count(), "Only you"),
        ]

    def export(self, member: Membership) -> dict[str, Any]:
        return {
            "contest_wins": [
                {"contest": w.contest.name, "position": w.position, "ends_on": w.contest.ends_on.isoformat()}
                for w in ContestWinner.objects.filter(member=member).select_related("contest")
            ],
            "bonus_payouts": [
                {
                    "period": p.period.name,
                    "amount_cents": p.cents,
                    "currency": p.period.currency,
                    "points": p.points,
                    "explanation": p.steps,
                }
                for p in BonusPayout.objects.filter(member=member).select_related("period")
            ],
            "badges": [
                {"badge": b.get_badge_display(), "earned_at": b.earned_at.isoformat()}
                for b in MemberBadge.objects.filter(member=member)
            ],
        }

    def erase(self, member: Membership) -> ErasureResult:
        erased, _ = MemberBadge.objects.filter(member=member).delete()
        kept = []
        if BonusPayout.objects.filter(member=member).exists():
            kept.append("Bonus payouts of closed periods: payroll records the company must keep.")
        if ContestWinner.objects.filter(member=member).exists():
            kept.append("Contest wins: part of published draws that must stay verifiable (shown anonymised).")
        return ErasureResult(erased=erased, kept=kept)
