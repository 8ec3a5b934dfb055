from __future__ import annotations

import datetime as dt
import re
import smtplib
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail, signing
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from django.utils import timezone

from groundswell.conftest import client_for
from groundswell.content.models import Item
from groundswell.goals.actions import create_goal
from groundswell.updates import digest
from groundswell.updates.actions import post_update, set_digest_frequency
from groundswell.updates.digest import (
    DigestContext,
    DigestLine,
    DigestSection,
    current_period,
    register_section,
    send_due_digests,
    unregister_section,
    unsubscribe_token,
)
from groundswell.updates.models import DeliveryStatus, DigestDelivery, DigestPreference, Frequency, Update
from groundswell.workspaces.models import Membership, Workspace

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


def next_monday(hour: int, minute: int = 0, tz: ZoneInfo = BERLIN) -> dt.datetime:
    """The next Monday (at least a day from now) at ``hour`` local time, as an aware datetime."""
    local = timezone.now().astimezone(tz) + dt.timedelta(days=1)
    day = local.date() + dt.timedelta(days=(7 - local.weekday()) % 7)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)


@pytest.fixture
def berlin_ws(workspace: Workspace) -> Workspace:
    workspace.timezone = "Europe/Berlin"
    workspace.save(update_fields=["timezone"])
    return workspace


@pytest.fixture
def monday() -> dt.datetime:
    return next_monday(8)


@pytest.fixture
def news(berlin_ws: Workspace, alice: Membership, monday: dt.datetime) -> None:
    """An update posted the Friday before ``monday``; alice (who posted it) chose not to get digests."""
    update = post_update(workspace=berlin_ws, author=alice, title="We hit 100 shares", body_markdown="Thank you all!")
    Update.objects.filter(pk=update.pk).update(posted_at=monday - dt.timedelta(days=3))
    set_digest_frequency(member=alice, frequency=Frequency.NEVER)


def test_weekly_period_follows_the_workspace_time_zone() -> None:
    monday_8_berlin = next_monday(8)
    assert monday_8_berlin.astimezone(dt.UTC).hour in (6, 7)  # 08:00 in Berlin is 06:00 or 07:00 UTC
    before = current_period(Frequency.WEEKLY, monday_8_berlin - dt.timedelta(minutes=1), "Europe/Berlin")
    at = current_period(Frequency.WEEKLY, monday_8_berlin, "Europe/Berlin")
    assert before is not None and at is not None
    assert at.key == f"w{monday_8_berlin.date().isoformat()}"
    assert before.key == f"w{(monday_8_berlin.date() - dt.timedelta(days=7)).isoformat()}"
    # The same instant is still Sunday evening in Los Angeles: their week's digest is not due yet.
    la = current_period(Frequency.WEEKLY, monday_8_berlin, "America/Los_Angeles")
    assert la is not None and la.key == before.key
    # In Auckland it is already Monday evening.
    nz = current_period(Frequency.WEEKLY, monday_8_berlin, "Pacific/Auckland")
    assert nz is not None and nz.key == at.key
    daily = current_period(Frequency.DAILY, monday_8_berlin + dt.timedelta(hours=2), "Europe/Berlin")
    assert daily is not None and daily.key == f"d{monday_8_berlin.date().isoformat()}"
    assert current_period(Frequency.NEVER, monday_8_berlin, "Europe/Berlin") is None


def test_weekly_digest_is_sent_monday_morning_local_time_and_only_once(
    news: None, bob: Membership, alice: Membership, item: Item, monday: dt.datetime
) -> None:
    create_goal(
        workspace=bob.workspace, author=alice, name="Shares this quarter", metric="shares", target=50, period="q",
        day=timezone.now().date(),
    )  # fmt: skip
    Item.objects.filter(pk=item.pk).update(published_at=monday - dt.timedelta(days=1))
    # They joined during the week before ``monday`` (after the previous digest was due): run early on a Monday,
    # "now" would otherwise fall before last Monday 08:00 and the previous week's digest would be due for them.
    Membership.objects.filter(workspace=bob.workspace).update(joined_at=monday - dt.timedelta(days=2))
    assert send_due_digests(now=monday - dt.timedelta(minutes=5)).sent == 0  # 07:55 in Berlin: not yet
    assert mail.outbox == []

    result = send_due_digests(now=monday)
    assert result.sent == 1 and len(mail.outbox) == 1  # bob; alice chose "never"
    message = mail.outbox[0]
    assert isinstance(message, EmailMultiAlternatives)
    assert message.to == ["bob@acme.test"] and message.subject == "Acme advocacy digest"
    text = message.body
    assert "We hit 100 shares" in text and "http://testserver/w/acme/updates/#update-" in text
    assert "Shares this quarter" in text and "0 of 50, 0% · Behind" in text
    assert "We launched" in text and "http://testserver/w/acme/share/" in text
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "We hit 100 shares" in str(html) and "<script" not in str(html)
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<http://testserver/unsubscribe/") and unsubscribe.endswith("/>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe[1:-1] in text

    # Running again (later that day, or another worker) sends nothing more.
    assert send_due_digests(now=monday + dt.timedelta(hours=3)).sent == 0
    assert send_due_digests(now=monday + dt.timedelta(days=2)).sent == 0
    assert len(mail.outbox) == 1
    delivery = DigestDelivery.objects.get()
    assert delivery.member == bob and delivery.status == DeliveryStatus.SENT and delivery.sent_at is not None


def test_next_digest_has_only_what_is_new_and_empty_digests_are_not_sent(
    news: None, bob: Membership, alice: Membership
) -> None:
    monday = next_monday(9)
    assert send_due_digests(now=monday).sent == 1
    # Nothing new the following week: no email, but the period is recorded as handled.
    result = send_due_digests(now=monday + dt.timedelta(days=7))
    assert result.sent == 0 and result.empty == 1 and len(mail.outbox) == 1
    assert DigestDelivery.objects.filter(status=DeliveryStatus.EMPTY).count() == 1


def test_daily_digest_and_never(news: None, bob: Membership, carol: Membership) -> None:
    set_digest_frequency(member=bob, frequency=Frequency.DAILY)
    set_digest_frequency(member=carol, frequency=Frequency.NEVER)
    tuesday = next_monday(8, 30) + dt.timedelta(days=1)
    Update.objects.update(posted_at=tuesday - dt.timedelta(hours=12))  # Monday evening: in Tuesday's daily
    assert send_due_digests(now=tuesday).sent == 1  # bob's daily (no weekly for him, nothing for carol)
    assert [m.to for m in mail.outbox] == [["bob@acme.test"]]
    assert DigestDelivery.objects.get().period_key == f"d{tuesday.date().isoformat()}"
    assert not DigestDelivery.objects.filter(member=carol).exists()


def test_a_claimed_period_is_never_sent_twice(news: None, bob: Membership) -> None:
    """Another worker claimed bob's digest first (or a crash happened after the claim): nothing is sent."""
    monday = next_monday(8)
    period = current_period(Frequency.WEEKLY, monday, "Europe/Berlin")
    assert period is not None
    assert digest.claim(bob, period, monday) is not None
    assert digest.claim(bob, period, monday) is None  # the unique constraint: exactly one claim wins
    assert send_due_digests(now=monday).sent == 0 and mail.outbox == []


def test_a_failed_send_is_retried(news: None, bob: Membership, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"n": 0}
    real_send = EmailMultiAlternatives.send

    def flaky(self: EmailMultiAlternatives, fail_silently: bool = False) -> int:
        calls["n"] += 1
        if calls["n"] == 1:
            raise smtplib.SMTPServerDisconnected("connection lost")
        return real_send(self, fail_silently)

    monkeypatch.setattr(EmailMultiAlternatives, "send", flaky)
    monday = next_monday(8)
    assert send_due_digests(now=monday).failed == 1
    delivery = DigestDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and "connection lost" in delivery.error
    assert send_due_digests(now=monday + dt.timedelta(minutes=5)).sent == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 2 and len(mail.outbox) == 1


def test_the_task_sends_in_batches(
    news: None, bob: Membership, carol: Membership, monkeypatch: pytest.MonkeyPatch
) -> None:
    monday = next_monday(8)
    first = send_due_digests(now=monday, limit=1)
    assert first.sent == 1 and len(mail.outbox) == 1
    second = send_due_digests(now=monday, limit=1)
    assert second.sent == 1 and len(mail.outbox) == 2
    assert send_due_digests(now=monday, limit=1).handled == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["bob@acme.test", "carol@acme.test"]


def test_the_periodic_task_is_registered_and_runs(news: None, bob: Membership, monkeypatch: pytest.MonkeyPatch) -> None:
    from groundswell.core.scheduler import registered_jobs
    from groundswell.updates import tasks

    assert any(job.name.endswith("send_digests") for job in registered_jobs())
    later = next_monday(10)
    monkeypatch.setattr(digest.timezone, "now", lambda: later)
    tasks.send_digests.call()
    assert len(mail.outbox) == 1


def test_new_members_wait_for_the_next_period(news: None, berlin_ws: Workspace) -> None:
    from groundswell.conftest import make_member

    monday = next_monday(8)
    late = make_member(berlin_ws, "late@acme.test")
    Membership.objects.filter(pk=late.pk).update(joined_at=monday + dt.timedelta(hours=1))
    assert send_due_digests(now=monday + dt.timedelta(hours=2)).sent == 0


def test_sections_registry(news: None, bob: Membership) -> None:
    def call_for_interest(ctx: DigestContext) -> DigestSection | None:
        return DigestSection(
            title="Call for interest", lines=[DigestLine(f"Speak at our meetup, {ctx.member.display_name}?")]
        )

    register_section("test-calls", call_for_interest, order=5)
    try:
        assert digest.registered_sections()[0] == "test-calls"
        assert send_due_digests(now=next_monday(8)).sent == 1
    finally:
        unregister_section("test-calls")
    body = mail.outbox[0].body
    assert body.index("Call for interest") < body.index("Program news") and "Speak at our meetup, Bob?" in body


def test_unsubscribe_link_works_without_login(bob: Membership, charlie: Membership) -> None:
    token = unsubscribe_token(bob)
    anonymous = Client()
    page = anonymous.get(f"/unsubscribe/{token}/")
    assert page.status_code == 200 and "Unsubscribe from the digest?" in page.content.decode()
    assert not DigestPreference.objects.exists()  # looking at the page changes nothing (link scanners)
    done = anonymous.post(f"/unsubscribe/{token}/")  # no CSRF token: mail clients' one-click POST
    assert done.status_code == 200 and "You are unsubscribed" in done.content.decode()
    assert DigestPreference.objects.get(member=bob).frequency == Frequency.NEVER
    assert client_for(charlie).post(f"/unsubscribe/{token}/").status_code == 200  # the token, not the session


@pytest.mark.parametrize(
    "forge",
    [
        lambda token, other: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token, other: signing.dumps({"m": other}, salt="another-salt", compress=True),
        lambda token, other: signing.dumps({"m": other}, salt=digest.UNSUBSCRIBE_SALT, key="not-our-secret-key-xyz"),
        lambda token, other: "garbage",
    ],
)
def test_unsubscribe_link_cannot_be_forged(bob: Membership, carol: Membership, forge: Any) -> None:
    forged = forge(unsubscribe_token(bob), carol.pk)
    resp = Client().post(f"/unsubscribe/{forged}/")
    assert resp.status_code == 404 and "This link is not valid" in resp.content.decode()
    assert not DigestPreference.objects.exists()


def test_digest_settings_page(bob_client: Client, bob: Membership, charlie_client: Client) -> None:
    page = bob_client.get("/w/acme/updates/digest/")
    assert page.status_code == 200 and re.search(r'value="weekly"[^>]*checked', page.content.decode())
    assert bob_client.post("/w/acme/updates/digest/", {"frequency": "daily"}).status_code == 302
    assert DigestPreference.objects.get(member=bob).frequency == "daily"
    bad = bob_client.post("/w/acme/updates/digest/", {"frequency": "hourly"})
    assert bad.status_code == 200 and "frequency" in bad.context["form"].errors
    assert DigestPreference.objects.get(member=bob).frequency == "daily"
    assert charlie_client.get("/w/acme/updates/digest/").status_code == 404
    assert charlie_client.post("/w/acme/updates/digest/", {"frequency": "never"}).status_code == 404
