"""The program page: the vision and the goals, for every member; admins edit them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from groundswell.goals.actions import GoalError, create_goal, delete_goal, set_vision, update_goal
from groundswell.goals.forms import GoalForm, VisionForm
from groundswell.goals.models import Goal
from groundswell.goals.progress import goal_progress
from groundswell.lib.periods import local_day
from groundswell.updates.queries import feed_page
from groundswell.workspaces.access import allow_methods, get_for_workspace, get_membership, require_role
from groundswell.workspaces.models import Role

PROGRAM_UPDATES = 3


@login_required
def program(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    workspace = member.workspace
    today = local_day(timezone.now(), workspace.timezone)
    goals = list(Goal.objects.filter(workspace=workspace).order_by("-period_start", "name"))
    progress = goal_progress(goals, today=today)
    updates = feed_page(workspace, today, limit=PROGRAM_UPDATES)
    return render(
        request,
        "goals/program.html",
        {
            "workspace": workspace,
            "member": member,
            "nav": "program",
            "current": [p for p in progress if p.is_current],
            "upcoming": sorted(
                (p for p in progress if not p.is_current and not p.is_past), key=lambda p: p.goal.period_start
            ),
            "past": [p for p in progress if p.is_past],
            "updates": updates,
        },
    )


@login_required
@allow_methods("GET", "POST")
def edit_vision(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    workspace = member.workspace
    form = VisionForm(request.POST or None, initial={"vision": workspace.vision})
    if request.method == "POST" and form.is_valid():
        set_vision(workspace=workspace, vision=form.cleaned_data["vision"])
        messages.success(request, "Vision saved.")
        return redirect("goals:program", ws=workspace.slug)
    return render(
        request, "goals/vision_form.html", {"workspace": workspace, "member": member, "nav": "program", "form": form}
    )


def _save_goal(request: HttpRequest, ws: str, goal_id: int | None) -> HttpResponse:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    workspace = member.workspace
    goal = get_for_workspace(Goal.objects.all(), workspace, pk=goal_id) if goal_id is not None else None
    initial = (
        {
            "name": goal.name,
            "metric": goal.metric,
            "target": goal.target,
            "period": goal.period,
            "day": goal.period_start,
        }
        if goal
        else {}
    )
    form = GoalForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        day = data["day"] or local_day(timezone.now(), workspace.timezone)
        try:
            if goal is None:
                create_goal(
                    workspace=workspace,
                    author=member,
                    name=data["name"],
                    metric=data["metric"],
                    target=data["target"],
                    period=data["period"],
                    day=day,
                )
            else:
                update_goal(
                    goal=goal,
                    name=data["name"],
                    metric=data["metric"],
                    target=data["target"],
                    period=data["period"],
                    day=day,
                )
        except GoalError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Goal saved.")
            return redirect("goals:program", ws=workspace.slug)
    return render(
        request,
        "goals/goal_form.html",
        {"workspace": workspace, "member": member, "nav": "program", "form": form, "goal": goal},
    )


@login_required
@allow_methods("GET", "POST")
def goal_create(request: HttpRequest, ws: str) -> HttpResponse:
    return _save_goal(request, ws, None)


@login_required
@allow_methods("GET", "POST")
def goal_edit(request: HttpRequest, ws: str, goal_id: int) -> HttpResponse:
    return _save_goal(request, ws, goal_id)


@login_required
@allow_methods("POST")
def goal_delete(request: HttpRequest, ws: str, goal_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    goal = get_for_workspace(Goal.objects.all(), member.workspace, pk=goal_id)
    delete_goal(goal=goal)
    messages.success(request, f"Goal “{goal.name}” deleted.")
    return redirect("goals:program", ws=member.workspace.slug)
