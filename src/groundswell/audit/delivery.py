"""The scheduled report by email: due periods in the workspace's time zone, claimed before sending.

A weekly report becomes due on Monday at ``SEND_HOUR`` local time and covers the week before; a monthly one
on the 1st and covers the month before. Each email is a ``ReportDelivery`` row per member and period, created
under a unique constraint *before* sending, so the same report never goes out twice (ADR 0019). A send that
raised is retried on later runs (at most ``MAX_ATTEMPTS``), reclaimed with a conditional update.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from groundswell.audit.models import DeliveryStatus, Frequency, ReportDelivery, ReportSubscription
from groundswell.audit.pdf import pdf_filename, render_pdf
from groundswell.audit.periods import AuditPeriod, calendar_period
from groundswell.audit.report import Report, build_report
from groundswell.listening.models import Topic
from groundswell.workspaces.models import Membership, Workspace

log = logging.getLogger(__name__)

SEND_HOUR = 8
MAX_ATTEMPTS = 3
BATCH_SIZE = 100


@dataclass(frozen=True)
class Due:
    key: str  # "w2026-11-23" (the week starting that Monday) or "m2026-11"
    period: AuditPeriod
    due_at: dt.datetime


def due_period(frequency: str, now: dt.datetime, tz_name: str) -> Due:
    """The report that is due at ``now``: the last complete week or month once its send time has passed."""
    tz = ZoneInfo(tz_name)
    local = now.astimezone(tz)
    kind = "week" if frequency == Frequency.WEEKLY else "month"
    this = calendar_period(kind, local.date())
    due_at = dt.datetime.combine(this.current.start, dt.time(SEND_HOUR), tzinfo=tz)
    if local < due_at:  # before Monday 08:00 (or the 1st, 08:00): the report of the period before is current
        this = calendar_period(kind, this.previous.start)
        due_at = dt.datetime.combine(this.current.start, dt.time(SEND_HOUR), tzinfo=tz)
    covered = calendar_period(kind, this.previous.start)
    start = covered.current.start
    key = f"w{start.isoformat()}" if kind == "week" else f"m{start.strftime('%Y-%m')}"
    return Due(key=key, period=covered, due_at=due_at)


def claim(member: Membership, due: Due, now: dt.datetime) -> ReportDelivery | None:
    """Create the delivery row; None when another worker (or an earlier run) already has."""
    try:
        with transaction.atomic():
            return ReportDelivery.objects.create(
                workspace_id=member.workspace_id, member=member, period_key=due.key, claimed_at=now
            )
    except IntegrityError:
        return None


def reclaim(delivery: ReportDelivery, now: dt.datetime) -> bool:
    updated = ReportDelivery.objects.filter(
        pk=delivery.pk, status=DeliveryStatus.FAILED, attempts=delivery.attempts
    ).update(status=DeliveryStatus.CLAIMED, attempts=delivery.attempts + 1, claimed_at=now)
    return updated == 1


def report_message(report: Report, member: Membership, pdf: bytes) -> EmailMultiAlternatives:
    workspace = report.workspace
    cur = report.period.current
    query = f"?period=custom&start={cur.start.isoformat()}&end={cur.end.isoformat()}"
    context = {
        "report": report,
        "member": member,
        "workspace": workspace,
        "report_url": settings.SITE_URL + reverse("audit:report", kwargs={"ws": workspace.slug}) + query,
        "schedules_url": settings.SITE_URL + reverse("audit:schedules", kwargs={"ws": workspace.slug}),
    }
    subject = " ".join(f"Chatter audit: {workspace.name}, {report.period.label}".split())
    msg = EmailMultiAlternatives(
        subject, render_to_string("audit/email/report.txt", context), None, [member.user.email]
    )
    msg.attach_alternative(render_to_string("audit/email/report.html", context), "text/html")
    msg.attach(pdf_filename(report), pdf, "application/pdf")
    return msg


def deliver(delivery: ReportDelivery, member: Membership, report: Report, pdf: bytes, now: dt.datetime) -> str:
    try:
        report_message(report, member, pdf).send(fail_silently=False)
    except Exception as exc:  # SMTP refused or timed out: a later run tries again
        log.warning("audit report for member %s failed: %s", member.pk, exc)
        status, error = DeliveryStatus.FAILED, str(exc)[:300]
    else:
        status, error = DeliveryStatus.SENT, ""
    ReportDelivery.objects.filter(pk=delivery.pk).update(
        status=status, error=error, sent_at=now if status == DeliveryStatus.SENT else None
    )
    return status


@dataclass
class RunResult:
    sent: int = 0
    failed: int = 0
    skipped: int = 0  # claimed by someone else first

    @property
    def handled(self) -> int:
        return self.sent + self.failed


def send_due_reports(*, now: dt.datetime | None = None, limit: int = BATCH_SIZE) -> RunResult:
    """Send up to ``limit`` due reports; the report and its PDF are built once per workspace and period."""
    now = now or timezone.now()
    result = RunResult()
    with_topics = Topic.objects.filter(workspace=OuterRef("pk"), is_active=True)
    with_subs = ReportSubscription.objects.filter(workspace=OuterRef("pk"))
    for workspace in Workspace.objects.filter(Exists(with_topics), Exists(with_subs)).order_by("pk"):
        for frequency in (Frequency.WEEKLY, Frequency.MONTHLY):
            due = due_period(frequency, now, workspace.timezone)
            built = _Built(workspace, due)
            retry = ReportDelivery.objects.filter(
                workspace=workspace, period_key=due.key, status=DeliveryStatus.FAILED, attempts__lt=MAX_ATTEMPTS
            ).select_related("member__user", "member__workspace")
            for delivery in retry[: max(0, limit - result.handled)]:
                if reclaim(delivery, now):
                    _tally(result, deliver(delivery, delivery.member, *built.get(), now))
            for member in _due_members(workspace, frequency, due)[: max(0, limit - result.handled)]:
                claimed = claim(member, due, now)
                if claimed is None:
                    result.skipped += 1
                    continue
                _tally(result, deliver(claimed, member, *built.get(), now))
            if result.handled >= limit:
                return result
    return result


class _Built:
    """The report and PDF of one workspace and period, built on first use (only when someone is due)."""

    def __init__(self, workspace: Workspace, due: Due) -> None:
        self.workspace, self.due = workspace, due
        self.value: tuple[Report, bytes] | None = None

    def get(self) -> tuple[Report, bytes]:
        if self.value is None:
            report = build_report(self.workspace, self.due.period)
            self.value = (report, render_pdf(report))
        return self.value


def _tally(result: RunResult, status: str) -> None:
    if status == DeliveryStatus.SENT:
        result.sent += 1
    else:
        result.failed += 1


def _due_members(workspace: Workspace, frequency: str, due: Due) -> list[Membership]:
    subscribed = ReportSubscription.objects.filter(member=OuterRef("pk"), frequency=frequency)
    delivered = ReportDelivery.objects.filter(member=OuterRef("pk"), period_key=due.key)
    return list(
        Membership.objects.filter(workspace=workspace, is_active=True)
        .exclude(user__email="")
        .filter(Exists(subscribed))
        .exclude(Exists(delivered))
        .select_related("user", "workspace")
        .order_by("pk")
    )
