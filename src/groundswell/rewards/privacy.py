"""What the points domain keeps about a person, for the privacy centre: the ledger, and the fairness records."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, Sum

from groundswell.privacy.registry import ADMINS_AND_MANAGER, COLLEAGUES, ErasureResult, InventoryLine
from groundswell.rewards.models import DailyTally, Finding, LeagueSeat, MemberVisitor, PointsEntry
from groundswell.workspaces.models import Membership

#: Bonus payouts of closed periods are payroll records. There is no bonus pool yet: once there is, its
#: provider reports its payouts as kept; this sentence explains the rule on the confirmation page.
PAYROLL_RULE = (
    "Bonus payouts of closed bonus periods are payroll records and are kept for as long as the law requires "
    "(your workspace reports them here once it pays bonuses)."
)


class PointsPrivacy:
    """The points ledger: append-only, so erasure keeps it under the anonymised membership."""

    key: str = "rewards"
    label: str = "Your points"
    models: tuple[str, ...] = ("rewards.PointsEntry",)

    def inventory(self, member: Membership) -> list[InventoryLine]:
        return [
            InventoryLine(
                "Your points ledger: every line of points you earned, with the reason",
                PointsEntry.objects.filter(member=member).count(),
                ADMINS_AND_MANAGER,
                "Points, leaderboards and (if your company has one) bonuses.",
                erasable=False,
            ),
            InventoryLine(
                "Your points total on the leaderboard",
                None,
                COLLEAGUES,
                "Under your name, anonymously or not at all: your choice below.",
            ),
        ]

    def export(self, member: Membership) -> dict[str, Any]:
        entries = PointsEntry.objects.filter(member=member).order_by("created_at", "pk")
        return {
            "total_points": entries.aggregate(total=Sum("points"))["total"] or 0,
            "ledger": [
                {
                    "action": e.action,
                    "points": e.points,
                    "day": e.day.isoformat(),
                    "reason": e.reason,
                    "created_at": e.created_at.isoformat(),
                }
                for e in entries
            ],
        }

    def erase(self, member: Membership) -> ErasureResult:
        return ErasureResult(kept=self.keeps(member))

    def keeps(self, member: Membership) -> list[str]:
        count = PointsEntry.objects.filter(Q(member=member) | Q(author=member)).count()
        kept = [PAYROLL_RULE]
        if count:
            kept.insert(
                0,
                f"{count} points ledger line(s): the ledger is append-only and kept for audit, under your "
                "anonymised membership.",
            )
        return kept


class RewardsPrivacy:
    # The points ledger is described by ``PointsPrivacy`` above.
    key: str = "rewards_fairness"
    label: str = "Leagues, daily caps and anti-gaming checks"
    models: tuple[str, ...] = (
        "rewards.DailyTally",
        "rewards.MemberVisitor",
        "rewards.Finding",
        "rewards.LeagueSeat",
    )

    def inventory(self, member: Membership) -> list[InventoryLine]:
        return [
            InventoryLine(
                what="How many awards of each kind you got per day (for daily caps and diminishing returns)",
                count=DailyTally.objects.filter(member=member).count(),
                visible_to="Nobody looks at these directly; they only decide what the next award is worth",
                why="Daily caps",
            ),
            InventoryLine(
                what="One-way hashes of your browser and network for the days you used Groundswell (never your "
                "address), kept 35 days",
                count=MemberVisitor.objects.filter(member=member).count(),
                visible_to="Nobody: they are only compared with clicks on links, to spot clicks on your own links",
                why="Fair points: clicking your own links earns nothing",
            ),
            InventoryLine(
                what="Anti-gaming findings about clicks on your links (counts, times, shortened hashes)",
                count=Finding.objects.filter(member=member).count(),
                visible_to="Program admins, who confirm or dismiss them",
                why="Fair points for everyone",
            ),
            InventoryLine(
                what="Your league tier and group each week",
                count=LeagueSeat.objects.filter(member=member).count(),
                visible_to="You, and the people in your group (under your name or anonymously, as you chose)",
                why="Weekly leagues",
            ),
        ]

    def export(self, member: Membership) -> dict[str, Any]:
        return {
            "findings": [
                {
                    "kind": f.kind,
                    "status": f.status,
                    "clicks": f.events,
                    "points_withheld": f.points_withheld,
                    "points_reversed": f.points_reversed,
                    "points_restored": f.points_restored,
                    "first_at": f.first_at.isoformat(),
                    "last_at": f.last_at.isoformat(),
                }
                for f in Finding.objects.filter(member=member).order_by("pk")
            ],
            "leagues": [
                {"week": s.week.isoformat(), "tier": s.tier_name, "movement": s.movement}
                for s in LeagueSeat.objects.filter(member=member).order_by("week")
            ],
        }

    def keeps(self, member: Membership) -> list[str]:
        if DailyTally.objects.filter(member=member).exists():
            return ["Daily tallies of your awards: they mirror the append-only points ledger."]
        return []

    def erase(self, member: Membership) -> ErasureResult:
        erased = MemberVisitor.objects.filter(member=member).delete()[0]
        erased += LeagueSeat.objects.filter(member=member).delete()[0]
        erased += Finding.objects.filter(member=member).delete()[0]
        return ErasureResult(
            erased=erased,
            kept=[
                "Daily tallies: they mirror the append-only points ledger, from which bonus payouts and "
                "contest results were computed. They go when your membership is removed.",
            ],
        )
