"""The privacy centre: what the employer can see, the switches, export, delete, leave; the admin's audit log.

Every page is the signed-in member's own: nothing here takes another member's id, so nobody can reach
another person's export or settings. The audit log is for program admins, the team page for managers.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from groundswell.analytics.models import MemberPeriod
from groundswell.lib.periods import local_day, period_start
from groundswell.networks import oauth
from groundswell.networks.models import ConnectedAccount
from groundswell.privacy import actions, registry, visibility
from groundswell.privacy.forms import DeleteForm, LeaderboardForm, LeaveForm, ManagerSharingForm
from groundswell.privacy.models import DataExport, ExportStatus, PrivacyEvent
from groundswell.workspaces.access import allow_methods, get_membership, require_role
from groundswell.workspaces.models import Membership, Role

AUDIT_PAGE_SIZE = 50


def _render(
    request: HttpRequest, member: Membership, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    base = {"workspace": member.workspace, "member": member, "nav": "privacy"}
    return render(request, f"privacy/{template}", {**base, **context}, status=status)


def _heading(visible_to: str, sharing: bool) -> str:
    """The plain-language heading of one group of the inventory."""
    if visible_to == registry.ADMINS:
        return "Your program admins can see:"
    if visible_to == registry.ADMINS_AND_MANAGER:
        if sharing:
            return "Your program admins and, because you allow it, your manager can see:"
        return "Your program admins can see (your manager too, but only if you allow it below):"
    if visible_to == registry.COLLEAGUES:
        return "Colleagues can see, as you choose below:"
    if visible_to == registry.ONLY_YOU:
        return "Only you can see:"
    return f"Who can see these: {visible_to.rstrip('.')}"


def _inventory(member: Membership, sharing: bool) -> list[tuple[str, list[tuple[str, registry.InventoryLine]]]]:
    """Inventory lines grouped by who can see them, in a fixed order (admins first, "only you" last)."""
    groups: dict[str, list[tuple[str, registry.InventoryLine]]] = defaultdict(list)
    for provider in registry.providers():
        for line in provider.inventory(member):
            groups[line.visible_to].append((provider.label, line))
    order = {v: i for i, v in enumerate(registry.VISIBILITY_ORDER)}
    ordered = sorted(groups.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
    return [(_heading(visible_to, sharing), lines) for visible_to, lines in ordered]


def _accounts(member: Membership) -> list[dict[str, Any]]:
    """Connected accounts with each granted scope and what Groundswell does with it (from the plug-in)."""
    rows = []
    for account in ConnectedAccount.objects.filter(member=member):
        net = oauth.option(account.network)
        known = {s.name: s.what_we_do for s in (net.scopes if net else ())}
        rows.append(
            {
                "account": account,
                "label": net.label if net else account.network.title(),
                "scopes": [(name, known.get(name, "")) for name in account.scopes],
            }
        )
    return rows


def _centre(
    request: HttpRequest,
    member: Membership,
    *,
    leaderboard_form: LeaderboardForm | None = None,
    sharing_form: ManagerSharingForm | None = None,
    status: int = 200,
) -> HttpResponse:
    sharing = actions.shares_with_manager(member)
    return _render(
        request,
        member,
        "centre.html",
        {
            "inventory": _inventory(member, sharing),
            "who_sees_what": visibility.who_sees_what(member),
            "accounts": _accounts(member),
            "promise": oauth.PROMISE,
            "leaderboard_form": leaderboard_form
            or LeaderboardForm(initial={"leaderboard_visibility": member.leaderboard_visibility}),
            "sharing_form": sharing_form or ManagerSharingForm(initial={"share": "on" if sharing else "off"}),
            "sharing": sharing,
            "export": actions.latest_export(member),
            "min_group_size": member.workspace.min_group_size,
        },
        status=status,
    )


@login_required
@never_cache
@allow_methods("GET")
def centre(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    return _centre(request, member)


@login_required
@allow_methods("POST")
def leaderboard(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    form = LeaderboardForm(request.POST)
    if not form.is_valid():
        return _centre(request, member, leaderboard_form=form, status=400)
    actions.set_leaderboard_visibility(member, form.cleaned_data["leaderboard_visibility"])
    messages.success(request, f"Leaderboards: {member.get_leaderboard_visibility_display().lower()}.")
    return redirect("privacy:centre", ws=ws)


@login_required
@allow_methods("POST")
def manager_sharing(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    form = ManagerSharingForm(request.POST)
    if not form.is_valid():
        return _centre(request, member, sharing_form=form, status=400)
    share = form.cleaned_data["share"] == "on"
    actions.set_manager_sharing(member, share)
    messages.success(
        request,
        "Your manager can now see your statistics."
        if share
        else "Your statistics are no longer shared with your manager.",
    )
    return redirect("privacy:centre", ws=ws)


# --- export --------------------------------------------------------------------------------------


@login_required
@never_cache
@allow_methods("GET", "POST")
def export(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    if request.method == "POST":
        actions.request_export(member)
        return redirect("privacy:export", ws=ws)
    job = actions.latest_export(member)
    return _render(
        request,
        member,
        "export.html",
        {
            "job": job,
            "downloadable": job is not None and job.is_downloadable(),
            "status_url": reverse("privacy:export_status", kwargs={"ws": ws}),
        },
    )


@login_required
@allow_methods("GET")
def export_status(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    job = actions.latest_export(member)
    if job is None:
        raise Http404("No export")
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "finished": job.finished,
            "percent": job.percent,
        },
        headers={"Cache-Control": "no-store"},
    )


@login_required
@allow_methods("GET")
def export_download(request: HttpRequest, ws: str) -> HttpResponse:
    """The member's newest finished archive, for 7 days. Only its owner can reach it: no id in the URL."""
    member = get_membership(request.user, ws)
    job = DataExport.objects.filter(member=member, status=ExportStatus.DONE).first()
    if job is None or not job.is_downloadable():
        raise Http404("No export to download")
    response = HttpResponse(bytes(job.archive or b""), content_type="application/zip")
    name = f"groundswell-{member.workspace.slug}-my-data-{job.finished_at:%Y-%m-%d}.zip"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


# --- leave and delete ----------------------------------------------------------------------------


@login_required
@never_cache
@allow_methods("GET", "POST")
def leave(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    form = LeaveForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                result = actions.leave_program(member, anonymise=form.cleaned_data["history"] == "anonymise")
            except actions.PrivacyError as exc:
                form.add_error(None, str(exc))
            else:
                return render(request, "privacy/left.html", {"former": member.workspace, "left": result})
        status = 400
    context = {"form": form, "accounts": _accounts(member), "export": actions.latest_export(member)}
    return _render(request, member, "leave.html", context, status=status)


@login_required
@never_cache
@allow_methods("GET", "POST")
def delete(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    form = DeleteForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                report = actions.erase_member_data(member)
            except actions.PrivacyError as exc:
                form.add_error(None, str(exc))
            else:
                return render(request, "privacy/left.html", {"former": member.workspace, "report": report})
        status = 400
    plan = [(p.label, [x for x in lines if x.erasable], keeps) for p, lines, keeps in actions.erasure_plan(member)]
    context = {"form": form, "plan": plan, "export": actions.latest_export(member)}
    return _render(request, member, "delete.html", context, status=status)


# --- for program admins and managers ---------------------------------------------------------------


@login_required
@allow_methods("GET")
def audit(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    events = PrivacyEvent.objects.filter(workspace=member.workspace).select_related("member")
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(request, member, "audit.html", {"page": page})


@login_required
@allow_methods("GET")
def team(request: HttpRequest, ws: str) -> HttpResponse:
    """A manager's direct reports: each one's own statistics only when they chose to share them, and the
    team's totals only when they cannot single anyone out (``privacy/visibility.py``)."""
    member = get_membership(request.user, ws)
    require_role(member, Role.MANAGER)
    workspace = member.workspace
    month = period_start("m", local_day(timezone.now(), workspace.timezone))
    sharing_ids = set(visibility.reports_sharing(member).values_list("pk", flat=True))
    stats = {
        row.member_id: row
        for row in MemberPeriod.objects.filter(workspace=workspace, member_id__in=sharing_ids, period="m", start=month)
    }
    reports = list(visibility.reports(member).select_related("department"))
    rows = [{"report": r, "shares_stats": r.pk in sharing_ids, "stats": stats.get(r.pk)} for r in reports]
    team = visibility.team_totals(member, [r.pk for r in reports])
    totals = None
    if team.shown:
        team_rows = MemberPeriod.objects.filter(
            workspace=workspace, member_id__in=sorted(team.members), period="m", start=month
        )
        totals = {
            "shares": sum(t.shares for t in team_rows),
            "clicks": sum(t.clicks for t in team_rows),
            "points": sum(t.points for t in team_rows),
        }
    return _render(
        request,
        member,
        "team.html",
        {
            "rows": rows,
            "month": month,
            "totals": totals,
            "totals_reason": team.reason,
        },
    )
