"""The rotation plan: what happens to a team when its term ends, computed without writing anything.

:func:`plan_rotation` is the ONLY place that decides who rotates out, who goes back on the waitlist and who
is invited. The admin's preview shows its result, and :func:`groundswell.teams.actions.rotate_team` carries
out exactly the plan it computes (inside the transaction that claims the rotation), so the preview cannot
drift from what the task does.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from groundswell.teams.models import EntryStatus, InvitationStatus, Seat, Team, TeamInvitation, WaitlistEntry


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by ``months`` calendar months (31 Jan + 1 month = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class PlannedPerson:
    member_id: int
    name: str
    seat_id: int | None = None  # the seat that ends (rotating out)
    entry_id: int | None = None  # the waitlist entry invited (None: a re-applier's entry made at rotation)


@dataclass(frozen=True)
class RotationPlan:
    team_id: int
    #: The day the current seats end and the new term starts.
    on: dt.date
    #: The current term's end when the plan was made: a rotation is claimed against it.
    current_term_end: dt.date
    new_term_end: dt.date
    seats: int
    rotating_out: tuple[PlannedPerson, ...]
    #: Members rotating out who asked to go back on the waitlist; they join it at the end, in this order.
    reapplying: tuple[PlannedPerson, ...]
    #: Pending invitations made before the rotation; they keep their seat in the new term.
    carried_over: tuple[PlannedPerson, ...]
    #: Who will be invited, in order (the head of the waitlist, then re-appliers if seats remain).
    invited: tuple[PlannedPerson, ...]
    #: How many stay on the waitlist after the invitations.
    still_waiting: int

    @property
    def new_term_last_day(self) -> dt.date:
        return self.new_term_end - dt.timedelta(days=1)

    @property
    def empty_seats(self) -> int:
        return max(0, self.seats - len(self.carried_over) - len(self.invited))


def plan_rotation(team: Team, on: dt.date) -> RotationPlan:
    """What rotating ``team`` on ``on`` does, given the team's state now."""
    seats = list(
        Seat.objects.filter(team=team, served_until__isnull=True)
        .select_related("member")
        .order_by("served_from", "member__display_name", "id")
    )
    rotating_out = tuple(PlannedPerson(s.member_id, s.member.display_name, seat_id=s.pk) for s in seats)
    reapplying = tuple(
        PlannedPerson(s.member_id, s.member.display_name, seat_id=s.pk)
        for s in seats
        if s.reapply and s.member.is_active
    )
    pending = TeamInvitation.objects.filter(team=team, status=InvitationStatus.PENDING).select_related("member")
    carried_over = tuple(PlannedPerson(i.member_id, i.member.display_name, entry_id=i.entry_id) for i in pending)
    waiting = WaitlistEntry.objects.filter(
        team=team, status=EntryStatus.WAITING, member__is_active=True
    ).select_related("member")
    queue = [PlannedPerson(e.member_id, e.member.display_name, entry_id=e.pk) for e in waiting]
    queue += [PlannedPerson(p.member_id, p.name) for p in reapplying]
    free = max(0, team.seats - len(carried_over))
    return RotationPlan(
        team_id=team.pk,
        on=on,
        current_term_end=team.term_end,
        new_term_end=add_months(on, team.term_months),
        seats=team.seats,
        rotating_out=rotating_out,
        reapplying=reapplying,
        carried_over=carried_over,
        invited=tuple(queue[:free]),
        still_waiting=max(0, len(queue) - free),
    )
