"""No customer waits forever for an answer stuck in the outbox: a reply whose account needs reconnecting (the
outbox holds it with no end) is "stuck" ``RECONNECT_STUCK_AFTER`` after it was scheduled, and any reply still not
out after the workspace's first-response target is stuck too (the network failing with long back-off). The
responder is told once per job (e-mail, and "Not posted yet" on the case page, My cases and the team queue) and
can post it another way, which cancels the stuck job first; a stuck job that goes out after all shows as posted.

Delivery goes through the real outbox and the Bluesky plug-in against the fake Bluesky (``outage``: 401 revokes
the tokens, 503 keeps failing)."""

from __future__ import annotations

import datetime as dt
import html
import threading
from typing import Any

import pytest
from django.core import mail
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from groundswell.care import actions, queries
from groundswell.care.models import CareSettings, Case, CaseEvent, CaseStatus, EventKind, ReplyVia
from groundswell.care.tests.conftest import make_post, tokens, volunteer
from groundswell.care.tests.test_reply_failures import ANSWER, answer, deliver, kinds, sweep, url
from groundswell.conftest import client_for
from groundswell.listening.models import Source, Topic
from groundswell.networks import accounts, outbox
from groundswell.networks.bluesky.tests.fake import MEMBER_DID, FakeBluesky
from groundswell.networks.models import AccountStatus, ConnectedAccount, OutboundPost, OutboundPostLog, PostStatus
from groundswell.stewards.tests.conftest import shift_for
from groundswell.workspaces.models import Membership

pytestmark = pytest.mark.django_db

WAITING_FOR_RECONNECT = (
    "It is waiting for the Bluesky account @bob.bsky.test to be reconnected: Bluesky no longer accepts "
    "Groundswell's access."
)
SUBJECT = "Your answer to a customer has not been posted yet"


def age(case: Case, minutes: float) -> None:
    """The case's reply job was scheduled ``minutes`` ago."""
    OutboundPost.objects.filter(pk=Case.objects.get(pk=case.pk).reply_outbound_id).update(
        scheduled_at=timezone.now() - dt.timedelta(minutes=minutes)
    )


def job_of(case: Case) -> OutboundPost:
    case.refresh_from_db()
    assert case.reply_outbound is not None
    return case.reply_outbound


def stuck_mails() -> list[Any]:
    return [m for m in mail.outbox if m.subject == SUBJECT]


def reconnect(bob: Membership) -> ConnectedAccount:
    """bob connects his Bluesky account again (new tokens): the outbox may send its jobs again."""
    return accounts.connect(bob, "bluesky", tokens(MEMBER_DID, "bob.bsky.test"))


@pytest.fixture
def waiting(bluesky_case: Case, bob: Membership, bob_account: ConnectedAccount, bsky: FakeBluesky) -> Case:
    """bob's answer met tokens Bluesky no longer accepts: the job waits (retrying) for the account to be
    reconnected, with no end."""
    answer(bluesky_case, bob, bob_account)
    bsky.outage = 401
    job = deliver(bluesky_case)
    bsky.outage = None
    bob_account.refresh_from_db()
    assert (job.status, bob_account.status) == (PostStatus.RETRYING, AccountStatus.RECONNECT)
    assert outbox.deliver_due() == 0  # held while the account needs reconnecting
    return bluesky_case


@pytest.fixture
def stuck(waiting: Case, django_capture_on_commit_callbacks: Any) -> Case:
    """…for more than half an hour: the sweep told bob."""
    age(waiting, 31)
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks)
    assert len(stuck_mails()) == 1
    waiting.refresh_from_db()
    return waiting


# --- when a reply is stuck, and being told once ------------------------------------------------------------


def test_a_reply_waiting_for_reconnection_is_stuck_after_half_an_hour_and_told_once(
    waiting: Case, bob: Membership, django_capture_on_commit_callbacks: Any
) -> None:
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks)  # just now: it waits, nobody is told yet
    age(waiting, 29)
    sweep(django_capture_on_commit_callbacks)
    assert stuck_mails() == [] and not Case.objects.get(pk=waiting.pk).reply_stuck

    age(waiting, actions.RECONNECT_STUCK_AFTER.total_seconds() / 60 + 1)
    sweep(django_capture_on_commit_callbacks)
    sweep(django_capture_on_commit_callbacks)  # a second run tells nobody again
    (message,) = mail.outbox
    assert message.subject == SUBJECT and message.to == [bob.user.email]
    assert "has not been posted yet, so the customer has not had it." in message.body
    assert WAITING_FOR_RECONNECT in message.body
    assert "Reconnect the account here, and the answer goes out at once:\nhttp://testserver/w/acme/accounts/" in (
        message.body
    )
    assert f"http://testserver{url('case', case_id=waiting.pk)}" in message.body
    assert ANSWER in message.body
    case = Case.objects.get(pk=waiting.pk)
    assert case.reply_stuck and case.awaiting_delivery  # still watched: it may go out yet
    assert job_of(case).status == PostStatus.RETRYING  # the job is left alone until someone acts
    event = CaseEvent.objects.get(case=case, kind=EventKind.REPLY_STUCK)
    assert (event.member_id, event.note) == (bob.pk, "Waiting for the account to be reconnected.")

    # Past the first-response target as well: still the one notice for this job.
    age(waiting, 24 * 60)
    sweep(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1 and kinds(case).count(EventKind.REPLY_STUCK) == 1


def test_two_workers_tell_once(waiting: Case, django_capture_on_commit_callbacks: Any) -> None:
    age(waiting, 31)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.notify_stuck_replies() == 1
        assert actions.notify_stuck_replies() == 0
    assert len(stuck_mails()) == 1


def test_a_job_taken_for_sending_while_the_sweep_looks_is_not_told(
    waiting: Case, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    age(waiting, 31)
    job = job_of(waiting)
    original = queries.with_post

    def meanwhile(qs: Any) -> Any:  # a worker claims the job between the sweep's read and its check
        monkeypatch.setattr(queries, "with_post", original)
        assert outbox.claim(job.pk, timezone.now())
        return original(qs)

    monkeypatch.setattr(queries, "with_post", meanwhile)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.notify_stuck_replies() == 0
    assert mail.outbox == [] and EventKind.REPLY_STUCK not in kinds(waiting)
    assert Case.objects.get(pk=waiting.pk).reply_stuck_at is None  # the claim was rolled back: told later, if need be


def test_a_reply_the_network_keeps_refusing_is_stuck_after_the_first_response_target(
    bluesky_case: Case, bob: Membership, bob_account: ConnectedAccount, bsky: FakeBluesky,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    CareSettings.objects.update_or_create(
        workspace_id=bluesky_case.workspace_id, defaults={"first_response_minutes": 45}
    )
    answer(bluesky_case, bob, bob_account)
    bsky.outage = 503
    job = deliver(bluesky_case)
    assert job.status == PostStatus.RETRYING and job.next_attempt_at > timezone.now()
    bob_account.refresh_from_db()
    assert bob_account.status == AccountStatus.ACTIVE  # not the account: the network
    mail.outbox.clear()
    age(bluesky_case, 31)  # past the reconnect threshold, but the account is fine: the target applies
    sweep(django_capture_on_commit_callbacks)
    assert stuck_mails() == []
    age(bluesky_case, 46)
    sweep(django_capture_on_commit_callbacks)
    sweep(django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert (
        "It is waiting for Bluesky, which has not taken it yet (last answer: Bluesky had a problem (503): Down). "
        "Groundswell keeps trying." in message.body
    )
    assert "Reconnect" not in message.body and "/accounts/" not in message.body
    assert CaseEvent.objects.get(case=bluesky_case, kind=EventKind.REPLY_STUCK).note == "Waiting for the network."
    page = client_for(bob).get(url("case", case_id=bluesky_case.pk)).content.decode()
    assert "Not posted yet" in page and "which has not taken it yet" in page and "Reconnect the account" not in page

    # bob tries again from the same account (Bluesky is back): the stuck job is cancelled, a new one goes out.
    bsky.outage = None
    ok = client_for(bob).post(url("retry_reply", case_id=bluesky_case.pk), {"text": ANSWER, "account": bob_account.pk})
    assert ok.status_code == 302
    job.refresh_from_db()
    assert job.status == PostStatus.CANCELLED
    new = deliver(bluesky_case)
    assert new.pk != job.pk and new.status == PostStatus.SENT
    assert len(bsky.creates) == 1  # the customer gets one answer
    OutboundPost.objects.filter(pk=job.pk).update(next_attempt_at=timezone.now())
    assert outbox.deliver_due() == 0  # the cancelled job never goes out
    assert not Case.objects.get(pk=bluesky_case.pk).reply_stuck


def test_a_waiting_reply_within_the_thresholds_is_not_stuck(
    waiting: Case, bob: Membership, django_capture_on_commit_callbacks: Any
) -> None:
    CareSettings.objects.update_or_create(workspace_id=waiting.workspace_id, defaults={"first_response_minutes": 20})
    age(waiting, 10)
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks)
    assert stuck_mails() == []
    page = client_for(bob).get(url("case", case_id=waiting.pk)).content.decode()
    assert "Sending…" in page and "Not posted yet" not in page and "Try again" not in page
    age(waiting, 21)  # the workspace's target (20) comes before the half hour
    sweep(django_capture_on_commit_callbacks)
    assert len(stuck_mails()) == 1


# --- what the responder sees --------------------------------------------------------------------------------


def test_the_case_page_my_cases_and_the_queue_say_it_is_not_posted_yet(
    stuck: Case, bob: Membership, alice: Membership
) -> None:
    page = html.unescape(client_for(bob).get(url("case", case_id=stuck.pk)).content.decode())
    assert "Not posted yet" in page
    assert "The answer has not been posted yet, so the customer has not had it." in page
    assert WAITING_FOR_RECONNECT in page
    assert '<a href="/w/acme/accounts/">Reconnect the account</a>' in page
    assert "Try again" in page and f"{ANSWER}</textarea>" in page
    assert "You have no account to post it from now" in page  # his only account needs reconnecting
    assert "I posted it myself" in page and "Groundswell then cancels the attempt that is waiting." in page
    assert "mark resolved" not in page
    with pytest.raises(actions.CareError, match="The answer was not posted"):
        actions.resolve_case(stuck, bob)

    mine = client_for(bob).get(url("mine")).content.decode()
    assert "An answer of yours was not posted" in mine and "Not posted yet" in mine
    assert url("case", case_id=stuck.pk) in mine and "to be reconnected" in mine
    queue = client_for(alice).get(url("queue")).content.decode()
    assert "Answers that were not posted (1)" in queue and "Not posted yet" in queue and "Step in" in queue
    # Only bob can reconnect his own account: the admin's page offers no link to do it.
    admin_page = client_for(alice).get(url("case", case_id=stuck.pk)).content.decode()
    assert "Not posted yet" in admin_page and "Reconnect the account" not in admin_page
    assert "I posted it myself" in admin_page  # an admin can step in


def test_a_brand_account_that_needs_reconnecting_links_to_its_page(
    bluesky_case: Case, bob: Membership, alice: Membership, brand_account: ConnectedAccount, bsky: FakeBluesky,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    shift_for(brand_account.brand, bob, alice, start_hours=-1, hours=4)
    answer(bluesky_case, bob, brand_account)
    bsky.outage = 401
    deliver(bluesky_case)
    bsky.outage = None
    age(bluesky_case, 31)
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks)
    (message,) = stuck_mails()
    brand_page = reverse("stewards:account", kwargs={"ws": "acme", "brand_id": brand_account.brand.pk})
    assert "A program admin has to reconnect it" in message.body
    assert f"http://testserver{brand_page}" in message.body
    assert f'<a href="{brand_page}">Reconnect the account</a>' in (
        client_for(alice).get(url("case", case_id=bluesky_case.pk)).content.decode()
    )


# --- it goes out after all ------------------------------------------------------------------------------------


def test_a_stuck_reply_sent_after_all_shows_as_posted_and_the_notice_goes_away(
    stuck: Case, bob: Membership, alice: Membership, bsky: FakeBluesky, django_capture_on_commit_callbacks: Any
) -> None:
    reconnect(bob)
    job = deliver(stuck)
    assert job.status == PostStatus.SENT
    client = client_for(bob)
    page = client.get(url("case", case_id=stuck.pk)).content.decode()  # before the sweep: posted already
    assert "Posted" in page and job.remote_url in page
    assert "Not posted yet" not in page and "Try again" not in page and "mark resolved" in page
    refused = client.post(url("posted_by_hand", case_id=stuck.pk), {"url": ""})
    assert refused.status_code == 400 and "This answer is not stuck" in refused.content.decode()
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks)
    sweep(django_capture_on_commit_callbacks)
    assert mail.outbox == []
    case = Case.objects.get(pk=stuck.pk)
    assert not case.awaiting_delivery and not case.reply_stuck and case.reply_via == ReplyVia.ACCOUNT
    assert kinds(case).count(EventKind.POSTED_LATE) == 1
    assert "Answer posted after the wait" in client.get(url("case", case_id=stuck.pk)).content.decode()
    assert "An answer of yours was not posted" not in client.get(url("mine")).content.decode()
    assert "Answers that were not posted" not in client_for(alice).get(url("queue")).content.decode()
    assert len(bsky.creates) == 1


def test_a_stuck_reply_that_then_fails_is_shown_failed_without_a_second_email(
    stuck: Case, bob: Membership, bob_account: ConnectedAccount, django_capture_on_commit_callbacks: Any
) -> None:
    accounts.disconnect(bob_account)  # cancels the waiting job
    assert job_of(stuck).status == PostStatus.CANCELLED
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks)
    assert mail.outbox == []  # bob was told about this job already
    assert EventKind.REPLY_FAILED in kinds(stuck)
    page = client_for(bob).get(url("case", case_id=stuck.pk)).content.decode()
    assert "Reply failed" in page and "Cancelled" in page and "Not posted yet" not in page
    assert client_for(bob).post(url("posted_by_hand", case_id=stuck.pk), {"url": ""}).status_code == 302


# --- posting it another way cancels the stuck job first ------------------------------------------------------


def test_try_again_from_another_account_cancels_the_stuck_job(
    stuck: Case, bob: Membership, alice: Membership, brand_account: ConnectedAccount, bsky: FakeBluesky,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    old = job_of(stuck)
    shift_for(brand_account.brand, bob, alice, start_hours=-1, hours=4)
    client = client_for(bob)
    page = client.get(url("case", case_id=stuck.pk)).content.decode()
    assert "Post again from the brand account" in page and "the attempt that is waiting is cancelled first" in page
    ok = client.post(url("retry_reply", case_id=stuck.pk), {"text": ANSWER, "account": brand_account.pk})
    assert ok.status_code == 302
    old.refresh_from_db()
    assert old.status == PostStatus.CANCELLED
    assert OutboundPostLog.objects.filter(
        post=old, message="Cancelled: the answer is being posted another way. Nothing was posted."
    ).exists()
    stuck.refresh_from_db()
    assert stuck.reply_outbound_id != old.pk and stuck.reply_via == ReplyVia.BRAND
    assert stuck.reply_stuck_at is None and stuck.awaiting_delivery and not stuck.reply_stuck
    retried = CaseEvent.objects.get(case=stuck, kind=EventKind.RETRIED)
    assert retried.note == "Brand account. The attempt that was waiting was cancelled."
    assert retried.actor_id == bob.pk
    assert EventKind.REPLY_FAILED not in kinds(stuck)  # cancelled on purpose: no "failed" line

    assert deliver(stuck).status == PostStatus.SENT
    reconnect(bob)  # bob's account works again: the cancelled job must still never go out
    OutboundPost.objects.filter(pk=old.pk).update(next_attempt_at=timezone.now())
    assert outbox.deliver_due() == 0
    assert [c["repo"] for c in bsky.creates] == ["did:plc:acmebrand"]
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_i_posted_it_myself_cancels_the_stuck_job(
    stuck: Case, bob: Membership, bsky: FakeBluesky, django_capture_on_commit_callbacks: Any
) -> None:
    old = job_of(stuck)
    client = client_for(bob)
    assert client.post(url("posted_by_hand", case_id=stuck.pk), {"url": ""}).status_code == 302
    old.refresh_from_db()
    assert old.status == PostStatus.CANCELLED
    stuck.refresh_from_db()
    assert (stuck.reply_via, stuck.awaiting_delivery, stuck.reply_stuck_at) == (ReplyVia.COPY, False, None)
    assert CaseEvent.objects.get(case=stuck, kind=EventKind.BY_HAND).note == (
        "Without a link. The attempt that was waiting was cancelled."
    )
    reconnect(bob)
    assert outbox.deliver_due() == 0 and bsky.creates == []
    page = client.get(url("case", case_id=stuck.pk)).content.decode()
    assert "Posted by hand" in page and "Not posted yet" not in page and "mark resolved" in page
    assert client.post(url("resolve", case_id=stuck.pk)).status_code == 302
    assert Case.objects.get(pk=stuck.pk).status == CaseStatus.RESOLVED
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_the_race_a_job_claimed_for_sending_first_is_not_cancelled(
    stuck: Case, bob: Membership, bsky: FakeBluesky
) -> None:
    """The worker claims the job (conditional update on an active status) just before bob records that he
    posted it himself: the cancel finds no active job, and nothing changes."""
    account = reconnect(bob)
    job = job_of(stuck)
    assert outbox.claim(job.pk, timezone.now())
    refused = client_for(bob).post(url("posted_by_hand", case_id=stuck.pk), {"url": ""})
    assert refused.status_code == 400
    assert "Groundswell is posting the answer right now" in refused.content.decode()
    job.refresh_from_db()
    assert job.status == PostStatus.SENDING
    with pytest.raises(actions.CareError, match="posting the answer right now"):
        actions.retry_reply(stuck, bob, ANSWER, account.pk)
    assert OutboundPost.objects.count() == 1  # no second job either
    stuck.refresh_from_db()
    assert (stuck.reply_via, stuck.reply_outbound_id, stuck.awaiting_delivery) == (ReplyVia.ACCOUNT, job.pk, True)
    assert not CaseEvent.objects.filter(case=stuck, kind=EventKind.BY_HAND).exists()
    outbox.send(OutboundPost.objects.select_related("account").get(pk=job.pk), timezone.now())
    assert job_of(stuck).status == PostStatus.SENT and len(bsky.creates) == 1


def test_the_race_a_job_cancelled_first_is_never_claimed(stuck: Case, bob: Membership, bsky: FakeBluesky) -> None:
    """bob records that he posted it himself just before a worker tries to claim the job: the claim (a
    conditional update on an active status) finds it cancelled."""
    reconnect(bob)
    job = job_of(stuck)
    actions.mark_reply_posted_by_hand(stuck, bob)
    assert not outbox.claim(job.pk, timezone.now())
    assert outbox.deliver_due() == 0
    job.refresh_from_db()
    assert job.status == PostStatus.CANCELLED and bsky.creates == []
    assert job.last_error == "Cancelled: the answer is being posted another way."
    assert not outbox.cancel_reply(job, "again.")  # nothing active to cancel any more


def _race(case_id: int, bob: Membership) -> tuple[list[BaseException], list[str]]:
    """A worker delivers due jobs while bob records the case's answer as posted by hand, at the same moment.
    Returns the unexpected errors and bob's refusals."""
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    refused: list[str] = []

    def send() -> None:
        try:
            barrier.wait()
            outbox.deliver_due()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    def by_hand() -> None:
        try:
            barrier.wait()
            actions.mark_reply_posted_by_hand(Case.objects.get(pk=case_id), bob)
        except actions.CareError as exc:
            refused.append(str(exc))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send), threading.Thread(target=by_hand)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return errors, refused


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent transactions (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_a_concurrent_cancel_and_claim_never_both_win(
    bluesky_source: Source, brand: Topic, bob: Membership, bob_account: ConnectedAccount, bsky: FakeBluesky
) -> None:
    """bob records that he posted a stuck answer himself at the moment a worker takes its job to send it (his
    account was just reconnected): either the job is cancelled and never sent, or it is sent and bob is told
    so, never both."""
    volunteer(bob)
    for i in range(4):
        uri = f"at://did:plc:kim/app.bsky.feed.post/3race{i}"
        bsky.add_post(uri, f"bafyrace{i}")
        _, mentions = make_post(bluesky_source, [brand], text=f"Northwind question {i}?", external_id=uri)
        [case] = actions.open_cases_for(mentions)
        bsky.outage = 401
        actions.post_reply(case, bob, ANSWER, bob_account.pk)  # delivered at once (immediate tasks): refused
        bsky.outage = None
        job = job_of(case)
        assert job.status == PostStatus.RETRYING
        age(case, 31)
        assert actions.notify_stuck_replies() == 1
        reconnect(bob)
        errors, refused = _race(case.pk, bob)
        assert errors == []
        job.refresh_from_db()
        case.refresh_from_db()
        sent = [c for c in bsky.creates if c["rkey"] == job.idempotency_key]
        if job.status == PostStatus.CANCELLED:
            assert sent == [] and refused == [] and case.reply_via == ReplyVia.COPY
        else:
            assert job.status == PostStatus.SENT and len(sent) == 1
            assert len(refused) == 1 and case.reply_via == ReplyVia.ACCOUNT


def test_a_rejected_retry_does_not_cancel_the_stuck_job(
    stuck: Case, bob: Membership, alice: Membership, brand_account: ConnectedAccount
) -> None:
    shift_for(brand_account.brand, bob, alice, start_hours=-1, hours=4)
    bad = client_for(bob).post(url("retry_reply", case_id=stuck.pk), {"text": "x" * 301, "account": brand_account.pk})
    assert bad.status_code == 400 and "Bluesky allows 300 characters" in bad.content.decode()
    assert job_of(stuck).status == PostStatus.RETRYING  # rolled back with the rest
    assert Case.objects.get(pk=stuck.pk).reply_stuck


# --- who may -----------------------------------------------------------------------------------------------


def test_a_colleague_and_outsiders_cannot_touch_a_stuck_answer(
    stuck: Case, carol: Membership, charlie: Membership, bob_account: ConnectedAccount
) -> None:
    retry = {"text": "Hello", "account": bob_account.pk}
    for member in (carol, charlie):  # carol: same workspace, not hers; charlie: another workspace
        client = client_for(member)
        assert client.get(url("case", case_id=stuck.pk)).status_code == 404
        assert client.post(url("retry_reply", case_id=stuck.pk), retry).status_code == 404
        assert client.post(url("posted_by_hand", case_id=stuck.pk), {"url": ""}).status_code == 404
    for name in ("retry_reply", "posted_by_hand"):
        other = reverse(f"care:{name}", kwargs={"ws": charlie.workspace.slug, "case_id": stuck.pk})
        assert client_for(charlie).post(other, retry).status_code == 404
    with pytest.raises(actions.CareError, match="Only the colleague who answered this case, or a program admin"):
        actions.mark_reply_posted_by_hand(stuck, carol)
    assert job_of(stuck).status == PostStatus.RETRYING
    assert Case.objects.get(pk=stuck.pk).reply_stuck


def test_a_closed_case_is_not_told(waiting: Case, alice: Membership, django_capture_on_commit_callbacks: Any) -> None:
    actions.close_case(waiting, alice, "The customer got an answer in a direct message.")
    age(waiting, 120)
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks)
    assert stuck_mails() == [] and EventKind.REPLY_STUCK not in kinds(waiting)
