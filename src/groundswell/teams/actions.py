"""The write layer for teams. Each function validates, then writes in one transaction.

Every action that changes who holds, waits for or is offered a seat first locks the team row
(``select_for_update``), so seat counting and waitlist order are never raced. Functions raise
:class:`TeamError` with a message meant for a person. Emails go out after the transaction commits.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import DateField, F, Max, Value
from django.db.models.functions import Greatest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from groundswell.lib.periods import local_day
from groundswell.teams.models import (
    OPEN_ENTRY,
    EntryStatus,
    InvitationStatus,
    Seat,
    SeatEnd,
    Team,
    TeamInvitation,
    WaitlistEntry,
)
from groundswell.teams.rotation import RotationPlan, add_months, plan_rotation
from groundswell.workspaces.models import Membership, Workspace

log = logging.getLogger(__name__)

MAX_SEATS = 500
MAX_TERM_MONTHS = 60
MAX_DAYS = 90


class TeamError(ValueError):
    """A change that cannot be made, with a message for the person who asked."""


# --- Email ------------------------------------------------------------------------------------------


def _team_url(team: Team) -> str:
    return settings.SITE_URL + reverse("teams:detail", kwargs={"ws": team.workspace.slug, "team_id": team.pk})


def _email_on_commit(subject: str, template: str, context: dict[str, Any], to: str) -> None:
    """Send after commit; a failing mail server is logged, never undoes the change."""
    if not to:
        return
    subject = " ".join(subject.split())  # names are typed by people: no header injection
    body = render_to_string(template, context)

    def send() -> None:
        try:
            send_mail(subject, body, None, [to], fail_silently=False)
        except Exception:
            log.exception("could not send team email %r", subject)

    transaction.on_commit(send)


def _email_invitation(invitation: TeamInvitation) -> None:
    team = invitation.team
    url = settings.SITE_URL + reverse(
        "teams:invitation", kwargs={"ws": team.workspace.slug, "team_invitation_id": invitation.pk}
    )
    _email_on_commit(
        f"You are invited to join {team.name}",
        "teams/email/invitation.txt",
        {"team": team, "invitation": invitation, "member": invitation.member, "url": url},
        invitation.member.user.email,
    )


# --- Teams ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamSettings:
    name: str
    description: str
    purpose: str
    seats: int
    term_months: int
    term_start: dt.date
    applications_open: bool
    auto_rotate: bool
    invitation_days: int
    notice_days: int


def _check(workspace: Workspace, s: TeamSettings, team: Team | None) -> None:
    if not s.name.strip():
        raise TeamError("A team needs a name.")
    clash = Team.objects.filter(workspace=workspace, name__iexact=s.name.strip())
    if team is not None:
        clash = clash.exclude(pk=team.pk)
    if clash.exists():
        raise TeamError(f"There is already a team called “{s.name.strip()}”.")
    if not 1 <= s.seats <= MAX_SEATS:
        raise TeamError(f"A team has between 1 and {MAX_SEATS} seats.")
    if not 1 <= s.term_months <= MAX_TERM_MONTHS:
        raise TeamError(f"A term lasts between 1 and {MAX_TERM_MONTHS} months.")
    if not 1 <= s.invitation_days <= MAX_DAYS:
        raise TeamError(f"Invitations stay open between 1 and {MAX_DAYS} days.")
    if not 0 <= s.notice_days <= MAX_DAYS:
        raise TeamError(f"The advance notice is between 0 and {MAX_DAYS} days.")


def _fields(s: TeamSettings) -> dict[str, Any]:
    return {
        "name": s.name.strip(),
        "description": s.description.strip(),
        "purpose": s.purpose.strip(),
        "seats": s.seats,
        "term_months": s.term_months,
        "term_start": s.term_start,
        "term_end": add_months(s.term_start, s.term_months),
        "applications_open": s.applications_open,
        "auto_rotate": s.auto_rotate,
        "invitation_days": s.invitation_days,
        "notice_days": s.notice_days,
    }


def create_team(*, workspace: Workspace, settings: TeamSettings) -> Team:
    _check(workspace, settings, None)
    with transaction.atomic():
        return Team.objects.create(workspace=workspace, **_fields(settings))


def update_team(*, team: Team, settings: TeamSettings, now: dt.datetime | None = None) -> Team:
    """Change a team's settings. More seats are offered to the waitlist at once."""
    _check(team.workspace, settings, team)
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(team)
        fields = _fields(settings)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(fields))
        _fill_seats(locked, now)
    return locked


def _lock(team: Team) -> Team:
    return Team.objects.select_for_update().select_related("workspace").get(pk=team.pk)


def _today(team: Team, now: dt.datetime) -> dt.date:
    return local_day(now, team.workspace.timezone)


# --- Seats and the waitlist -------------------------------------------------------------------------


def free_seats(team: Team) -> int:
    """Seats nobody holds and no pending invitation holds."""
    taken = Seat.objects.filter(team=team, served_until__isnull=True).count()
    offered = TeamInvitation.objects.filter(team=team, status=InvitationStatus.PENDING).count()
    return max(0, team.seats - taken - offered)


def _next_position(team: Team) -> int:
    top = WaitlistEntry.objects.filter(team=team).aggregate(top=Max("position"))["top"]
    return (top or 0) + 1


def _check_member(team: Team, member: Membership) -> None:
    if member.workspace_id != team.workspace_id or not member.is_active:
        raise TeamError("Only active members of this workspace can be on a team.")


def _invite(
    team: Team, member: Membership, *, entry: WaitlistEntry | None, by: Membership | None, now: dt.datetime
) -> TeamInvitation:
    invitation = TeamInvitation.objects.create(
        team=team,
        member=member,
        entry=entry,
        invited_by=by,
        created_at=now,
        expires_at=now + dt.timedelta(days=team.invitation_days),
    )
    if entry is not None:
        WaitlistEntry.objects.filter(pk=entry.pk).update(status=EntryStatus.INVITED)
    invitation.team = team
    invitation.member = member
    _email_invitation(invitation)
    return invitation


def _fill_seats(team: Team, now: dt.datetime) -> list[TeamInvitation]:
    """Offer free seats to the head of the waitlist (the caller holds the team lock)."""
    free = free_seats(team)
    if free <= 0:
        return []
    entries = (
        WaitlistEntry.objects.filter(team=team, status=EntryStatus.WAITING, member__is_active=True)
        .select_related("member__user")
        .order_by("position", "applied_at", "id")[:free]
    )
    return [_invite(team, e.member, entry=e, by=None, now=now) for e in entries]


def apply_to_team(*, team: Team, member: Membership, note: str = "", now: dt.datetime | None = None) -> WaitlistEntry:
    """Join the waitlist (at its end). With a free seat, the invitation follows at once."""
    now = now or timezone.now()
    _check_member(team, member)
    note = " ".join(note.split())
    if len(note) > 280:
        raise TeamError("Keep the note to 280 characters.")
    with transaction.atomic():
        team = _lock(team)
        if not team.applications_open:
            raise TeamError(f"{team.name} is not taking applications right now.")
        if Seat.objects.filter(team=team, member=member, served_until__isnull=True).exists():
            raise TeamError(f"You are already on {team.name}.")
        if TeamInvitation.objects.filter(team=team, member=member, status=InvitationStatus.PENDING).exists():
            raise TeamError(f"You already have an invitation to {team.name}: accept or decline it.")
        if WaitlistEntry.objects.filter(team=team, member=member, status__in=OPEN_ENTRY).exists():
            raise TeamError(f"You are already on the waitlist of {team.name}.")
        entry = WaitlistEntry.objects.create(
            team=team, member=member, note=note, position=_next_position(team), applied_at=now
        )
        _fill_seats(team, now)
    entry.refresh_from_db()
    return entry


def _cancel_invitations_of(entry: WaitlistEntry, now: dt.datetime) -> None:
    TeamInvitation.objects.filter(entry=entry, status=InvitationStatus.PENDING).update(
        status=InvitationStatus.CANCELLED, answered_at=now
    )


def withdraw_application(*, team: Team, member: Membership, now: dt.datetime | None = None) -> WaitlistEntry:
    """Leave the waitlist (an invitation from it is cancelled and goes to the next person)."""
    now = now or timezone.now()
    with transaction.atomic():
        team = _lock(team)
        entry = WaitlistEntry.objects.filter(team=team, member=member, status__in=OPEN_ENTRY).first()
        if entry is None:
            raise TeamError(f"You are not on the waitlist of {team.name}.")
        _close_entry(entry, EntryStatus.WITHDRAWN, now)
        _cancel_invitations_of(entry, now)
        _fill_seats(team, now)
    return entry


def _close_entry(entry: WaitlistEntry, status: str, now: dt.datetime) -> None:
    entry.status = status
    entry.closed_at = now
    entry.save(update_fields=["status", "closed_at"])


def remove_from_waitlist(*, entry: WaitlistEntry, now: dt.datetime | None = None) -> WaitlistEntry:
    """A program admin takes an application off the waitlist."""
    now = now or timezone.now()
    with transaction.atomic():
        team = _lock(entry.team)
        entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status not in OPEN_ENTRY:
            raise TeamError("That application is no longer on the waitlist.")
        _close_entry(entry, EntryStatus.REMOVED, now)
        _cancel_invitations_of(entry, now)
        _fill_seats(team, now)
    return entry


def move_on_waitlist(*, entry: WaitlistEntry, up: bool) -> None:
    """Swap a waiting application with the one before (``up``) or after it."""
    with transaction.atomic():
        team = _lock(entry.team)
        waiting = list(
            WaitlistEntry.objects.filter(team=team, status=EntryStatus.WAITING).order_by("position", "applied_at", "id")
        )
        index = next((i for i, e in enumerate(waiting) if e.pk == entry.pk), None)
        if index is None:
            raise TeamError("Only waiting applications can be moved.")
        other = index - 1 if up else index + 1
        if not 0 <= other < len(waiting):
            return  # already first (or last): nothing to do
        waiting[index], waiting[other] = waiting[other], waiting[index]
        # Renumber the waiting list (only its order matters), so equal positions can never stall a move.
        for position, e in enumerate(waiting, start=1):
            if e.position != position:
                WaitlistEntry.objects.filter(pk=e.pk).update(position=position)


def leave_team(*, team: Team, member: Membership, now: dt.datetime | None = None) -> Seat:
    """A member steps down; the seat is offered to the waitlist."""
    now = now or timezone.now()
    with transaction.atomic():
        team = _lock(team)
        seat = Seat.objects.filter(team=team, member=member, served_until__isnull=True).first()
        if seat is None:
            raise TeamError(f"You are not on {team.name}.")
        _end_seat(seat, SeatEnd.LEFT, _today(team, now), now)
        _fill_seats(team, now)
    return seat


def remove_from_team(*, seat: Seat, now: dt.datetime | None = None) -> Seat:
    now = now or timezone.now()
    with transaction.atomic():
        team = _lock(seat.team)
        seat = Seat.objects.select_for_update().get(pk=seat.pk)
        if not seat.is_current:
            raise TeamError("That person is no longer on the team.")
        _end_seat(seat, SeatEnd.REMOVED, _today(team, now), now)
        _fill_seats(team, now)
    return seat


def _end_seat(seat: Seat, how: str, day: dt.date, now: dt.datetime) -> None:
    seat.served_until = max(day, seat.served_from)
    seat.ended = how
    seat.ended_at = now
    seat.save(update_fields=["served_until", "ended", "ended_at"])


def set_reapply(*, team: Team, member: Membership, reapply: bool) -> Seat:
    """The member's choice to go back on the waitlist (at its end) when the term ends."""
    with transaction.atomic():
        team = _lock(team)
        seat = Seat.objects.filter(team=team, member=member, served_until__isnull=True).first()
        if seat is None:
            raise TeamError(f"You are not on {team.name}.")
        seat.reapply = reapply
        seat.save(update_fields=["reapply"])
    return seat


# --- Invitations ------------------------------------------------------------------------------------


def invite_to_team(*, team: Team, member: Membership, by: Membership, now: dt.datetime | None = None) -> TeamInvitation:
    """A program admin offers a free seat to a member directly; the member accepts or declines."""
    now = now or timezone.now()
    _check_member(team, member)
    with transaction.atomic():
        team = _lock(team)
        if Seat.objects.filter(team=team, member=member, served_until__isnull=True).exists():
            raise TeamError(f"{member.display_name} is already on {team.name}.")
        if TeamInvitation.objects.filter(team=team, member=member, status=InvitationStatus.PENDING).exists():
            raise TeamError(f"{member.display_name} already has an invitation to {team.name}.")
        if free_seats(team) < 1:
            raise TeamError(f"{team.name} has no free seat: raise the number of seats or wait for one to free up.")
        entry = WaitlistEntry.objects.filter(team=team, member=member, status=EntryStatus.WAITING).first()
        member = Membership.objects.select_related("user").get(pk=member.pk)
        return _invite(team, member, entry=entry, by=by, now=now)


def _pending(invitation: TeamInvitation, now: dt.datetime) -> TeamInvitation:
    locked = TeamInvitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.status != InvitationStatus.PENDING:
        raise TeamError(f"This invitation was already {locked.get_status_display().lower()}.")
    if locked.expires_at <= now:
        raise TeamError("This invitation has expired.")
    return locked


def accept_invitation(*, invitation: TeamInvitation, now: dt.datetime | None = None) -> Seat:
    now = now or timezone.now()
    with transaction.atomic():
        team = _lock(invitation.team)
        invitation = _pending(invitation, now)
        if not Membership.objects.filter(pk=invitation.member_id, is_active=True).exists():
            raise TeamError("Only active members can join a team.")
        invitation.status = InvitationStatus.ACCEPTED
        invitation.answered_at = now
        invitation.save(update_fields=["status", "answered_at"])
        if invitation.entry_id is not None:
            WaitlistEntry.objects.filter(pk=invitation.entry_id).update(status=EntryStatus.JOINED, closed_at=now)
        # Direct invitations of someone who was also waiting close that application too.
        WaitlistEntry.objects.filter(team=team, member_id=invitation.member_id, status__in=OPEN_ENTRY).update(
            status=EntryStatus.JOINED, closed_at=now
        )
        return Seat.objects.create(
            team=team, member_id=invitation.member_id, served_from=max(_today(team, now), team.term_start)
        )


def decline_invitation(*, invitation: TeamInvitation, now: dt.datetime | None = None) -> TeamInvitation:
    """Say no; the seat goes to the next person on the waitlist."""
    now = now or timezone.now()
    with transaction.atomic():
        team = _lock(invitation.team)
        invitation = _pending(invitation, now)
        invitation.status = InvitationStatus.DECLINED
        invitation.answered_at = now
        invitation.save(update_fields=["status", "answered_at"])
        if invitation.entry_id is not None:
            WaitlistEntry.objects.filter(pk=invitation.entry_id, status__in=OPEN_ENTRY).update(
                status=EntryStatus.DECLINED, closed_at=now
            )
        _fill_seats(team, now)
    return invitation


def cancel_invitation(*, invitation: TeamInvitation, now: dt.datetime | None = None) -> TeamInvitation:
    """A program admin withdraws an unanswered invitation; the person's application closes with it and the
    seat goes to the next person on the waitlist."""
    now = now or timezone.now()
    with transaction.atomic():
        team = _lock(invitation.team)
        locked = TeamInvitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.status != InvitationStatus.PENDING:
            raise TeamError(f"This invitation was already {locked.get_status_display().lower()}.")
        locked.status = InvitationStatus.CANCELLED
        locked.answered_at = now
        locked.save(update_fields=["status", "answered_at"])
        if locked.entry_id is not None:
            WaitlistEntry.objects.filter(pk=locked.entry_id, status__in=OPEN_ENTRY).update(
                status=EntryStatus.REMOVED, closed_at=now
            )
        _fill_seats(team, now)
    return locked


def expire_invitations(*, now: dt.datetime | None = None) -> int:
    """Expire unanswered invitations and offer their seats to the next people. Safe to run concurrently."""
    now = now or timezone.now()
    expired = 0
    due = TeamInvitation.objects.filter(status=InvitationStatus.PENDING, expires_at__lte=now).values_list(
        "pk", "team_id", "entry_id"
    )
    for pk, team_id, entry_id in list(due[:1000]):
        with transaction.atomic():
            team = Team.objects.select_for_update().select_related("workspace").get(pk=team_id)
            # The claim: only one run moves this invitation out of "pending".
            if not TeamInvitation.objects.filter(pk=pk, status=InvitationStatus.PENDING).update(
                status=InvitationStatus.EXPIRED, answered_at=now
            ):
                continue  # answered, or another run got there first
            if entry_id is not None:
                WaitlistEntry.objects.filter(pk=entry_id, status__in=OPEN_ENTRY).update(
                    status=EntryStatus.EXPIRED, closed_at=now
                )
            _fill_seats(team, now)
            expired += 1
    return expired


# --- Rotation ---------------------------------------------------------------------------------------


def scheduled_day(team: Team, today: dt.date) -> dt.date:
    """The day an automatic rotation of the current term takes effect.

    Normally the term's end. A term that ended long ago (automatic rotation was off) starts afresh today,
    so the new term does not end in the past.
    """
    if team.term_end <= today and add_months(team.term_end, team.term_months) <= today:
        return today
    return team.term_end


def rotate_team(
    *, team: Team, now: dt.datetime | None = None, on: dt.date | None = None, expected_term_end: dt.date | None = None
) -> RotationPlan | None:
    """Rotate ``team``: carry out :func:`plan_rotation` for the day ``on`` (default: as scheduled, if due).

    Returns the plan carried out, or None when there was nothing to do: the term is not over yet, or the
    rotation was already done (by another run, or since the admin looked at ``expected_term_end``).
    """
    now = now or timezone.now()
    with transaction.atomic():
        try:
            team = _lock(team)
        except Team.DoesNotExist:
            return None
        today = _today(team, now)
        if expected_term_end is not None and team.term_end != expected_term_end:
            return None
        if on is None:
            if team.term_end > today:
                return None
            on = scheduled_day(team, today)
        plan = plan_rotation(team, on)
        # The claim: one conditional update per term; a second run (or a racing worker) updates nothing.
        claimed = Team.objects.filter(pk=team.pk, term_end=plan.current_term_end).update(
            term_start=plan.on, term_end=plan.new_term_end, last_rotated_at=now
        )
        if claimed != 1:
            return None
        team.term_start, team.term_end = plan.on, plan.new_term_end
        _carry_out(team, plan, now)
    return plan


def _carry_out(team: Team, plan: RotationPlan, now: dt.datetime) -> None:
    seat_ids = [p.seat_id for p in plan.rotating_out if p.seat_id is not None]
    # A seat taken after the term's last day (the rotation ran late) ends the day it started, never before.
    Seat.objects.filter(pk__in=seat_ids, served_until__isnull=True).update(
        served_until=Greatest(F("served_from"), Value(plan.on, output_field=DateField())),
        ended=SeatEnd.ROTATED,
        ended_at=now,
    )
    new_entries: dict[int, WaitlistEntry] = {}
    position = _next_position(team)
    for offset, person in enumerate(plan.reapplying):
        new_entries[person.member_id] = WaitlistEntry.objects.create(
            team=team, member_id=person.member_id, position=position + offset, reapplied=True, applied_at=now
        )
    members = Membership.objects.select_related("user").in_bulk(
        [p.member_id for p in (*plan.rotating_out, *plan.invited)]
    )
    entries = WaitlistEntry.objects.in_bulk([p.entry_id for p in plan.invited if p.entry_id is not None])
    for person in plan.invited:
        entry = entries[person.entry_id] if person.entry_id is not None else new_entries[person.member_id]
        _invite(team, members[person.member_id], entry=entry, by=None, now=now)
    for person in plan.rotating_out:
        member = members[person.member_id]
        _email_on_commit(
            f"Your term on {team.name} has ended",
            "teams/email/rotated_out.txt",
            {
                "team": team,
                "member": member,
                "plan": plan,
                "reapplied": person.member_id in new_entries,
                "invited_again": any(p.member_id == person.member_id for p in plan.invited),
                "url": _team_url(team),
            },
            member.user.email,
        )


def rotate_due_teams(*, now: dt.datetime | None = None) -> list[RotationPlan]:
    """Rotate every team with automatic rotation whose term is over. Idempotent."""
    now = now or timezone.now()
    # A candidate by UTC date; rotate_team checks the workspace's own day.
    horizon = (now + dt.timedelta(days=1)).date()
    done = []
    for team in Team.objects.filter(auto_rotate=True, term_end__lte=horizon).select_related("workspace"):
        plan = rotate_team(team=team, now=now)
        if plan is not None:
            done.append(plan)
    return done


def send_rotation_notices(*, now: dt.datetime | None = None) -> int:
    """Tell members, ``notice_days`` before the term ends, that they will rotate out. Once per term."""
    now = now or timezone.now()
    sent = 0
    horizon = (now + dt.timedelta(days=MAX_DAYS + 1)).date()
    candidates = Team.objects.filter(auto_rotate=True, notice_days__gt=0, term_end__lte=horizon).select_related(
        "workspace"
    )
    for team in candidates:
        today = _today(team, now)
        if not today < team.term_end <= today + dt.timedelta(days=team.notice_days):
            continue
        if team.notice_sent_for == team.term_end:
            continue
        with transaction.atomic():
            claimed = (
                Team.objects.filter(pk=team.pk, term_end=team.term_end)
                .exclude(notice_sent_for=team.term_end)
                .update(notice_sent_for=team.term_end)
            )
            if claimed != 1:
                continue  # another run sent them
            seats = Seat.objects.filter(team=team, served_until__isnull=True).select_related("member__user")
            for seat in seats:
                _email_on_commit(
                    f"Your term on {team.name} ends on {team.term_end:%d %B %Y}",
                    "teams/email/rotation_notice.txt",
                    {"team": team, "member": seat.member, "seat": seat, "url": _team_url(team)},
                    seat.member.user.email,
                )
                sent += 1
    return sent


# --- Offboarding ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Released:
    """What :func:`release_member` handed on, by team name."""

    seats: list[str]
    invitations: list[str]
    applications: list[str]

    def __bool__(self) -> bool:
        return bool(self.seats or self.invitations or self.applications)


def release_member(*, member: Membership, now: dt.datetime | None = None) -> Released:
    """A deactivated member gives up everything they hold on teams: their current seats end (``deactivated``;
    the rows stay as history), their pending invitations are cancelled and their applications closed; each
    freed seat is offered to the head of the waitlist at once (invitation and email as usual).

    Idempotent: a second call finds nothing open. Does nothing while the member is active (reactivated before
    this ran)."""
    now = now or timezone.now()
    seats: list[str] = []
    invitations: list[str] = []
    applications: list[str] = []
    with transaction.atomic():
        if Membership.objects.filter(pk=member.pk, is_active=True).exists():
            return Released(seats, invitations, applications)
        held = (
            set(Seat.objects.filter(member=member, served_until__isnull=True).values_list("team_id", flat=True))
            | set(
                TeamInvitation.objects.filter(member=member, status=InvitationStatus.PENDING).values_list(
                    "team_id", flat=True
                )
            )
            | set(WaitlistEntry.objects.filter(member=member, status__in=OPEN_ENTRY).values_list("team_id", flat=True))
        )
        # Locked in a fixed order, so two offboardings sharing teams cannot deadlock.
        teams = list(Team.objects.select_for_update().select_related("workspace").filter(pk__in=held).order_by("pk"))
        for team in teams:
            for seat in Seat.objects.filter(team=team, member=member, served_until__isnull=True):
                _end_seat(seat, SeatEnd.DEACTIVATED, _today(team, now), now)
                seats.append(team.name)
            if TeamInvitation.objects.filter(team=team, member=member, status=InvitationStatus.PENDING).update(
                status=InvitationStatus.CANCELLED, answered_at=now
            ):
                invitations.append(team.name)
            if WaitlistEntry.objects.filter(team=team, member=member, status__in=OPEN_ENTRY).update(
                status=EntryStatus.DEACTIVATED, closed_at=now
            ):
                applications.append(team.name)
            _fill_seats(team, now)
    if teams:
        log.info("Member %s deactivated: seats on %s freed, %s invitations cancelled", member.pk, seats, invitations)
    return Released(seats, invitations, applications)


# --- Privacy ----------------------------------------------------------------------------------------


def erase_member_data(*, member: Membership, now: dt.datetime | None = None) -> int:
    """Delete everything the teams keep about ``member`` (privacy erasure); their seats go to the waitlist."""
    now = now or timezone.now()
    with transaction.atomic():
        held = set(
            Seat.objects.filter(member=member, served_until__isnull=True).values_list("team_id", flat=True)
        ) | set(
            TeamInvitation.objects.filter(member=member, status=InvitationStatus.PENDING).values_list(
                "team_id", flat=True
            )
        )
        teams = list(Team.objects.select_for_update().select_related("workspace").filter(pk__in=held).order_by("pk"))
        erased = TeamInvitation.objects.filter(member=member).delete()[0]
        erased += WaitlistEntry.objects.filter(member=member).delete()[0]
        erased += Seat.objects.filter(member=member).delete()[0]
        for team in teams:
            _fill_seats(team, now)
    return erased
