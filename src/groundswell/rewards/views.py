"""Points pages: the leaderboard, my points ledger, and the points rules (admins)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from groundswell.analytics.models import MemberPeriod
from groundswell.lib.periods import ALL_TIME_START, PERIOD_LABELS, local_day, period_label, period_start
from groundswell.rewards.actions import RULE_ACTIONS, RuleError, add_rule
from groundswell.rewards.forms import RuleForm
from groundswell.rewards.leaderboard import leaderboard as board_rows
from groundswell.rewards.leaderboard import member_standing
from groundswell.rewards.models import Action, PointsEntry, PointsRule
from groundswell.workspaces.access import allow_methods, get_membership, require_role
from groundswell.workspaces.models import Department, Role, Workspace

BOARD_PERIODS = ("w", "m", "q", "a")
TAB_LABELS = {"w": "This week", "m": "This month", "q": "This quarter", "a": "All time"}
PAGE_SIZE = 50


def workspace_today(workspace: Workspace) -> dt.date:
    return local_day(timezone.now(), workspace.timezone)


def _int_param(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@login_required
def leaderboard(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    workspace = member.workspace
    period = request.GET.get("period", "m")
    if period not in BOARD_PERIODS:
        period = "m"
    today = workspace_today(workspace)
    start = period_start(period, today)
    departments = list(Department.objects.filter(workspace=workspace).values_list("pk", "name"))
    department_id = _int_param(request.GET.get("dept"))
    if department_id not in {pk for pk, _ in departments}:
        department_id = None
    page = max(1, min(_int_param(request.GET.get("page")) or 1, 10_000))
    offset = (page - 1) * PAGE_SIZE
    rows = board_rows(workspace, period, start, department_id=department_id, limit=PAGE_SIZE + 1, offset=offset)
    has_next = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    mine = member_standing(workspace, member, period, start, department_id=department_id)
    me_listed = any(r.member_id == member.pk for r in rows)
    base = reverse("rewards:leaderboard", kwargs={"ws": workspace.slug})
    dept_qs = f"&dept={department_id}" if department_id else ""
    tabs = [(p, TAB_LABELS[p], f"{base}?period={p}{dept_qs}") for p in BOARD_PERIODS]
    return render(
        request,
        "rewards/leaderboard.html",
        {
            "workspace": workspace,
            "member": member,
            "nav": "leaderboard",
            "period": period,
            "period_label": period_label(period, start) if period != "a" else PERIOD_LABELS["a"],
            "tabs": tabs,
            "departments": departments,
            "department_id": department_id,
            "rows": rows,
            # Pre-formatted cells: the hot loop of the page renders plain strings.
            "board": [
                (r.rank, r.display_name, f"{r.points:,}", f"{r.shares:,}", f"{r.clicks:,}", r.member_id == member.pk)
                for r in rows
            ],
            "mine": mine,
            "me_listed": me_listed,
            "page": page,
            "prev_url": f"{base}?period={period}{dept_qs}&page={page - 1}" if page > 1 else None,
            "next_url": f"{base}?period={period}{dept_qs}&page={page + 1}" if has_next else None,
        },
    )


@login_required
def history(request: HttpRequest, ws: str) -> HttpResponse:
    """How I earned my points: my own ledger, newest first."""
    member = get_membership(request.user, ws)
    workspace = member.workspace
    entries = PointsEntry.objects.filter(workspace=workspace, member=member).order_by("-created_at", "-id")
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    total = (
        MemberPeriod.objects.filter(workspace=workspace, member=member, period="a", start=ALL_TIME_START)
        .values_list("points", flat=True)
        .first()
    )
    return render(
        request,
        "rewards/history.html",
        {
            "workspace": workspace,
            "member": member,
            "nav": "leaderboard",
            "page": page,
            "total": total or 0,
        },
    )


@dataclass(frozen=True)
class RuleLine:
    rule: PointsRule
    status: str  # "current", "scheduled" or "past"


def _rule_lines(rules: list[PointsRule], today: dt.date) -> list[RuleLine]:
    """Tag each version: the newest one that has started is current; later ones are scheduled."""
    lines: list[RuleLine] = []
    current_seen: set[str] = set()
    for rule in sorted(rules, key=lambda r: (r.action, r.active_from), reverse=True):
        if rule.active_from > today:
            status = "scheduled"
        elif rule.action not in current_seen:
            status = "current"
            current_seen.add(rule.action)
        else:
            status = "past"
        lines.append(RuleLine(rule=rule, status=status))
    order: dict[str, int] = {str(a): i for i, a in enumerate(RULE_ACTIONS)}
    lines.sort(key=lambda line: (order.get(line.rule.action, 99), -line.rule.active_from.toordinal()))
    return lines


@login_required
@allow_methods("GET", "POST")
def rules(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    workspace = member.workspace
    today = workspace_today(workspace)
    form = RuleForm(request.POST or None, today=today)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            add_rule(
                workspace=workspace,
                action=data["action"],
                points=data["points"],
                daily_cap=data["daily_cap"],
                active_from=data["active_from"],
                today=today,
                decay_after=data["decay_after"],
                decay_factor=data["decay_factor"] if data["decay_factor"] is not None else Decimal(1),
            )
        except RuleError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, f"New rule for “{Action(data['action']).label}” from {data['active_from']:%d %b %Y}."
            )
            return redirect("rewards:rules", ws=workspace.slug)
    lines = _rule_lines(list(PointsRule.objects.filter(workspace=workspace)), today)
    return render(
        request,
        "rewards/rules.html",
        {
            "workspace": workspace,
            "member": member,
            "nav": "leaderboard",
            "form": form,
            "current": [line for line in lines if line.status == "current"],
            "scheduled": [line for line in lines if line.status == "scheduled"],
            "past": [line for line in lines if line.status == "past"],
            "today": today,
        },
    )
