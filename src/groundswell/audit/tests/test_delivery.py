"""The scheduled report: due periods in the workspace's time zone, once per period, PDF attached, retries,
the periodic task, the privacy provider, and once for real over SMTP (a sink on loopback)."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import socket
import time
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from pypdf import PdfReader

from groundswell.audit.actions import SubscriptionError, subscribe_member
from groundswell.audit.delivery import due_period, send_due_reports
from groundswell.audit.models import DeliveryStatus, ReportDelivery, ReportSubscription
from groundswell.audit.privacy import AuditPrivacy
from groundswell.audit.tests.test_report import Chatter, make_chatter
from groundswell.conftest import make_member
from groundswell.workspaces.models import Membership, Workspace

BERLIN = ZoneInfo("Europe/Berlin")
# Wednesday 1 April 2026, 09:00 in Berlin: March's monthly report is due (since 1 April 08:00).
APRIL_1 = dt.datetime(2026, 4, 1, 9, 0, tzinfo=BERLIN)


@pytest.fixture
def chatter(workspace: Workspace) -> Chatter:
    Workspace.objects.filter(pk=workspace.pk).update(timezone="Europe/Berlin")
    workspace.refresh_from_db()
    return make_chatter(workspace)


def test_due_periods_in_the_workspace_time_zone() -> None:
    monday = dt.datetime(2026, 3, 9, 8, 30, tzinfo=BERLIN)
    due = due_period("weekly", monday, "Europe/Berlin")
    assert due.key == "w2026-03-02" and due.period.current.end == dt.date(2026, 3, 8)
    # 07:30 UTC is 08:30 in Berlin: Berlin's report of last week is due, a UTC workspace's is not yet.
    utc_0730 = dt.datetime(2026, 3, 9, 7, 30, tzinfo=dt.UTC)
    assert due_period("weekly", utc_0730, "Europe/Berlin").key == "w2026-03-02"
    assert due_period("weekly", utc_0730, "UTC").key == "w2026-02-23"
    assert due_period("weekly", utc_0730 - dt.timedelta(hours=1), "Europe/Berlin").key == "w2026-02-23"
    assert due_period("weekly", dt.datetime(2026, 3, 9, 8, 0, tzinfo=dt.UTC), "UTC").key == "w2026-03-02"
    assert due_period("monthly", APRIL_1, "Europe/Berlin").key == "m2026-03"
    assert due_period("monthly", dt.datetime(2026, 4, 1, 7, 0, tzinfo=BERLIN), "Europe/Berlin").key == "m2026-02"
    assert due_period("monthly", APRIL_1, "Europe/Berlin").period.previous.label == "February 2026"


def test_monthly_report_sent_once_with_pdf_and_summary(chatter: Chatter, alice: Membership, bob: Membership) -> None:
    subscribe_member(member=bob, frequency="monthly", by=alice)
    subscribe_member(member=alice, frequency="weekly", by=alice)
    result = send_due_reports(now=APRIL_1)
    assert (result.sent, result.failed) == (2, 0)
    by_to = {m.to[0]: m for m in mail.outbox}
    monthly = by_to["bob@acme.test"]
    assert monthly.subject == "Chatter audit: Acme, March 2026"
    assert "People mentioned Northwind 12 times in March 2026, 20% more than in February 2026." in monthly.body
    assert "http://testserver/w/acme/audit/?period=custom&start=2026-03-01&end=2026-03-31" in monthly.body
    name, content, mimetype = monthly.attachments[0]
    assert name == "chatter-audit-acme-2026-03-01-2026-03-31.pdf" and mimetype == "application/pdf"
    pdf_text = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(content)).pages)
    assert "Share of voice" in pdf_text
    html = monthly.alternatives[0]
    assert "20% more than in February 2026" in str(html[0])
    assert by_to["alice@acme.test"].subject == "Chatter audit: Acme, Week of 23 Mar 2026"
    assert set(ReportDelivery.objects.values_list("period_key", "status")) == {
        ("m2026-03", DeliveryStatus.SENT),
        ("w2026-03-23", DeliveryStatus.SENT),
    }
    # Later runs in the same period (another worker, the next tick) send nothing.
    assert send_due_reports(now=APRIL_1 + dt.timedelta(hours=5)).sent == 0
    assert len(mail.outbox) == 2
    # The next week is a new period for the weekly recipient only.
    assert send_due_reports(now=dt.datetime(2026, 4, 6, 8, 5, tzinfo=BERLIN)).sent == 1
    assert mail.outbox[-1].to == ["alice@acme.test"]


def test_a_claimed_delivery_is_never_sent_twice(chatter: Chatter, alice: Membership, bob: Membership) -> None:
    subscribe_member(member=bob, frequency="monthly", by=alice)
    # Another worker claimed this period (and may still be sending, or crashed): at most once.
    ReportDelivery.objects.create(workspace=chatter.ws, member=bob, period_key="m2026-03")
    assert send_due_reports(now=APRIL_1).sent == 0
    assert mail.outbox == []


def test_failed_send_is_retried_up_to_three_times(chatter: Chatter, alice: Membership, bob: Membership) -> None:
    subscribe_member(member=bob, frequency="monthly", by=alice)
    with mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=OSError("connection refused")):
        assert send_due_reports(now=APRIL_1).failed == 1
        assert send_due_reports(now=APRIL_1).failed == 1
        assert send_due_reports(now=APRIL_1).failed == 1
        assert send_due_reports(now=APRIL_1).handled == 0  # three attempts: given up
    delivery = ReportDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.error) == (DeliveryStatus.FAILED, 3, "connection refused")


def test_retry_after_a_failure_succeeds(chatter: Chatter, alice: Membership, bob: Membership) -> None:
    subscribe_member(member=bob, frequency="monthly", by=alice)
    with mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=OSError("timeout")):
        send_due_reports(now=APRIL_1)
    assert send_due_reports(now=APRIL_1).sent == 1
    assert len(mail.outbox) == 1 and ReportDelivery.objects.get().attempts == 2


def test_nothing_sent_without_topics_or_to_inactive_members(
    workspace: Workspace, alice: Membership, bob: Membership
) -> None:
    subscribe_member(member=bob, frequency="monthly", by=alice)
    assert send_due_reports(now=APRIL_1).handled == 0  # no listening topics: no report
    make_chatter(workspace)
    Membership.objects.filter(pk=bob.pk).update(is_active=False)
    assert send_due_reports(now=APRIL_1).handled == 0
    assert mail.outbox == []


def test_periodic_task_sends(chatter: Chatter, alice: Membership, bob: Membership) -> None:
    from groundswell.audit.tasks import send_audit_reports
    from groundswell.core.scheduler import registered_jobs

    subscribe_member(member=bob, frequency="monthly", by=alice)
    assert any(j.name.endswith("send_audit_reports") for j in registered_jobs())
    with mock.patch("groundswell.audit.delivery.timezone.now", return_value=APRIL_1):
        assert send_audit_reports.call() == 1
    assert len(mail.outbox) == 1


def test_subscribe_checks_the_member(workspace: Workspace, alice: Membership, charlie: Membership) -> None:
    with pytest.raises(SubscriptionError, match="active member"):
        subscribe_member(member=charlie, frequency="weekly", by=alice)
    nomail = make_member(workspace, "x@acme.test")
    nomail.user.email = ""
    nomail.user.save()
    with pytest.raises(SubscriptionError, match="no email"):
        subscribe_member(member=nomail, frequency="weekly", by=alice)


def test_privacy_inventory_export_and_erase(chatter: Chatter, alice: Membership, bob: Membership) -> None:
    subscribe_member(member=bob, frequency="monthly", by=alice)
    send_due_reports(now=APRIL_1)
    provider = AuditPrivacy()
    assert [line.count for line in provider.inventory(bob)] == [1, 1, 0]
    assert provider.inventory(alice)[2].count == 1
    export = provider.export(bob)
    assert export["subscriptions"][0]["frequency"] == "monthly"
    assert export["deliveries"][0]["period"] == "m2026-03" and export["deliveries"][0]["status"] == "sent"
    import json

    json.dumps(provider.export(alice))
    assert provider.erase(bob).erased == 2
    assert not ReportSubscription.objects.filter(member=bob).exists()
    assert not ReportDelivery.objects.filter(member=bob).exists()


# --- Once for real over SMTP ---------------------------------------------------------------------


class Sink:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        self.messages.append(email.message_from_bytes(raw, policy=email.policy.default))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_sink(settings: Any) -> Iterator[Sink]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield sink
    finally:
        controller.stop()


@pytest.mark.slow
def test_report_over_smtp_with_pdf(chatter: Chatter, alice: Membership, bob: Membership, smtp_sink: Sink) -> None:
    subscribe_member(member=bob, frequency="monthly", by=alice)
    assert send_due_reports(now=APRIL_1).sent == 1
    deadline = time.monotonic() + 5
    while not smtp_sink.messages and time.monotonic() < deadline:
        time.sleep(0.02)
    msg = smtp_sink.messages[0]
    assert msg["To"] == "bob@acme.test" and msg["Subject"] == "Chatter audit: Acme, March 2026"
    attachments = list(msg.iter_attachments())
    assert [a.get_content_type() for a in attachments] == ["application/pdf"]
    pdf = attachments[0].get_content()
    assert isinstance(pdf, bytes) and pdf.startswith(b"%PDF")
    text = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Northwind" in text
    body = msg.get_body(preferencelist=("plain",))
    assert body is not None and "20% more than in February 2026" in body.get_content()


def test_demo_schedule(workspace: Workspace, alice: Membership, carol: Membership, bob: Membership) -> None:
    from groundswell.demo.audit import build_audit_schedule

    assert build_audit_schedule(workspace) == 3
    assert set(ReportSubscription.objects.values_list("member__user__email", "frequency")) == {
        ("alice@acme.test", "monthly"),
        ("alice@acme.test", "weekly"),
        ("carol@acme.test", "weekly"),
    }


def test_schedule_page_lists_recipients_and_recent_sends(chatter: Chatter, alice: Membership, bob: Membership) -> None:
    from groundswell.conftest import client_for

    subscribe_member(member=bob, frequency="monthly", by=alice)
    send_due_reports(now=APRIL_1)
    html = client_for(alice).get("/w/acme/audit/schedules/").content.decode()
    assert "bob@acme.test" in html and "Monthly (on the 1st, the month before)" in html
    assert "<td>m2026-03</td><td>Sent" in html
