"""Enrolment pages: the member's answer page, the admin's calls and volunteers, the manager's team totals."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from groundswell.analytics.chart_data import count_over_time_data
from groundswell.analytics.charts import CHART_CSP
from groundswell.enrolment import actions, queries
from groundswell.enrolment.actions import Answers, EnrolmentError
from groundswell.enrolment.charts import volunteers_chart
from groundswell.enrolment.forms import AnswerForm, CallForm, GroupSizeForm, VolunteerFilterForm
from groundswell.enrolment.mail import render_call_email
from groundswell.enrolment.models import CallForInterest, Comfort, Hours, Status
from groundswell.enrolment.totals import team_view
from groundswell.lib.periods import local_day
from groundswell.policy.views import safe_next
from groundswell.workspaces.access import allow_methods, get_for_workspace, get_membership, require_role
from groundswell.workspaces.models import Membership, Role, Workspace

VOLUNTEERS_PER_PAGE = 50
CALLS_SHOWN = 20
MAX_CHART_DAYS = 180


def _page(request: HttpRequest, template: str, member: Membership, **context: Any) -> HttpResponse:
    with timezone.override(member.workspace.timezone):
        return render(request, template, {"workspace": member.workspace, "member": member, "nav": "join", **context})


# --- Members --------------------------------------------------------------------------------------


@login_required
@allow_methods("GET", "POST")
def answer(request: HttpRequest, ws: str) -> HttpResponse:
    """The one-screen form: join (or change answers) and "not now" side by side."""
    member = get_membership(request.user, ws)
    workspace = member.workspace
    enrolment = queries.enrolment_for(member)
    call = queries.open_call(workspace)
    if request.method == "POST" and request.POST.get("action") == "decline":
        actions.decline(member)
        messages.success(request, "No problem — we will not ask you again about this call. You can join any time.")
        return redirect(safe_next(request, request.POST.get("next")) or reverse("core:home", kwargs={"ws": ws}))
    initial: dict[str, Any] = {"hours": Hours.UNDER_ONE, "comfort": Comfort.BEGINNER}
    if enrolment is not None and enrolment.status:
        initial = {
            "activities": enrolment.activities,
            "networks": enrolment.networks,
            "topics": [t.pk for t in enrolment.topics.all()],
            "hours": enrolment.hours or Hours.UNDER_ONE,
            "comfort": enrolment.comfort or Comfort.BEGINNER,
            "languages": enrolment.languages,
            "show_to_manager": enrolment.show_to_manager,
        }
    form = AnswerForm(request.POST or None, workspace=workspace, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        was_joined = enrolment is not None and enrolment.status == Status.JOINED
        try:
            actions.join(
                member,
                Answers(
                    activities=data["activities"],
                    networks=data["networks"],
                    topic_ids=[t.pk for t in data.get("topics", [])],
                    hours=data["hours"],
                    comfort=data["comfort"],
                    languages=data["languages"],
                    show_to_manager=data["show_to_manager"],
                ),
            )
        except EnrolmentError as exc:
            form.add_error(None, str(exc))
        else:
            if was_joined:
                messages.success(request, "Your answers are saved.")
            return redirect("enrolment:done", ws=ws)
    return _page(
        request,
        "enrolment/answer.html",
        member,
        form=form,
        enrolment=enrolment,
        call=call,
        joined=enrolment is not None and enrolment.status == Status.JOINED,
        history=list(member.enrolment_events.all()[:20]) if enrolment else [],
    )


@login_required
@allow_methods("GET")
def done(request: HttpRequest, ws: str) -> HttpResponse:
    """What happens next, after joining."""
    member = get_membership(request.user, ws)
    enrolment = queries.enrolment_for(member)
    if enrolment is None or enrolment.status != Status.JOINED:
        return redirect("enrolment:answer", ws=ws)
    return _page(request, "enrolment/done.html", member, enrolment=enrolment)


@login_required
@allow_methods("POST")
def leave(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    try:
        actions.leave(member)
    except EnrolmentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "You have left. Thank you for taking part — you can join again any time.")
    return redirect("enrolment:answer", ws=ws)


# --- Program admins -------------------------------------------------------------------------------


@login_required
@allow_methods("GET")
def calls(request: HttpRequest, ws: str) -> HttpResponse:
    """The calls with their response counts (numbers only: declines are never listed by name)."""
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    workspace = member.workspace
    current = queries.open_call(workspace)
    recent = list(CallForInterest.objects.filter(workspace=workspace).select_related("opened_by")[:CALLS_SHOWN])
    rows = [(c, queries.call_counts(c)) for c in recent]
    points = _volunteer_points(current, workspace) if current else []
    return _page(
        request,
        "enrolment/calls.html",
        member,
        current=current,
        current_counts=queries.call_counts(current) if current else None,
        rows=rows,
        volunteers_count=queries.volunteers(workspace).count(),
        volunteer_points=points,
        volunteers_chart=count_over_time_data(points, label="People taking part", title="People taking part, by day"),
    )


@login_required
@allow_methods("GET", "POST")
def open_call(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    workspace = member.workspace
    existing = queries.open_call(workspace)
    form = CallForm(request.POST or None, workspace=workspace)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if request.POST.get("action") == "open":
                call = actions.open_call(
                    workspace=workspace,
                    by=member,
                    title=data["title"],
                    message=data["message"],
                    deadline=data["deadline"],
                )
                messages.success(request, f"The call “{call.title}” is open. Emails are on their way.")
                return redirect("enrolment:calls", ws=ws)
            title, message = actions.check_call(
                workspace, title=data["title"], message=data["message"], deadline=data["deadline"]
            )
            preview = render_call_email(
                workspace=workspace,
                title=title,
                message=message,
                deadline=data["deadline"],
                sender=member.display_name,
                greeting_name="Sam",
            )
        except EnrolmentError as exc:
            form.add_error(None, str(exc))
    return _page(request, "enrolment/open_call.html", member, form=form, preview=preview, existing=existing)


@login_required
@allow_methods("POST")
def close_call(request: HttpRequest, ws: str, call_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    call = get_for_workspace(CallForInterest.objects.all(), member.workspace, pk=call_id)
    actions.close_call(call)
    messages.success(request, f"The call “{call.title}” is closed. Anyone can still join from the Join page.")
    return redirect("enrolment:calls", ws=ws)


def _volunteer_points(call: CallForInterest, workspace: Workspace) -> list[tuple[dt.date, int]]:
    """People taking part at the end of each day since the call opened (its last MAX_CHART_DAYS days)."""
    start = local_day(call.opened_at, workspace.timezone)
    today = local_day(timezone.now(), workspace.timezone)
    end = max(start, min(today, local_day(call.closed_at, workspace.timezone) if call.closed_at else today))
    start = max(start, end - dt.timedelta(days=MAX_CHART_DAYS - 1))
    return queries.volunteers_over_time(workspace, start, end)


@login_required
@allow_methods("GET")
def call_chart(request: HttpRequest, ws: str, call_id: int) -> HttpResponse:
    """Volunteers at the end of each day since the call opened (counts only), as SVG."""
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    call = get_for_workspace(CallForInterest.objects.all(), member.workspace, pk=call_id)
    svg = volunteers_chart(_volunteer_points(call, member.workspace), "People taking part, by day")
    response = HttpResponse(svg, content_type="image/svg+xml")
    response.headers["Content-Security-Policy"] = CHART_CSP
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@login_required
@allow_methods("GET")
def volunteers(request: HttpRequest, ws: str) -> HttpResponse:
    """Who joined, with what they would like to do — for staffing teams, brand accounts and customer care."""
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    workspace = member.workspace
    form = VolunteerFilterForm(request.GET or None, workspace=workspace)
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = {
            "activity": data["activity"] or None,
            "network": data["network"] or None,
            "language": data["language"] or None,
            "topic_ids": [data["topic"].pk] if data["topic"] else None,
        }
    qs = queries.volunteers(workspace, **filters) if not form.is_bound or form.is_valid() else None
    page = None
    if qs is not None:
        page = Paginator(queries.volunteer_rows(qs), VOLUNTEERS_PER_PAGE).get_page(request.GET.get("page"))
    return _page(
        request,
        "enrolment/volunteers.html",
        member,
        form=form,
        page=page,
        filtered=any(filters.values()),
    )


@login_required
@allow_methods("GET", "POST")
def group_size(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    workspace = member.workspace
    form = GroupSizeForm(request.POST or None, initial={"min_group_size": workspace.min_group_size})
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_min_group_size(workspace, form.cleaned_data["min_group_size"])
        except EnrolmentError as exc:
            form.add_error("min_group_size", str(exc))
        else:
            messages.success(request, f"Managers now see totals for groups of {workspace.min_group_size} or more.")
            return redirect("enrolment:settings", ws=ws)
    return _page(request, "enrolment/settings.html", member, form=form)


# --- Managers -------------------------------------------------------------------------------------


@login_required
@allow_methods("GET")
def team(request: HttpRequest, ws: str) -> HttpResponse:
    """Totals for the manager's fixed groups (see ``totals.py``); reports who allowed it, by name."""
    member = get_membership(request.user, ws)
    require_role(member, Role.MANAGER)
    return _page(request, "enrolment/team.html", member, view=team_view(member))
