"""Points pages: the leaderboard, my points ledger, and the points rules (admins)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from groundswell.analytics.models import MemberPeriod
from groundswell.lib.periods import ALL_TIME_START, PERIOD_LABELS, local_day, period_label, period_start
from groundswell.privacy import visibility
from groundswell.rewards.actions import RULE_ACTIONS, FindingError, RuleError, add_rule, adjust_points, decide_finding
from groundswell.rewards.antigaming import RULE_TEXT
from groundswell.rewards.forms import AdjustmentForm, RuleForm
from groundswell.rewards.leaderboard import EVERYONE, Scope, board_for, member_standing, near_me
from groundswell.rewards.leaderboard import leaderboard as board_rows
from groundswell.rewards.leagues import league_for
from groundswell.rewards.models import LEAGUE_TIERS, Action, Finding, FindingStatus, PointsEntry, PointsRule
from groundswell.rewards.normalised import NormalisedRow, normalised_board
from groundswell.rewards.teams import team_directory
from groundswell.workspaces.access import allow_methods, get_for_workspace, get_membership, require_role
from groundswell.workspaces.models import Department, LeaderboardVisibility, Location, Membership, Role, Workspace

BOARD_PERIODS = ("w", "m", "q", "y", "a")
TAB_LABELS = {"w": "This week", "m": "This month", "q": "This quarter", "y": "This year", "a": "All time"}
PAGE_SIZE = 50


def workspace_today(workspace: Workspace) -> dt.date:
    return local_day(timezone.now(), workspace.timezone)


def _int_param(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


VIEWS = {"top": "Top", "near": "Near me", "normalised": "Points per opportunity"}
#: The period a rank change is measured against (none for all time).
PREVIOUS_LABELS = {"w": "last week", "m": "last month", "q": "last quarter", "y": "last year"}
TREND_PAGES = 4


class BoardCell(NamedTuple):
    """One row of the board as the template draws it (numbers already formatted)."""

    rank: int
    name: str
    points: str
    shares: str
    clicks: str
    is_me: bool
    member_id: int
    is_anonymous: bool
    change: int | None  # places gained since the previous period; None when new or not measured
    is_new: bool


@dataclass(frozen=True)
class ScopeChoice:
    kind: str
    object_id: int | None
    scope: Scope
    options: dict[str, list[tuple[int, str]]]

    @property
    def query(self) -> str:
        return f"&scope={self.kind}&id={self.object_id}" if self.object_id is not None else ""


def parse_scope(request: HttpRequest, workspace: Workspace, today: dt.date) -> ScopeChoice:
    """The board's scope from ``?scope=dept|loc|team&id=…`` (or the older ``?dept=…``); unknown → company."""
    options: dict[str, list[tuple[int, str]]] = {
        "dept": list(Department.objects.filter(workspace=workspace).values_list("pk", "name")),
        "loc": list(Location.objects.filter(workspace=workspace).values_list("pk", "name")),
    }
    directory = team_directory()
    if directory is not None:
        options["team"] = directory.teams(workspace)
    kind = request.GET.get("scope", "company")
    object_id = _int_param(request.GET.get("id"))
    if "board" in request.GET:  # the page's picker: "company", "dept:3", "loc:5", "team:7"
        kind, _, raw_id = request.GET["board"].partition(":")
        object_id = _int_param(raw_id)
    if "dept" in request.GET and "scope" not in request.GET:
        kind, object_id = "dept", _int_param(request.GET.get("dept"))
    if kind not in options or object_id not in {pk for pk, _ in options[kind]}:
        return ScopeChoice("company", None, EVERYONE, options)
    if kind == "dept":
        return ScopeChoice(kind, object_id, Scope(department_id=object_id), options)
    if kind == "loc":
        return ScopeChoice(kind, object_id, Scope(location_id=object_id), options)
    assert directory is not None and object_id is not None
    member_ids = directory.member_ids(workspace, object_id, today)
    if member_ids is None:
        return ScopeChoice("company", None, EVERYONE, options)
    return ScopeChoice(kind, object_id, Scope(member_ids=member_ids), options)


@login_required
def leaderboard(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    workspace = member.workspace
    period = request.GET.get("period", "m")
    if period not in BOARD_PERIODS:
        period = "m"
    view = request.GET.get("view", "top")
    if view not in VIEWS:
        view = "top"
    today = workspace_today(workspace)
    start = period_start(period, today)
    choice = parse_scope(request, workspace, today)
    page = max(1, min(_int_param(request.GET.get("page")) or 1, 10_000))
    offset = (page - 1) * PAGE_SIZE
    has_next = False
    normalised: list[NormalisedRow] = []
    my_normalised: NormalisedRow | None = None
    seen = None  # the board as this viewer sees it, asked once for the rows and the standing (Top view)
    if view == "near":
        rows = near_me(member, period, start, scope=choice.scope)
    elif view == "normalised":
        rows = []
        everyone = normalised_board(member, period, start, scope=choice.scope)
        normalised = everyone[offset : offset + PAGE_SIZE]
        has_next = len(everyone) > offset + PAGE_SIZE
        my_normalised = next((r for r in everyone if r.member_id == member.pk), None)
    else:
        # Rank changes on the first pages only: each row's previous rank is a count over the people ahead of
        # it, whose cost grows with the depth of the page.
        measured = period in PREVIOUS_LABELS and page <= TREND_PAGES
        previous_start = period_start(period, start - dt.timedelta(days=1)) if measured else None
        seen = board_for(member, period, start, choice.scope)
        rows = board_rows(
            member,
            period,
            start,
            scope=choice.scope,
            limit=PAGE_SIZE + 1,
            offset=offset,
            previous_start=previous_start,
            seen=seen,
        )
        has_next = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
    mine = member_standing(member, period, start, scope=choice.scope, seen=seen)
    me_listed = any(r.member_id == member.pk for r in rows) or view != "top"
    base = reverse("rewards:leaderboard", kwargs={"ws": workspace.slug})
    scope_qs = choice.query
    view_qs = f"&view={view}" if view != "top" else ""
    tabs = [(p, TAB_LABELS[p], f"{base}?period={p}{scope_qs}{view_qs}") for p in BOARD_PERIODS]
    view_tabs = [(v, label, f"{base}?period={period}{scope_qs}&view={v}") for v, label in VIEWS.items()]
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
            "view": view,
            "view_tabs": view_tabs,
            "scope": choice,
            "departments": choice.options["dept"],
            "rows": rows,
            # Pre-formatted cells: the hot loop of the page renders plain strings.
            "board": [
                BoardCell(
                    r.rank,
                    r.display_name,
                    f"{r.points:,}",
                    f"{r.shares:,}",
                    f"{r.clicks:,}",
                    r.member_id == member.pk,
                    r.member_id,
                    r.is_anonymous,
                    r.rank_change,
                    r.previous_rank is None,
                )
                for r in rows
            ],
            # The top three on the first page of the Top view (rows already follow the privacy rule).
            "podium": [r for r in rows if r.rank <= 3][:3] if view == "top" and page == 1 and len(rows) >= 3 else [],
            # Arrows only when someone on the page had points last period (else every row would say "new").
            "previous_label": PREVIOUS_LABELS.get(period, "")
            if view == "top" and any(r.previous_rank is not None for r in rows)
            else "",
            "normalised": [
                (
                    r.rank,
                    r.display_name,
                    f"{r.points:,}",
                    f"{r.opportunities:,}",
                    f"{r.ratio:.2f}",
                    r.member_id == member.pk,
                    r.member_id,
                    r.is_anonymous,
                )
                for r in normalised
            ],
            "my_normalised": my_normalised,
            "mine": mine,
            "me_listed": me_listed,
            "board_note": visibility.board_note(member),
            "page": page,
            "prev_url": f"{base}?period={period}{scope_qs}{view_qs}&page={page - 1}" if page > 1 else None,
            "next_url": f"{base}?period={period}{scope_qs}{view_qs}&page={page + 1}" if has_next else None,
        },
    )


@login_required
@allow_methods("GET")
def league(request: HttpRequest, ws: str) -> HttpResponse:
    """My league this week: my cohort, my position, and the promotion and relegation lines."""
    member = get_membership(request.user, ws)
    workspace = member.workspace
    week = period_start("w", workspace_today(workspace))
    return render(
        request,
        "rewards/league.html",
        {
            "workspace": workspace,
            "member": member,
            "nav": "leaderboard",
            "week": week,
            "league": league_for(member, week),
            "board_note": visibility.board_note(member),
            "hidden": member.leaderboard_visibility == LeaderboardVisibility.HIDDEN,
            "tiers": LEAGUE_TIERS,
        },
    )


@login_required
def history(request: HttpRequest, ws: str) -> HttpResponse:
    """How I earned my points: my own ledger, newest first."""
    member = get_membership(request.user, ws)
    workspace = member.workspace
    entries = (
        PointsEntry.objects.filter(workspace=workspace, member=member)
        .select_related("author")
        .order_by("-created_at", "-id")
    )
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


@login_required
@allow_methods("GET", "POST")
def adjust(request: HttpRequest, ws: str) -> HttpResponse:
    """Program admins: add or take away points by hand, with a reason (the ledger records who did it)."""
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    workspace = member.workspace
    people = list(
        Membership.objects.filter(workspace=workspace, is_active=True)
        .order_by("display_name", "pk")
        .values_list("pk", "display_name")
    )
    form = AdjustmentForm(request.POST or None, members=people)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        target = get_for_workspace(Membership.objects.filter(is_active=True), workspace, pk=data["member"])
        adjust_points(
            member=target,
            points=data["points"],
            reason=data["reason"],
            author=member,
            key=f"adjustment:{uuid.uuid4()}",
            day=workspace_today(workspace),
        )
        messages.success(request, f"{data['points']:+,} points for {target.display_name}, with your reason.")
        return redirect("rewards:adjust", ws=workspace.slug)
    recent = (
        PointsEntry.objects.filter(workspace=workspace, action=Action.ADJUSTMENT)
        .select_related("member", "author")
        .order_by("-created_at", "-pk")[:20]
    )
    return render(
        request,
        "rewards/adjust.html",
        {"workspace": workspace, "member": member, "nav": "leaderboard", "form": form, "recent": recent},
    )


@login_required
@allow_methods("GET")
def findings(request: HttpRequest, ws: str) -> HttpResponse:
    """Program admins: what the anti-gaming rules excluded from points, with the evidence."""
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    workspace = member.workspace
    status = request.GET.get("status", FindingStatus.OPEN)
    if status not in FindingStatus.values:
        status = FindingStatus.OPEN
    qs = Finding.objects.filter(workspace=workspace, status=status).select_related("member", "decided_by")
    page = Paginator(qs.order_by("-last_at", "-pk"), 25).get_page(request.GET.get("page"))
    counts = dict(Finding.objects.filter(workspace=workspace).order_by().values_list("status").annotate(n=Count("id")))
    return render(
        request,
        "rewards/findings.html",
        {
            "workspace": workspace,
            "member": member,
            "nav": "leaderboard",
            "page": page,
            "status": status,
            "statuses": [(s.value, s.label, counts.get(s.value, 0)) for s in FindingStatus],
            "rules": RULE_TEXT.items(),
        },
    )


@login_required
@allow_methods("POST")
def decide(request: HttpRequest, ws: str, finding_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    workspace = member.workspace
    finding = get_for_workspace(Finding.objects.select_related("member"), workspace, pk=finding_id)
    decision = request.POST.get("decision")
    if decision not in ("confirm", "dismiss"):
        messages.error(request, "Choose whether to confirm the finding or dismiss it.")
        return redirect("rewards:findings", ws=workspace.slug)
    try:
        decided = decide_finding(
            finding=finding, confirm=decision == "confirm", author=member, today=workspace_today(workspace)
        )
    except FindingError as exc:
        messages.error(request, str(exc))
    else:
        if decided.status == FindingStatus.CONFIRMED:
            messages.success(request, f"Confirmed: {finding.member.display_name}'s excluded points stay excluded.")
        else:
            messages.success(request, f"Dismissed: {finding.member.display_name} got the points back.")
    return redirect("rewards:findings", ws=workspace.slug)
