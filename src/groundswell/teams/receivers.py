"""Teams' side of offboarding: when a member is deactivated their seats, invitations and applications are
handed on (``actions.release_member``), and the admin's confirmation says so beforehand (``preview``)."""

from __future__ import annotations

from typing import Any

from groundswell.teams import actions
from groundswell.teams.models import EntryStatus, InvitationStatus, Seat, TeamInvitation, WaitlistEntry
from groundswell.workspaces.models import Membership
from groundswell.workspaces.offboarding import join_names


def on_member_deactivated(sender: Any, member: Membership, reason: str, **kwargs: Any) -> None:
    """``workspaces.signals.member_deactivated``: free the member's seats for the waitlist (idempotent)."""
    actions.release_member(member=member)


def preview(member: Membership) -> list[str]:
    """What deactivating ``member`` will do on teams, in sentences (three queries, reads only)."""
    lines: list[str] = []
    seats = list(
        Seat.objects.filter(member=member, served_until__isnull=True)
        .order_by("team__name")
        .values_list("team__name", flat=True)
    )
    if len(seats) == 1:
        lines.append(f"Their team seat in {seats[0]} is freed and offered to the next on the waitlist.")
    elif seats:
        lines.append(f"Their team seats in {join_names(seats)} are freed and offered to the next on each waitlist.")
    offers = list(
        TeamInvitation.objects.filter(member=member, status=InvitationStatus.PENDING)
        .order_by("team__name")
        .values_list("team__name", flat=True)
    )
    if len(offers) == 1:
        lines.append(
            f"Their unanswered invitation to {offers[0]} is cancelled and offered to the next on the waitlist."
        )
    elif offers:
        lines.append(
            f"Their unanswered invitations to {join_names(offers)} are cancelled and offered to the next on each "
            "waitlist."
        )
    waiting = list(
        WaitlistEntry.objects.filter(member=member, status=EntryStatus.WAITING)
        .order_by("team__name")
        .values_list("team__name", flat=True)
    )
    if len(waiting) == 1:
        lines.append(f"Their place on the waitlist of {waiting[0]} is given up.")
    elif waiting:
        lines.append(f"Their places on the waitlists of {join_names(waiting)} are given up.")
    return lines
