"""The chatter audit pages: the report (with its charts and PDF) and the email schedule.

For program admins and managers, like the program dashboard; employees and outsiders get 404.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from groundswell.analytics.charts import CHART_CSP
from groundswell.audit.actions import SubscriptionError, subscribe_member, unsubscribe_member
from groundswell.audit.charts import CHARTS
from groundswell.audit.forms import DEFAULT_KIND, ReportForm, SubscriptionForm
from groundswell.audit.models import ReportDelivery, ReportSubscription
from groundswell.audit.pdf import pdf_filename, render_pdf
from groundswell.audit.periods import CALENDAR, AuditPeriod, calendar_period, last_complete
from groundswell.audit.report import active_topics, build_report, report_counts
from groundswell.lib.periods import local_day
from groundswell.workspaces.access import allow_methods, get_for_workspace, get_membership, require_role
from groundswell.workspaces.models import Membership, Role


def _manager(request: HttpRequest, ws: str) -> Membership:
    member = get_membership(request.user, ws)
    require_role(member, Role.MANAGER)
    return member


def _form(request: HttpRequest, member: Membership) -> tuple[ReportForm, AuditPeriod | None]:
    """The period form from the query string; with no query, the last complete month."""
    today = local_day(timezone.now(), member.workspace.timezone)
    if not request.GET:
        return ReportForm(initial={"period": DEFAULT_KIND}, today=today), last_complete(DEFAULT_KIND, today)
    form = ReportForm(request.GET, today=today)
    if form.is_valid():
        return form, form.audit_period
    return form, None


def _query(period: AuditPeriod) -> str:
    if period.kind in CALENDAR:
        return urlencode({"period": period.kind, "day": period.current.start.isoformat()})
    return urlencode(
        {"period": "custom", "start": period.current.start.isoformat(), "end": period.current.end.isoformat()}
    )


def _topics_url(ws: str) -> str:
    """The listening topics page (another part of issue 6); a plain path until it is mounted."""
    try:
        return reverse("listening:topics", kwargs={"ws": ws})
    except NoReverseMatch:
        return f"/w/{ws}/listening/topics/"


def _error_text(form: ReportForm) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


@login_required
@allow_methods("GET")
def report(request: HttpRequest, ws: str) -> HttpResponse:
    member = _manager(request, ws)
    workspace = member.workspace
    form, period = _form(request, member)
    context: dict[str, object] = {
        "workspace": workspace,
        "member": member,
        "nav": "audit",
        "form": form,
        "topics_url": _topics_url(workspace.slug),
    }
    if period is None:
        return render(request, "audit/report.html", context, status=400)
    built = build_report(workspace, period)
    context.update(report=built, period=period, query=_query(period))
    if period.kind in CALENDAR:
        context["previous_query"] = _query(calendar_period(period.kind, period.previous.start))
        today = local_day(timezone.now(), workspace.timezone)
        following = calendar_period(period.kind, period.current.end + dt.timedelta(days=1))
        if following.current.start <= today:
            context["next_query"] = _query(following)
    return render(request, "audit/report.html", context)


def _svg(body: bytes) -> HttpResponse:
    response = HttpResponse(body, content_type="image/svg+xml")
    response.headers["Content-Security-Policy"] = CHART_CSP
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@login_required
@allow_methods("GET")
def chart(request: HttpRequest, ws: str, kind: str) -> HttpResponse:
    member = _manager(request, ws)
    if kind not in CHARTS:
        raise Http404("No such chart")
    form, period = _form(request, member)
    if period is None:
        return HttpResponse(_error_text(form), status=400, content_type="text/plain; charset=utf-8")
    return _svg(CHARTS[kind](report_counts(member.workspace, period)))


@login_required
@allow_methods("GET")
def report_pdf(request: HttpRequest, ws: str) -> HttpResponse:
    member = _manager(request, ws)
    form, period = _form(request, member)
    if period is None:
        return HttpResponse(_error_text(form), status=400, content_type="text/plain; charset=utf-8")
    built = build_report(member.workspace, period)
    response = HttpResponse(render_pdf(built), content_type="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{pdf_filename(built)}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@login_required
@allow_methods("GET", "POST")
def schedules(request: HttpRequest, ws: str) -> HttpResponse:
    member = _manager(request, ws)
    workspace = member.workspace
    members = Membership.objects.filter(workspace=workspace, is_active=True).exclude(user__email="")
    form = SubscriptionForm(request.POST or None, members=members.select_related("user").order_by("display_name"))
    if request.method == "POST" and form.is_valid():
        try:
            subscribe_member(member=form.cleaned_data["member"], frequency=form.cleaned_data["frequency"], by=member)
        except SubscriptionError as exc:
            form.add_error("member", str(exc))
        else:
            messages.success(request, "Recipient added. The next report goes out when its period has ended.")
            return redirect("audit:schedules", ws=workspace.slug)
    subscriptions = list(
        ReportSubscription.objects.filter(workspace=workspace).select_related("member__user", "created_by")
    )
    recent = list(
        ReportDelivery.objects.filter(workspace=workspace).select_related("member").order_by("-claimed_at")[:20]
    )
    return render(
        request,
        "audit/schedules.html",
        {
            "workspace": workspace,
            "member": member,
            "nav": "audit",
            "form": form,
            "subscriptions": subscriptions,
            "recent": recent,
            "has_topics": bool(active_topics(workspace)),
            "topics_url": _topics_url(workspace.slug),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@allow_methods("POST")
def schedule_delete(request: HttpRequest, ws: str, subscription_id: int) -> HttpResponse:
    member = _manager(request, ws)
    subscription = get_for_workspace(
        ReportSubscription.objects.select_related("member"), member.workspace, pk=subscription_id
    )
    unsubscribe_member(subscription=subscription)
    messages.success(request, f"{subscription.member.display_name} no longer gets the {subscription.frequency} report.")
    return redirect("audit:schedules", ws=member.workspace.slug)
