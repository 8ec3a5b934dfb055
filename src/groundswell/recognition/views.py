"""Recognition pages: contests and their published draws, bonus periods with "why I got this", badges."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from groundswell.lib.pages import paginate
from groundswell.lib.periods import local_day
from groundswell.privacy import visibility
from groundswell.recognition import actions
from groundswell.recognition.forms import BonusForm, ContestForm
from groundswell.recognition.models import (
    BadgeKind,
    BonusPayout,
    BonusPeriod,
    BonusStatus,
    Contest,
    ContestStatus,
    MemberBadge,
)
from groundswell.recognition.templatetags.gs_money import money as display_money
from groundswell.workspaces.access import allow_methods, get_for_workspace, get_membership, require_role
from groundswell.workspaces.models import Department, Location, Membership, Role, Workspace

BONUS_ROWS_PER_PAGE = 50


def _today(workspace: Workspace) -> object:
    return local_day(timezone.now(), workspace.timezone)


def _cents(value: Decimal) -> int:
    return int((value * 100).to_integral_value())


@login_required
def overview(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    workspace = member.workspace
    contests = list(Contest.objects.filter(workspace=workspace).exclude(status=ContestStatus.CANCELLED)[:20])
    periods = list(BonusPeriod.objects.filter(workspace=workspace)[:12])
    mine = dict(
        BonusPayout.objects.filter(member=member, period__in=[p.pk for p in periods]).values_list("period_id", "cents")
    )
    badges = {b.badge: b for b in MemberBadge.objects.filter(member=member)}
    return render(
        request,
        "recognition/overview.html",
        {
            "workspace": workspace,
            "member": member,
            "nav": "recognition",
            "contests": contests,
            "periods": [(p, mine.get(p.pk)) for p in periods],
            "badges": [(kind, label, badges.get(kind)) for kind, label in BadgeKind.choices],
            "earned": len(badges),
        },
    )


@login_required
@allow_methods("GET", "POST")
def new_contest(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    workspace = member.workspace
    departments = list(Department.objects.filter(workspace=workspace).values_list("pk", "name"))
    locations = list(Location.objects.filter(workspace=workspace).values_list("pk", "name"))
    form = ContestForm(request.POST or None, departments=departments, locations=locations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            contest = actions.create_contest(
                workspace=workspace,
                by=member,
                name=data["name"],
                goal=data["goal"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                method=data["method"],
                prizes=data["prizes"],
                prize_description=data["prize_description"],
                threshold_points=data["threshold_points"],
                points_cap=data["points_cap"],
                cooldown=data["cooldown"],
                department_id=data["department"],
                location_id=data["location"],
                admins_can_win=data["admins_can_win"],
            )
        except actions.RecognitionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Contest created. Its seed commitment is published on the contest page.")
            return redirect("recognition:contest", ws=workspace.slug, contest_id=contest.pk)
    return render(
        request,
        "recognition/contest_form.html",
        {"workspace": workspace, "member": member, "nav": "recognition", "form": form},
    )


def _entrants(contest: Contest, workspace: Workspace) -> dict[str, visibility.Entrant]:
    return {
        actions.entry_key(contest, pk): visibility.Entrant(pk, name, vis)
        for pk, name, vis in Membership.objects.filter(workspace=workspace).values_list(
            "pk", "display_name", "leaderboard_visibility"
        )
    }


@login_required
def contest_detail(request: HttpRequest, ws: str, contest_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    workspace = member.workspace
    contest = get_for_workspace(Contest.objects.select_related("department", "location"), workspace, pk=contest_id)
    context: dict[str, object] = {
        "workspace": workspace,
        "member": member,
        "nav": "recognition",
        "contest": contest,
        "today": _today(workspace),
        "my_key": actions.entry_key(contest, member.pk),
    }
    draw = getattr(contest, "draw", None) if contest.status == ContestStatus.DRAWN else None
    if draw is not None:
        entrants = _entrants(contest, workspace)
        winners = set(draw.winners)
        context["draw"] = draw
        context["verified"] = actions.verify_draw(draw)
        context["winner_rows"] = [
            (i + 1, visibility.entrant_label(member, entrants.get(k), winner=True), k)
            for i, k in enumerate(draw.winners)
        ]
        context["entry_rows"] = [
            (
                e["key"],
                visibility.entrant_label(member, entrants.get(str(e["key"])), winner=e["key"] in winners),
                e["points"],
                e["tickets"],
                e["key"] in winners,
            )
            for e in draw.entries
        ]
        context["total_tickets"] = sum(int(e["tickets"]) for e in draw.entries)
    elif contest.status == ContestStatus.OPEN:
        # So far: my own points and whether I take part (nobody else's), and how many take part.
        entries, cooled = actions.contest_entries(contest)
        mine = next((e for e in entries if e.member_id == member.pk), None)
        context["entrants"] = len(entries)
        context["my_entry"] = mine
        context["my_points"] = actions.points_between(workspace, contest.starts_on, contest.ends_on, [member.pk]).get(
            member.pk, 0
        )
        context["cooling_down"] = context["my_key"] in cooled
    return render(request, "recognition/contest.html", context)


@login_required
@allow_methods("POST")
def draw_view(request: HttpRequest, ws: str, contest_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    contest = get_for_workspace(Contest.objects.all(), member.workspace, pk=contest_id)
    try:
        actions.draw_contest(contest=contest, by=member, today=local_day(timezone.now(), member.workspace.timezone))
    except actions.RecognitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Drawn. The seed, every entry and the winners are now published.")
    return redirect("recognition:contest", ws=ws, contest_id=contest.pk)


@login_required
@allow_methods("POST")
def cancel_view(request: HttpRequest, ws: str, contest_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    contest = get_for_workspace(Contest.objects.all(), member.workspace, pk=contest_id)
    try:
        actions.cancel_contest(contest=contest)
    except actions.RecognitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Contest cancelled.")
    return redirect("recognition:overview", ws=ws)


@login_required
@allow_methods("GET", "POST")
def new_bonus(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    workspace = member.workspace
    form = BonusForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            period = actions.create_bonus_period(
                workspace=workspace,
                by=member,
                name=data["name"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                currency=data["currency"],
                pool_cents=_cents(data["pool"]),
                threshold=data["threshold"],
                cap=data["cap"],
                floor_cents=_cents(data["floor"]),
                ceiling_cents=_cents(data["ceiling"]),
            )
        except actions.RecognitionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Bonus period created. Everyone can see the formula and a preview.")
            return redirect("recognition:bonus", ws=workspace.slug, period_id=period.pk)
    return render(
        request,
        "recognition/bonus_form.html",
        {"workspace": workspace, "member": member, "nav": "recognition", "form": form},
    )


@login_required
def bonus_detail(request: HttpRequest, ws: str, period_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    workspace = member.workspace
    period = get_for_workspace(BonusPeriod.objects.all(), workspace, pk=period_id)
    context: dict[str, object] = {
        "workspace": workspace,
        "member": member,
        "nav": "recognition",
        "period": period,
        "today": _today(workspace),
    }
    mine: dict[str, object] | None = None
    rows: list[tuple[str, str, int, int, str, int]] = []
    if period.status == BonusStatus.CLOSED:
        payouts = list(period.payouts.all())
        own = next((p for p in payouts if p.member_id == member.pk), None)
        if own is not None:
            mine = {"cents": own.cents, "steps": own.steps, "capped": own.capped, "bound": own.bound}
        qualified = sum(1 for p in payouts if p.qualified)
        paid_cents = sum(p.cents for p in payouts)
        rows = [(p.display_name, p.employee_id, p.points, p.capped, p.bound, p.cents) for p in payouts]
    else:
        allocation, members = actions.preview_bonus(period)
        line = allocation.lines.get(str(member.pk))
        if line is not None and line.points > 0:
            mine = {"cents": line.cents, "steps": line.steps, "capped": line.capped, "bound": line.bound}
        qualified = sum(1 for ln in allocation.lines.values() if ln.qualified)
        paid_cents = allocation.paid_cents
        rows = sorted(
            (
                (members[int(k)].display_name, members[int(k)].employee_id, ln.points, ln.capped, ln.bound, ln.cents)
                for k, ln in allocation.lines.items()
                if ln.points > 0
            ),
            key=lambda r: (-r[5], r[0]),
        )
    if mine is not None:
        mine["amount"] = display_money(int(mine["cents"]))  # type: ignore[call-overload]
    page, query = paginate(request, rows if member.is_admin else [], BONUS_ROWS_PER_PAGE)
    context.update(
        mine=mine,
        qualified=qualified,
        rows=[(*r[:5], display_money(r[5])) for r in page.object_list],
        page=page,
        query=query,
        paid=display_money(paid_cents),
        pool=display_money(period.pool_cents),
        floor=display_money(period.floor_cents),
        ceiling=display_money(period.ceiling_cents),
    )
    return render(request, "recognition/bonus.html", context)


@login_required
@allow_methods("POST")
def close_view(request: HttpRequest, ws: str, period_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    period = get_for_workspace(BonusPeriod.objects.all(), member.workspace, pk=period_id)
    try:
        actions.close_bonus_period(period=period, by=member, today=local_day(timezone.now(), member.workspace.timezone))
    except actions.RecognitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Closed. The payouts are final and the payroll file is ready.")
    return redirect("recognition:bonus", ws=ws, period_id=period.pk)


@login_required
def payroll_view(request: HttpRequest, ws: str, period_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    period = get_for_workspace(BonusPeriod.objects.all(), member.workspace, pk=period_id)
    try:
        body = actions.payroll_csv(period)
    except actions.RecognitionError as exc:
        messages.error(request, str(exc))
        return redirect("recognition:bonus", ws=ws, period_id=period.pk)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="bonus-{period.pk}-{period.ends_on:%Y-%m}.csv"'
    return response
