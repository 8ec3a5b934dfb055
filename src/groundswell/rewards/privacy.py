"""What the points domain keeps about a person, for the privacy centre."""

from __future__ import annotations

from typing import Any

from groundswell.privacy.registry import ErasureResult, InventoryLine
from groundswell.rewards.models import DailyTally, Finding, LeagueSeat, MemberVisitor
from groundswell.workspaces.models import Membership


class RewardsPrivacy:
    # The points ledger itself is described by the privacy centre's own "rewards" provider.
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
