"""Team pages: every member sees the teams and applies; program admins run them.

Views parse input, check access and call ``actions``; a ``TeamError`` becomes a message or a form error.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from groundswell.lib.periods import local_day
from groundswell.teams import actions
from groundswell.teams.actions import TeamError
from groundswell.teams.forms import ApplyForm, InviteForm, RotateForm, TeamForm
from groundswell.teams.models import (
    OPEN_ENTRY,
    EntryStatus,
    InvitationStatus,
    Seat,
    Team,
    TeamInvitation,
    WaitlistEntry,
)
from groundswell.teams.queries import pending_invitations, teams_with_counts, waitlist_position
from groundswell.teams.rotation import plan_rotation
from groundswell.workspaces.access import allow_methods, get_for_workspace, get_membership, require_role
from groundswell.workspaces.models import Membership, Role

M = TypeVar("M", bound=models.Model)


def _get_in_team(queryset: models.QuerySet[M], team: Team, pk: int) -> M:
    try:
        return queryset.get(team=team, pk=pk)
    except queryset.model.DoesNotExist:  # type: ignore[attr-defined]
        raise Http404("Not found") from None


def _team(member: Membership, team_id: int) -> Team:
    return get_for_workspace(Team.objects.select_related("workspace"), member.workspace, pk=team_id)


def _back(team: Team) -> HttpResponse:
    return redirect("teams:detail", ws=team.workspace.slug, team_id=team.pk)


def _ctx(member: Membership, **extra: Any) -> dict[str, Any]:
    return {"workspace": member.workspace, "member": member, "nav": "teams", **extra}


@login_required
def team_list(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    teams = list(teams_with_counts(member.workspace).order_by("name"))
    mine = set(
        Seat.objects.filter(member=member, served_until__isnull=True, team__workspace=member.workspace).values_list(
            "team_id", flat=True
        )
    )
    waiting = set(
        WaitlistEntry.objects.filter(member=member, status=EntryStatus.WAITING).values_list("team_id", flat=True)
    )
    invitations = pending_invitations(member)
    invited = {i.team_id for i in invitations}
    rows = [
        {
            "team": t,
            "free": max(0, t.seats - t.serving - t.offered),  # type: ignore[attr-defined]
            "is_mine": t.pk in mine,
            "is_waiting": t.pk in waiting,
            "is_invited": t.pk in invited,
        }
        for t in teams
    ]
    return render(request, "teams/list.html", _ctx(member, rows=rows, invitations=invitations))


@login_required
def team_detail(request: HttpRequest, ws: str, team_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    team = _team(member, team_id)
    seats = list(
        Seat.objects.filter(team=team).select_related("member").order_by("-served_from", "member__display_name")
    )
    current = sorted((s for s in seats if s.is_current), key=lambda s: s.member.display_name)
    history = [s for s in seats if not s.is_current]
    my_seat = next((s for s in current if s.member_id == member.pk), None)
    my_entry = WaitlistEntry.objects.filter(team=team, member=member, status__in=OPEN_ENTRY).first()
    my_invitation = TeamInvitation.objects.filter(team=team, member=member, status=InvitationStatus.PENDING).first()
    waiting = WaitlistEntry.objects.filter(team=team, status=EntryStatus.WAITING)
    context = _ctx(
        member,
        team=team,
        current=current,
        history=history,
        my_seat=my_seat,
        my_entry=my_entry,
        my_position=waitlist_position(my_entry) if my_entry and my_entry.status == EntryStatus.WAITING else None,
        my_invitation=my_invitation,
        waiting_count=waiting.count(),
        free=actions.free_seats(team),
        apply_form=ApplyForm(),
    )
    if member.is_admin:
        context["waitlist"] = list(waiting.select_related("member").order_by("position", "applied_at", "id"))
        context["offers"] = list(
            TeamInvitation.objects.filter(team=team, status=InvitationStatus.PENDING).select_related("member")
        )
        context["invite_form"] = InviteForm(members=_invitable(team))
    return render(request, "teams/detail.html", context)


def _invitable(team: Team) -> models.QuerySet[Membership]:
    return (
        Membership.objects.filter(workspace_id=team.workspace_id, is_active=True)
        .exclude(pk__in=Seat.objects.filter(team=team, served_until__isnull=True).values("member_id"))
        .exclude(pk__in=TeamInvitation.objects.filter(team=team, status=InvitationStatus.PENDING).values("member_id"))
        .order_by("display_name")
    )


def _save_team(request: HttpRequest, ws: str, team_id: int | None) -> HttpResponse:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    team = _team(member, team_id) if team_id is not None else None
    today = local_day(timezone.now(), member.workspace.timezone)
    initial: dict[str, Any] = {"term_start": today}
    if team is not None:
        initial = {
            f: getattr(team, f)
            for f in (
                "name",
                "purpose",
                "description",
                "seats",
                "term_months",
                "term_start",
                "applications_open",
                "auto_rotate",
                "invitation_days",
                "notice_days",
            )
        }
    form = TeamForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if team is None:
                team = actions.create_team(workspace=member.workspace, settings=form.to_settings())
            else:
                team = actions.update_team(team=team, settings=form.to_settings())
        except TeamError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Team “{team.name}” saved.")
            return _back(team)
    return render(request, "teams/team_form.html", _ctx(member, form=form, team=team))


@login_required
@allow_methods("GET", "POST")
def team_create(request: HttpRequest, ws: str) -> HttpResponse:
    return _save_team(request, ws, None)


@login_required
@allow_methods("GET", "POST")
def team_edit(request: HttpRequest, ws: str, team_id: int) -> HttpResponse:
    return _save_team(request, ws, team_id)


@login_required
@allow_methods("POST")
def apply(request: HttpRequest, ws: str, team_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    team = _team(member, team_id)
    form = ApplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Keep the note to 280 characters.")
        return _back(team)
    try:
        entry = actions.apply_to_team(team=team, member=member, note=form.cleaned_data["note"])
    except TeamError as exc:
        messages.error(request, str(exc))
    else:
        if entry.status == EntryStatus.INVITED:
            messages.success(request, f"A seat on {team.name} is free: accept the invitation below.")
        else:
            messages.success(request, f"You are on the waitlist of {team.name}.")
    return _back(team)


def _member_action(request: HttpRequest, ws: str, team_id: int, what: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    team = _team(member, team_id)
    try:
        if what == "withdraw":
            actions.withdraw_application(team=team, member=member)
            messages.success(request, f"You are off the waitlist of {team.name}.")
        elif what == "leave":
            actions.leave_team(team=team, member=member)
            messages.success(request, f"You left {team.name}. Thank you for serving!")
        else:
            on = request.POST.get("reapply") == "1"
            actions.set_reapply(team=team, member=member, reapply=on)
            messages.success(
                request,
                "You will go back on the waitlist (at its end) when the term ends."
                if on
                else "You will not be put back on the waitlist when the term ends.",
            )
    except TeamError as exc:
        messages.error(request, str(exc))
    return _back(team)


@login_required
@allow_methods("POST")
def withdraw(request: HttpRequest, ws: str, team_id: int) -> HttpResponse:
    return _member_action(request, ws, team_id, "withdraw")


@login_required
@allow_methods("POST")
def leave(request: HttpRequest, ws: str, team_id: int) -> HttpResponse:
    return _member_action(request, ws, team_id, "leave")


@login_required
@allow_methods("POST")
def reapply(request: HttpRequest, ws: str, team_id: int) -> HttpResponse:
    return _member_action(request, ws, team_id, "reapply")


@login_required
@allow_methods("GET", "POST")
def rotation(request: HttpRequest, ws: str, team_id: int) -> HttpResponse:
    """The preview of the scheduled rotation, and "rotate now" after confirming its own preview."""
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    team = _team(member, team_id)
    today = local_day(timezone.now(), member.workspace.timezone)
    if request.method == "POST":
        form = RotateForm(request.POST)
        if not form.is_valid():
            messages.error(request, "The rotation could not be confirmed: review the preview and try again.")
            return redirect("teams:rotation", ws=ws, team_id=team.pk)
        # A term that is over rotates exactly as the task would; otherwise the new term starts today.
        on = None if team.term_end <= today else today
        plan = actions.rotate_team(team=team, on=on, expected_term_end=form.cleaned_data["term_end"])
        if plan is None:
            messages.error(request, "The team changed since you looked (it may have rotated already): review again.")
            return redirect("teams:rotation", ws=ws, team_id=team.pk)
        messages.success(
            request,
            f"{team.name} rotated: {len(plan.rotating_out)} rotated out, {len(plan.invited)} invited. "
            f"The new term ends on {plan.new_term_end - dt.timedelta(days=1):%d %B %Y}.",
        )
        return _back(team)
    scheduled = plan_rotation(team, actions.scheduled_day(team, today))
    now_plan = scheduled if team.term_end <= today else plan_rotation(team, today)
    return render(
        request,
        "teams/rotation.html",
        _ctx(
            member,
            team=team,
            scheduled=scheduled,
            now_plan=now_plan,
            form=RotateForm(initial={"term_end": team.term_end}),
            today=today,
        ),
    )


@login_required
@allow_methods("POST")
def invite(request: HttpRequest, ws: str, team_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    team = _team(member, team_id)
    form = InviteForm(request.POST, members=_invitable(team))
    if not form.is_valid():
        messages.error(request, "Choose a person of this workspace who is not on the team or invited already.")
        return _back(team)
    try:
        invitation = actions.invite_to_team(team=team, member=form.cleaned_data["member"], by=member)
    except TeamError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{invitation.member.display_name} is invited; they have been emailed.")
    return _back(team)


@login_required
@allow_methods("POST")
def waitlist_move(request: HttpRequest, ws: str, team_id: int, entry_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    team = _team(member, team_id)
    entry = _get_in_team(WaitlistEntry.objects.select_related("team"), team, entry_id)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        messages.error(request, "Move an application up or down.")
        return _back(team)
    try:
        actions.move_on_waitlist(entry=entry, up=direction == "up")
    except TeamError as exc:
        messages.error(request, str(exc))
    return _back(team)


@login_required
@allow_methods("POST")
def waitlist_remove(request: HttpRequest, ws: str, team_id: int, entry_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    team = _team(member, team_id)
    entry = _get_in_team(WaitlistEntry.objects.select_related("team", "member"), team, entry_id)
    try:
        actions.remove_from_waitlist(entry=entry)
    except TeamError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{entry.member.display_name} is off the waitlist.")
    return _back(team)


@login_required
@allow_methods("POST")
def seat_remove(request: HttpRequest, ws: str, team_id: int, seat_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    team = _team(member, team_id)
    seat = _get_in_team(Seat.objects.select_related("team", "member"), team, seat_id)
    try:
        actions.remove_from_team(seat=seat)
    except TeamError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{seat.member.display_name} is off {team.name}.")
    return _back(team)


@login_required
@allow_methods("POST")
def invitation_cancel(request: HttpRequest, ws: str, team_id: int, team_invitation_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    team = _team(member, team_id)
    offer = _get_in_team(TeamInvitation.objects.select_related("team", "member"), team, team_invitation_id)
    try:
        actions.cancel_invitation(invitation=offer)
    except TeamError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"The invitation of {offer.member.display_name} is cancelled.")
    return _back(team)


@login_required
@allow_methods("GET", "POST")
def invitation(request: HttpRequest, ws: str, team_invitation_id: int) -> HttpResponse:
    """The invited member's page (linked from the email): accept or decline."""
    member = get_membership(request.user, ws)
    try:
        offer = TeamInvitation.objects.select_related("team__workspace").get(
            pk=team_invitation_id, member=member, team__workspace=member.workspace
        )
    except TeamInvitation.DoesNotExist:
        raise Http404("Not found") from None
    if request.method == "POST":
        answer = request.POST.get("answer")
        try:
            if answer == "accept":
                actions.accept_invitation(invitation=offer)
                messages.success(request, f"Welcome to {offer.team.name}!")
                return _back(offer.team)
            if answer == "decline":
                actions.decline_invitation(invitation=offer)
                messages.success(request, "Thanks for letting us know; the seat goes to the next person.")
                return _back(offer.team)
            messages.error(request, "Choose accept or decline.")
        except TeamError as exc:
            messages.error(request, str(exc))
        return redirect("teams:invitation", ws=ws, team_invitation_id=offer.pk)
    return render(request, "teams/invitation.html", _ctx(member, offer=offer, team=offer.team))
