"""What recognition keeps about a member: contest wins, bonus payouts (payroll records) and badges."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from groundswell.privacy.registry import ADMINS, COLLEAGUES, ONLY_YOU, ErasureResult, InventoryLine
from groundswell.recognition.models import BonusPayout, BonusPeriod, Contest, ContestWinner, Draw, MemberBadge
from groundswell.workspaces.models import Membership


class RecognitionProvider:
    key: str = "recognition"
    label: str = "Contests, bonus pool and badges"
    models: tuple[str, ...] = (
        "recognition.ContestWinner",
        "recognition.BonusPayout",
        "recognition.MemberBadge",
        # Admin attributions: who created a contest or bonus period, who ran a draw or closed a period.
        "recognition.Contest",
        "recognition.Draw",
        "recognition.BonusPeriod",
    )

    def inventory(self, member: Membership) -> list[InventoryLine]:
        return [
            InventoryLine(
                "Contests you won (shown to everyone in the workspace, under your leaderboard name choice)",
                ContestWinner.objects.filter(member=member).count(),
                COLLEAGUES,
                "Published draws anyone can check",
                erasable=False,
            ),
            InventoryLine(
                "Bonus payouts of closed periods (amount, points, name, email, employee id)",
                BonusPayout.objects.filter(member=member).count(),
                ADMINS,
                "Paying the bonus",
                erasable=False,
            ),
            InventoryLine("Badges you earned", MemberBadge.objects.filter(member=member).count(), ONLY_YOU),
            InventoryLine(
                "Contests and bonus periods you set up, drew or closed (as a program admin)",
                Contest.objects.filter(created_by=member).count()
                + BonusPeriod.objects.filter(Q(created_by=member) | Q(closed_by=member)).count(),
                ADMINS,
                "Who ran the program's rewards",
            ),
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
        erased += Contest.objects.filter(created_by=member).update(created_by=None)
        erased += Draw.objects.filter(drawn_by=member).update(drawn_by=None)
        erased += BonusPeriod.objects.filter(created_by=member).update(created_by=None)
        erased += BonusPeriod.objects.filter(closed_by=member).update(closed_by=None)
        kept = []
        if BonusPayout.objects.filter(member=member).exists():
            kept.append("Bonus payouts of closed periods: payroll records the company must keep.")
        if ContestWinner.objects.filter(member=member).exists():
            kept.append("Contest wins: part of published draws that must stay verifiable (shown anonymised).")
        return ErasureResult(erased=erased, kept=kept)
