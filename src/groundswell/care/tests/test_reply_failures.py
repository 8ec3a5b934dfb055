"""An answer that the outbox could not post is never silently lost: the case page says why and offers "Try
again" (a new outbox job) and "I posted it myself"; the responder is e-mailed once per failed job by the
periodic sweep; My cases and the admins' queue list such cases. Delivery goes through the real outbox and
the Bluesky plug-in against the fake Bluesky behind the networks' HTTP choke point."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groundswell.care import actions
from groundswell.care.actions import failed_replies
from groundswell.care.models import Case, CaseEvent, CaseStatus, EventKind, ReplyVia
from groundswell.care.tasks import care_tick
from groundswell.care.tests.conftest import ASKED, make_post, tokens
from groundswell.conftest import client_for
from groundswell.listening.models import Source, Topic
from groundswell.networks import accounts, outbox
from groundswell.networks.bluesky.tests.fake import FakeBluesky
from groundswell.networks.models import ConnectedAccount, OutboundPost, PostStatus
from groundswell.rewards.models import Action, PointsEntry
from groundswell.stewards.tests.conftest import shift_for
from groundswell.workspaces.models import Membership

pytestmark = pytest.mark.django_db

ANSWER = "Hi Kim, yes: 3000 mm hydrostatic head."
GONE = "the post to answer is no longer on Bluesky"


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"care:{name}", kwargs={"ws": "acme", **kwargs})


def answer(case: Case, bob: Membership, account: ConnectedAccount) -> OutboundPost:
    """bob posts the answer from his account (the case page's button)."""
    ok = client_for(bob).post(url("post_reply", case_id=case.pk), {"text": ANSWER, "account": account.pk})
    assert ok.status_code == 302
    case.refresh_from_db()
    assert case.reply_outbound is not None
    return case.reply_outbound


def refuse(bsky: FakeBluesky) -> dict[str, Any]:
    """Kim deleted her post: Bluesky refuses a reply to it for good (a permanent failure). Returns the post."""
    return bsky.posts.pop(ASKED)


def deliver(case: Case) -> OutboundPost:
    assert outbox.deliver_due() == 1
    case.refresh_from_db()
    assert case.reply_outbound is not None
    return case.reply_outbound


def sweep(capture: Any) -> int:
    """One run of the periodic care task, its e-mails sent (on commit)."""
    with capture(execute=True):
        return care_tick.call()


@pytest.fixture
def failed(bluesky_case: Case, bob: Membership, bob_account: ConnectedAccount, bsky: FakeBluesky) -> Case:
    """bob's answer was refused by Bluesky for good (the outbox marked the job failed)."""
    answer(bluesky_case, bob, bob_account)
    kims_post = refuse(bsky)
    job = deliver(bluesky_case)
    assert job.status == PostStatus.FAILED and GONE in job.last_error
    bsky.posts[ASKED] = kims_post  # back (e.g. it was only hidden for a while): a retry can work
    bluesky_case.refresh_from_db()
    return bluesky_case


def kinds(case: Case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))


# --- the case page ----------------------------------------------------------------------------------------


def test_the_case_page_says_why_and_offers_try_again_and_posted_myself(failed: Case, bob: Membership) -> None:
    page = client_for(bob).get(url("case", case_id=failed.pk)).content.decode()
    assert "Reply failed" in page
    assert "The answer was not posted, so the customer has not had it yet." in page
    assert f"Bluesky refused the post: {GONE}" in page  # the job's last_error
    assert "Try again" in page and f"{ANSWER}</textarea>" in page  # pre-filled, editable
    assert "Post again from @bob.bsky.test" in page
    assert url("retry_reply", case_id=failed.pk) in page and url("posted_by_hand", case_id=failed.pk) in page
    assert "I posted it myself" in page
    assert "mark resolved" not in page  # not while the customer has no answer
    assert page.count("csrfmiddlewaretoken") >= 2


def test_a_reply_on_its_way_or_posted_offers_no_retry(
    bluesky_case: Case, bob: Membership, bob_account: ConnectedAccount
) -> None:
    answer(bluesky_case, bob, bob_account)
    client = client_for(bob)
    page = client.get(url("case", case_id=bluesky_case.pk)).content.decode()
    assert "Sending…" in page and "Try again" not in page and "Reply failed" not in page
    deliver(bluesky_case)
    page = client.get(url("case", case_id=bluesky_case.pk)).content.decode()
    assert "Posted" in page and "Try again" not in page
    refused = client.post(url("retry_reply", case_id=bluesky_case.pk), {"text": ANSWER, "account": bob_account.pk})
    assert refused.status_code == 400
    assert "This answer is not stuck" in refused.content.decode()
    assert OutboundPost.objects.count() == 1


# --- try again --------------------------------------------------------------------------------------------


def test_try_again_posts_a_new_job_and_the_case_points_at_it(
    failed: Case, bob: Membership, bob_account: ConnectedAccount, bsky: FakeBluesky
) -> None:
    old = failed.reply_outbound
    assert old is not None
    first_response = (failed.first_response_at, failed.first_response_minutes)
    edited = "Hi Kim, sorry for the wait: yes, 3000 mm hydrostatic head."
    client = client_for(bob)
    ok = client.post(url("retry_reply", case_id=failed.pk), {"text": edited, "account": bob_account.pk})
    assert ok.status_code == 302
    failed.refresh_from_db()
    new = failed.reply_outbound
    assert new is not None and new.pk != old.pk
    assert new.idempotency_key != old.idempotency_key
    assert (new.status, new.text, new.account_id, new.reply_to) == (
        PostStatus.SCHEDULED, edited, bob_account.pk, old.reply_to,
    )  # fmt: skip
    old.refresh_from_db()
    assert old.status == PostStatus.FAILED  # the old job stays, as history
    assert (failed.status, failed.reply_text, failed.reply_via) == (CaseStatus.ANSWERED, edited, ReplyVia.ACCOUNT)
    assert (failed.first_response_at, failed.first_response_minutes) == first_response  # not rewritten
    assert failed.responder_id == bob.pk
    # The failure was logged when bob fixed it (before the sweep), then the retry.
    assert kinds(failed)[-2:] == [EventKind.REPLY_FAILED, EventKind.RETRIED]
    assert "Sending…" in client.get(url("case", case_id=failed.pk)).content.decode()

    job = deliver(failed)
    assert job.pk == new.pk and job.status == PostStatus.SENT
    assert bsky.creates[-1]["record"]["text"] == edited
    assert bsky.creates[-1]["rkey"] == new.idempotency_key
    page = client.get(url("case", case_id=failed.pk)).content.decode()
    assert "Posted" in page and job.remote_url in page and "Reply failed" not in page
    assert PointsEntry.objects.filter(member=bob, action=Action.ANSWER).count() == 1


def test_try_again_from_the_brand_account_while_on_shift(
    failed: Case, bob: Membership, alice: Membership, brand_account: ConnectedAccount, bsky: FakeBluesky
) -> None:
    shift_for(brand_account.brand, bob, alice, start_hours=-1, hours=4)
    client = client_for(bob)
    assert "Post again from the brand account" in client.get(url("case", case_id=failed.pk)).content.decode()
    ok = client.post(url("retry_reply", case_id=failed.pk), {"text": ANSWER, "account": brand_account.pk})
    assert ok.status_code == 302
    failed.refresh_from_db()
    assert failed.reply_via == ReplyVia.BRAND
    assert deliver(failed).status == PostStatus.SENT
    assert bsky.creates[-1]["repo"] == "did:plc:acmebrand"


def test_a_double_submit_posts_once(failed: Case, bob: Membership, bob_account: ConnectedAccount) -> None:
    client = client_for(bob)
    data = {"text": ANSWER, "account": bob_account.pk}
    assert client.post(url("retry_reply", case_id=failed.pk), data).status_code == 302
    again = client.post(url("retry_reply", case_id=failed.pk), data)
    assert again.status_code == 400
    assert "This answer is not stuck" in again.content.decode()
    assert OutboundPost.objects.count() == 2


def test_bad_input_gives_a_clear_message_and_changes_nothing(
    failed: Case, bob: Membership, carol: Membership, bob_account: ConnectedAccount
) -> None:
    carols = accounts.connect(carol, "bluesky", tokens("did:plc:carol", "carol.bsky.test"))
    client = client_for(bob)
    for data, message in (
        ({"text": "   ", "account": bob_account.pk}, "Write the answer first."),
        ({"account": bob_account.pk}, "Write the answer first."),
        ({"text": "Hello", "account": carols.pk}, "Pick one of the accounts offered."),
        ({"text": "Hello", "account": 999_999}, "Pick one of the accounts offered."),
        ({"text": "Hello", "account": "nope"}, "Pick one of the accounts offered."),
        ({"text": "Hello"}, "Pick one of the accounts offered."),
        ({"text": "x" * 301, "account": bob_account.pk}, "Bluesky allows 300 characters; this answer has 301."),
        ({"text": "x" * 3001, "account": bob_account.pk}, "Keep the answer under 3000 characters."),
    ):
        bad = client.post(url("retry_reply", case_id=failed.pk), data)
        assert bad.status_code == 400, data
        body = bad.content.decode()
        assert message in body, data
        assert "Try again" in body  # the form is shown again, with the message
    for data, message in (
        ({"url": "not a link"}, "Give the address of your reply (https://…), or leave it empty."),
        ({"url": "javascript:alert(1)"}, "Give the address of your reply (https://…), or leave it empty."),
        ({"url": "https://bsky.app/" + "x" * 2000}, "Keep the link under 2000 characters."),
    ):
        bad = client.post(url("posted_by_hand", case_id=failed.pk), data)
        assert bad.status_code == 400, data
        assert message in bad.content.decode(), data
    with pytest.raises(actions.CareError, match="Give the address"):
        actions.mark_reply_posted_by_hand(failed, bob, "ftp://example.com/x")
    failed.refresh_from_db()
    assert failed.reply_failed and failed.reply_via == ReplyVia.ACCOUNT
    assert OutboundPost.objects.count() == 1
    assert not CaseEvent.objects.filter(kind__in=[EventKind.RETRIED, EventKind.BY_HAND]).exists()


# --- I posted it myself ------------------------------------------------------------------------------------


def test_i_posted_it_myself_records_it(failed: Case, bob: Membership) -> None:
    client = client_for(bob)
    link = "https://bsky.app/profile/bob.bsky.test/post/3byhand"
    ok = client.post(url("posted_by_hand", case_id=failed.pk), {"url": link})
    assert ok.status_code == 302
    failed.refresh_from_db()
    assert (failed.reply_via, failed.reply_url, failed.awaiting_delivery) == (ReplyVia.COPY, link, False)
    assert failed.reply_outbound is not None and failed.reply_outbound.status == PostStatus.FAILED  # history
    assert not failed.reply_failed
    assert kinds(failed)[-2:] == [EventKind.REPLY_FAILED, EventKind.BY_HAND]
    page = client.get(url("case", case_id=failed.pk)).content.decode()
    assert "Posted by hand" in page and link in page
    assert "Reply failed" not in page and "Try again" not in page
    assert "mark resolved" in page  # now the customer has it
    assert client.post(url("resolve", case_id=failed.pk)).status_code == 302
    failed.refresh_from_db()
    assert failed.status == CaseStatus.RESOLVED
    assert PointsEntry.objects.filter(member=bob, action=Action.ANSWER).count() == 1
    # The link names bob's own account: it is his data (exported, erased); the log line keeps no link.
    from groundswell.care.privacy import CarePrivacy

    assert CarePrivacy().export(bob)["cases"][0]["reply_url"] == link
    assert not CaseEvent.objects.filter(note__contains="bsky.app").exists()
    CarePrivacy().erase(bob)
    failed.refresh_from_db()
    assert (failed.reply_url, failed.reply_text) == ("", ANSWER)


def test_i_posted_it_myself_without_a_link(failed: Case, bob: Membership) -> None:
    assert client_for(bob).post(url("posted_by_hand", case_id=failed.pk), {"url": ""}).status_code == 302
    failed.refresh_from_db()
    assert (failed.reply_via, failed.reply_url) == (ReplyVia.COPY, "")
    assert "Posted by hand" in client_for(bob).get(url("case", case_id=failed.pk)).content.decode()


def test_resolving_is_refused_while_the_answer_was_not_posted(failed: Case, bob: Membership) -> None:
    with pytest.raises(actions.CareError, match="The answer was not posted"):
        actions.resolve_case(failed, bob)
    response = client_for(bob).post(url("resolve", case_id=failed.pk), follow=True)
    assert "The answer was not posted" in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == CaseStatus.ANSWERED


# --- no double points, first response kept ---------------------------------------------------------------


def test_no_double_points_and_the_first_response_stays_through_failures_and_fixes(
    failed: Case, bob: Membership, bob_account: ConnectedAccount, bsky: FakeBluesky
) -> None:
    first = (failed.first_response_at, failed.first_response_minutes)
    points = list(PointsEntry.objects.filter(member=bob).values_list("action", "points"))
    actions.retry_reply(failed, bob, ANSWER, bob_account.pk)
    refuse(bsky)
    assert deliver(failed).status == PostStatus.FAILED
    actions.mark_reply_posted_by_hand(failed, bob, now=timezone.now() + dt.timedelta(hours=3))
    failed.refresh_from_db()
    assert (failed.first_response_at, failed.first_response_minutes) == first
    assert list(PointsEntry.objects.filter(member=bob).values_list("action", "points")) == points
    assert PointsEntry.objects.filter(member=bob, action=Action.ANSWER).count() == 1


# --- who may -----------------------------------------------------------------------------------------------


def test_a_colleague_and_outsiders_cannot_fix_someone_elses_answer(
    failed: Case, carol: Membership, charlie: Membership, bob_account: ConnectedAccount
) -> None:
    retry = {"text": "Hello", "account": bob_account.pk}
    for member in (carol, charlie):  # carol: same workspace, not hers; charlie: another workspace
        client = client_for(member)
        assert client.get(url("case", case_id=failed.pk)).status_code == 404
        assert client.post(url("retry_reply", case_id=failed.pk), retry).status_code == 404
        assert client.post(url("posted_by_hand", case_id=failed.pk), {"url": ""}).status_code == 404
    own = charlie.workspace.slug
    for name in ("retry_reply", "posted_by_hand"):
        other = reverse(f"care:{name}", kwargs={"ws": own, "case_id": failed.pk})
        assert client_for(charlie).post(other, retry).status_code == 404
    # The domain functions refuse too, with a message, whoever calls them.
    with pytest.raises(actions.CareError, match="Only the colleague who answered this case, or a program admin"):
        actions.retry_reply(failed, carol, "Hello", bob_account.pk)
    with pytest.raises(actions.CareError, match="Only the colleague who answered this case, or a program admin"):
        actions.mark_reply_posted_by_hand(failed, carol)
    failed.refresh_from_db()
    assert failed.reply_failed and OutboundPost.objects.count() == 1


def test_an_admin_can_step_in(
    failed: Case, alice: Membership, brand_account: ConnectedAccount, bob: Membership
) -> None:
    shift_for(brand_account.brand, alice, alice, start_hours=-1, hours=4)
    client = client_for(alice)
    page = client.get(url("case", case_id=failed.pk)).content.decode()
    assert "Post again from the brand account" in page and "I posted it myself" in page
    ok = client.post(url("retry_reply", case_id=failed.pk), {"text": ANSWER, "account": brand_account.pk})
    assert ok.status_code == 302
    failed.refresh_from_db()
    assert failed.reply_via == ReplyVia.BRAND and failed.responder_id == bob.pk  # bob answered first
    event = CaseEvent.objects.filter(case=failed, kind=EventKind.RETRIED).get()
    assert event.actor_id == alice.pk


def test_post_only_and_csrf(failed: Case, bob: Membership, bob_account: ConnectedAccount) -> None:
    client = client_for(bob)
    assert client.get(url("retry_reply", case_id=failed.pk)).status_code == 405
    assert client.get(url("posted_by_hand", case_id=failed.pk)).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(bob.user)
    data = {"text": ANSWER, "account": bob_account.pk}
    assert strict.post(url("retry_reply", case_id=failed.pk), data).status_code == 403
    assert strict.post(url("posted_by_hand", case_id=failed.pk), {"url": ""}).status_code == 403
    assert OutboundPost.objects.count() == 1


# --- being told ---------------------------------------------------------------------------------------------


def test_exactly_one_email_per_failed_job_even_when_the_sweep_runs_twice(
    failed: Case, bob: Membership, bob_account: ConnectedAccount, bsky: FakeBluesky,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks)
    sweep(django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert message.to == [bob.user.email]
    assert message.subject == "Your answer to a customer was not posted"
    assert f"http://testserver{url('case', case_id=failed.pk)}" in message.body
    assert GONE in message.body and ANSWER in message.body
    assert kinds(failed).count(EventKind.REPLY_FAILED) == 1

    # Two workers that read the same failure: only one claims it.
    failed.refresh_from_db()
    assert failed_replies._settle_failure(failed.pk, failed.reply_outbound_id, timezone.now()) is None

    # Posted again, failing again after every attempt: a second job, a second (single) e-mail.
    actions.retry_reply(failed, bob, ANSWER, bob_account.pk)
    failed.refresh_from_db()
    assert failed.reply_outbound is not None
    OutboundPost.objects.filter(pk=failed.reply_outbound.pk).update(attempts=outbox.MAX_ATTEMPTS - 1)
    bsky.records[failed.reply_outbound.idempotency_key] = {}  # the PDS answers 500 to this record key
    assert deliver(failed).status == PostStatus.FAILED
    assert "kept failing after 8 attempts" in failed.reply_outbound.last_error
    sweep(django_capture_on_commit_callbacks)
    sweep(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    assert "kept failing after 8 attempts" in mail.outbox[1].body
    assert kinds(failed).count(EventKind.REPLY_FAILED) == 2


def test_a_reply_that_went_out_is_not_mailed_and_leaves_the_watch(
    bluesky_case: Case, bob: Membership, bob_account: ConnectedAccount, django_capture_on_commit_callbacks: Any
) -> None:
    answer(bluesky_case, bob, bob_account)
    bluesky_case.refresh_from_db()
    assert bluesky_case.awaiting_delivery
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks)  # still scheduled: nothing to say yet
    assert Case.objects.get(pk=bluesky_case.pk).awaiting_delivery
    deliver(bluesky_case)
    sweep(django_capture_on_commit_callbacks)
    assert not Case.objects.get(pk=bluesky_case.pk).awaiting_delivery
    assert mail.outbox == []
    assert EventKind.REPLY_FAILED not in kinds(bluesky_case)


def test_a_cancelled_reply_is_told_and_can_be_posted_by_hand(
    bluesky_case: Case, bob: Membership, bob_account: ConnectedAccount, django_capture_on_commit_callbacks: Any
) -> None:
    job = answer(bluesky_case, bob, bob_account)
    accounts.disconnect(bob_account)  # before the outbox sent it: the waiting job is cancelled
    job.refresh_from_db()
    assert job.status == PostStatus.CANCELLED
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks)
    sweep(django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert "It was cancelled before it went out. The account @bob.bsky.test was disconnected." in message.body
    client = client_for(bob)
    page = client.get(url("case", case_id=bluesky_case.pk)).content.decode()
    assert "Cancelled" in page and "The account @bob.bsky.test was disconnected." in page
    assert "You have no account to post it from now" in page and "connect your account" in page
    refused = client.post(url("retry_reply", case_id=bluesky_case.pk), {"text": ANSWER, "account": bob_account.pk})
    assert refused.status_code == 400
    assert "Connect your Bluesky account" in refused.content.decode()
    assert client.post(url("posted_by_hand", case_id=bluesky_case.pk), {"url": ""}).status_code == 302
    bluesky_case.refresh_from_db()
    assert bluesky_case.reply_via == ReplyVia.COPY and not bluesky_case.reply_failed


def test_the_admins_are_told_when_the_responder_is_gone(
    failed: Case, alice: Membership, bob: Membership, django_capture_on_commit_callbacks: Any
) -> None:
    from groundswell.care.privacy import CarePrivacy

    CarePrivacy().erase(bob)
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert message.to == [alice.user.email]
    assert "an answer to" in message.body and "Hello," in message.body


def test_my_cases_and_the_team_queue_show_failed_replies(
    failed: Case, alice: Membership, bob: Membership, bob_account: ConnectedAccount
) -> None:
    mine = client_for(bob).get(url("mine")).content.decode()
    assert "An answer of yours was not posted" in mine and "Reply failed" in mine
    assert url("case", case_id=failed.pk) in mine and GONE in mine
    queue = client_for(alice).get(url("queue")).content.decode()
    assert "Answers that were not posted (1)" in queue and "Step in" in queue and GONE in queue
    assert "1 answer of a colleague was not posted" in client_for(alice).get(url("mine")).content.decode()

    actions.retry_reply(failed, bob, ANSWER, bob_account.pk)
    assert "Reply failed" not in client_for(bob).get(url("mine")).content.decode()
    assert "Answers that were not posted" not in client_for(alice).get(url("queue")).content.decode()


def test_the_queue_does_not_query_more_with_more_failed_replies(
    failed: Case, alice: Membership, bob: Membership, bob_account: ConnectedAccount, bluesky_source: Source,
    brand: Topic, bsky: FakeBluesky,
) -> None:  # fmt: skip
    client = client_for(alice)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("queue")).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    _, mentions = make_post(bluesky_source, [brand], text="Northwind stove: spare parts?", external_id=ASKED + "2")
    [second] = actions.open_cases_for(mentions, now=timezone.now())
    second.refresh_from_db()
    assert second.assignee_id == bob.pk
    answer(second, bob, bob_account)  # Kim's second post is unknown to the AppView: refused
    assert outbox.deliver_due() == 1
    assert "Answers that were not posted (2)" in client.get(url("queue")).content.decode()
    assert count() == before


def test_a_closed_case_needs_no_answer_any_more(
    failed: Case, alice: Membership, bob: Membership, bob_account: ConnectedAccount,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    actions.close_case(failed, alice, "The customer got an answer in a direct message.")
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks)
    assert mail.outbox == []  # logged, not mailed
    assert EventKind.REPLY_FAILED in kinds(failed)
    assert "Try again" not in client_for(bob).get(url("case", case_id=failed.pk)).content.decode()
    with pytest.raises(actions.CareError, match="This case is closed"):
        actions.retry_reply(failed, bob, ANSWER, bob_account.pk)
    assert "Answers that were not posted" not in client_for(alice).get(url("queue")).content.decode()


def test_the_migration_watches_replies_already_in_the_outbox(
    bluesky_case: Case, bob: Membership, bob_account: ConnectedAccount, django_capture_on_commit_callbacks: Any
) -> None:
    import importlib

    from django.apps import apps

    answer(bluesky_case, bob, bob_account)
    Case.objects.update(awaiting_delivery=False)  # as before the sweep existed
    OutboundPost.objects.update(status=PostStatus.FAILED, last_error="Bluesky refused the post: gone")
    importlib.import_module("groundswell.care.migrations.0003_watch_replies_in_the_outbox").watch(apps, None)
    assert Case.objects.get().awaiting_delivery
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
