"""What the teams app keeps about a member, for the privacy centre."""

from __future__ import annotations

from typing import Any

from groundswell.privacy.registry import ErasureResult, InventoryLine
from groundswell.teams.actions import erase_member_data
from groundswell.teams.models import Seat, TeamInvitation, WaitlistEntry
from groundswell.workspaces.models import Membership


class TeamsPrivacy:
    key = "teams"
    label = "Ambassador teams"
    models: tuple[str, ...] = ("teams.Seat", "teams.WaitlistEntry", "teams.TeamInvitation")

    def inventory(self, member: Membership) -> list[InventoryLine]:
        return [
            InventoryLine(
                what="The teams you served on, from when until when, and how each term ended",
                count=Seat.objects.filter(member=member).count(),
                visible_to="Everyone in the workspace (team pages show who served when)",
                why="So everybody can see who is on a team and that seats rotate fairly",
            ),
            InventoryLine(
                what="Your applications to teams (when you applied, your note, your place on the waitlist)",
                count=WaitlistEntry.objects.filter(member=member).count(),
                visible_to="Program admins; other members see only how many people are waiting",
                why="To offer free seats in the order people applied",
            ),
            InventoryLine(
                what="Invitations to join a team and your answers",
                count=TeamInvitation.objects.filter(member=member).count(),
                visible_to="Program admins",
                why="To hold a seat for you until you answer",
            ),
        ]

    def export(self, member: Membership) -> dict[str, Any]:
        seats = Seat.objects.filter(member=member).select_related("team").order_by("served_from", "id")
        entries = WaitlistEntry.objects.filter(member=member).select_related("team").order_by("applied_at", "id")
        invitations = TeamInvitation.objects.filter(member=member).select_related("team").order_by("created_at", "id")
        return {
            "seats": [
                {
                    "team": s.team.name,
                    "served_from": s.served_from.isoformat(),
                    "served_until": s.served_until.isoformat() if s.served_until else None,
                    "ended": s.ended,
                    "reapply": s.reapply,
                }
                for s in seats
            ],
            "applications": [
                {
                    "team": e.team.name,
                    "applied_at": e.applied_at.isoformat(),
                    "note": e.note,
                    "status": e.status,
                    "reapplied": e.reapplied,
                }
                for e in entries
            ],
            "invitations": [
                {
                    "team": i.team.name,
                    "created_at": i.created_at.isoformat(),
                    "expires_at": i.expires_at.isoformat(),
                    "status": i.status,
                    "answered_at": i.answered_at.isoformat() if i.answered_at else None,
                }
                for i in invitations
            ],
        }

    def erase(self, member: Membership) -> ErasureResult:
        """Everything goes: team history is not a record anyone must keep, so the member's lines leave it.
        A seat they held is offered to the next person on the waitlist."""
        return ErasureResult(erased=erase_member_data(member=member))
