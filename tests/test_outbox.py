"""The posting outbox: scheduling, spreading, and exactly-once delivery through a fake plug-in."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import random

import pytest
from django.utils import timezone

from groundswell.conftest import make_member
from groundswell.content.models import Item
from groundswell.networks import outbox
from groundswell.networks.base import AuthError, PermanentError, PostRequest, TransientError
from groundswell.networks.models import AccountStatus, OutboundPost, PostStatus
from groundswell.networks.outbox import deliver_due
from groundswell.networks.policy import get_policy
from groundswell.sharing import posting
from groundswell.sharing.models import ShareMethod
from groundswell.sharing.posting import PostingError, cancel_post, schedule_post
from groundswell.workspaces.models import Membership
from tests.test_outbox_fakes import *  # noqa: F403  (fixtures)
from tests.test_outbox_fakes import FakeNetwork, connect

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # a Monday


def later(**kw: float) -> dt.datetime:
    return NOW + dt.timedelta(**kw)


@pytest.fixture
def post(bob: Membership, item: Item, fake_network: FakeNetwork) -> OutboundPost:
    return schedule_post(bob, item, connect(bob), "Proud of this launch", None, False, now=NOW)


def test_schedule_records_share_and_job(bob: Membership, item: Item, fake_network: FakeNetwork) -> None:
    policy = get_policy(bob.workspace)
    policy.disclosure = "#employee"
    policy.save()
    post = schedule_post(bob, item, connect(bob), "Proud of this launch", later(hours=2), False, now=NOW)
    share = post.share
    assert share.method == ShareMethod.API and share.network == "bluesky" and share.member == bob
    assert post.text == f"Proud of this launch #employee\n\nhttp://testserver/{share.code}"
    assert post.link_url == f"http://testserver/{share.code}" and post.link_title == "We launched"
    assert post.link_description == "Our new thing"
    assert len(post.idempotency_key) == 13 and post.idempotency_key.isalnum()
    assert post.status == PostStatus.SCHEDULED and post.scheduled_at == post.next_attempt_at == later(hours=2)
    assert next(line.message for line in post.log.all()).startswith("Scheduled for")


def test_idempotency_keys_are_unique_and_sortable() -> None:
    keys = [outbox.new_idempotency_key() for _ in range(200)]
    assert len(set(keys)) == 200
    assert all(len(k) == 13 and set(k) <= set(outbox._TID_ALPHABET) for k in keys)


def test_past_time_and_someone_elses_account_are_refused(
    bob: Membership, carol: Membership, item: Item, fake_network: FakeNetwork
) -> None:
    with pytest.raises(PostingError, match="passed"):
        schedule_post(bob, item, connect(bob), "x", later(hours=-1), False, now=NOW)
    with pytest.raises(PostingError, match="not yours"):
        schedule_post(bob, item, connect(carol), "x", None, False, now=NOW)
    assert not OutboundPost.objects.exists()


def test_account_needing_reconnect_is_refused(bob: Membership, item: Item, fake_network: FakeNetwork) -> None:
    account = connect(bob)
    account.status = AccountStatus.RECONNECT
    account.save()
    with pytest.raises(PostingError, match="reconnecting"):
        schedule_post(bob, item, account, "x", None, False, now=NOW)


def test_post_now_is_delivered_right_away(
    bob: Membership, item: Item, fake_network: FakeNetwork, django_capture_on_commit_callbacks: object
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        post = schedule_post(bob, item, connect(bob), "Proud of this launch", None, False)
    post.refresh_from_db()
    assert post.status == PostStatus.SENT, list(post.log.values_list("message", flat=True))
    assert len(fake_network.publish_calls) == 1
    assert post.remote_url.endswith(post.idempotency_key)


def test_delivery_success(post: OutboundPost, fake_network: FakeNetwork) -> None:
    assert deliver_due(NOW) == 1
    post.refresh_from_db()
    assert post.status == PostStatus.SENT and post.sent_at == NOW and post.attempts == 1
    assert post.remote_id == f"at://did:plc:bob/app.bsky.feed.post/{post.idempotency_key}"
    request = fake_network.publish_calls[0]
    assert request.idempotency_key == post.idempotency_key and request.text == post.text
    assert request.link is not None and request.link.url == post.link_url
    assert [m for m in post.log.values_list("message", flat=True)][-1] == "Posted on Bluesky."
    assert deliver_due(later(minutes=5)) == 0 and len(fake_network.publish_calls) == 1


def test_not_due_yet(bob: Membership, item: Item, fake_network: FakeNetwork) -> None:
    schedule_post(bob, item, connect(bob), "Later", later(hours=1), False, now=NOW)
    assert deliver_due(later(minutes=59)) == 0
    assert deliver_due(later(minutes=60)) == 1 and len(fake_network.publish_calls) == 1


def test_concurrent_claims_publish_once(post: OutboundPost, fake_network: FakeNetwork) -> None:
    """A second worker running while the first is mid-publish finds nothing to claim."""
    inner: list[int] = []
    fake_network.on_publish = lambda: inner.append(deliver_due(NOW))
    assert deliver_due(NOW) == 1
    assert inner == [0]
    assert len(fake_network.publish_calls) == 1
    assert outbox.claim(post.pk, NOW) is False


def test_only_one_claim_wins(post: OutboundPost) -> None:
    assert [outbox.claim(post.pk, NOW), outbox.claim(post.pk, NOW)] == [True, False]


def test_transient_failure_then_success(post: OutboundPost, fake_network: FakeNetwork) -> None:
    fake_network.failures.append(TransientError("Bluesky is having trouble (502)"))
    deliver_due(NOW)
    post.refresh_from_db()
    assert post.status == PostStatus.RETRYING and post.attempts == 1 and not post.maybe_accepted
    assert later(seconds=30) <= post.next_attempt_at <= later(seconds=36)
    assert "502" in post.last_error
    assert deliver_due(later(seconds=29)) == 0
    deliver_due(post.next_attempt_at)
    post.refresh_from_db()
    assert post.status == PostStatus.SENT and post.attempts == 2 and post.last_error == ""
    assert len(fake_network.publish_calls) == 2 and fake_network.find_calls == []


def test_retry_after_is_respected(post: OutboundPost, fake_network: FakeNetwork) -> None:
    fake_network.failures.append(TransientError("Too many requests", retry_after=900))
    deliver_due(NOW)
    post.refresh_from_db()
    assert post.status == PostStatus.RETRYING and post.next_attempt_at == later(seconds=900)
    assert deliver_due(later(seconds=899)) == 0
    assert deliver_due(later(seconds=900)) == 1
    post.refresh_from_db()
    assert post.status == PostStatus.SENT


def test_backoff_grows_and_is_capped() -> None:
    rng = random.Random(1)
    delays = [outbox.backoff_seconds(n, rng=rng) for n in range(1, 10)]
    assert 30 <= delays[0] <= 36 and 60 <= delays[1] <= 72 and 120 <= delays[2] <= 144
    assert delays[-1] == 3600 and max(delays) == 3600
    assert outbox.backoff_seconds(1, 7200) == 7200


def test_timeout_after_accepted_looks_before_posting_again(post: OutboundPost, fake_network: FakeNetwork) -> None:
    def accepted_then_timeout(request: PostRequest) -> None:
        fake_network.store(request)
        raise TransientError("Timed out waiting for Bluesky", accepted=True)

    fake_network.failures.append(accepted_then_timeout)
    deliver_due(NOW)
    post.refresh_from_db()
    assert post.status == PostStatus.RETRYING and post.maybe_accepted
    deliver_due(post.next_attempt_at)
    post.refresh_from_db()
    assert post.status == PostStatus.SENT and not post.maybe_accepted
    assert len(fake_network.publish_calls) == 1, "published twice"
    assert len(fake_network.find_calls) == 1 and len(fake_network.posts) == 1
    assert "earlier attempt had gone through" in post.log.last().message


def test_accepted_timeout_that_did_not_arrive_is_posted_once_more(
    post: OutboundPost, fake_network: FakeNetwork
) -> None:
    fake_network.failures.append(TransientError("Timed out", accepted=True))
    deliver_due(NOW)
    post.refresh_from_db()
    deliver_due(post.next_attempt_at)
    post.refresh_from_db()
    assert post.status == PostStatus.SENT
    assert len(fake_network.find_calls) == 1 and len(fake_network.publish_calls) == 2 and len(fake_network.posts) == 1


def test_transient_error_while_looking_keeps_looking(post: OutboundPost, fake_network: FakeNetwork) -> None:
    fake_network.failures.append(TransientError("Timed out", accepted=True))
    fake_network.find_failures.append(TransientError("503"))
    deliver_due(NOW)
    post.refresh_from_db()
    deliver_due(post.next_attempt_at)
    post.refresh_from_db()
    assert post.status == PostStatus.RETRYING and post.maybe_accepted and len(fake_network.publish_calls) == 1


def test_gives_up_after_max_attempts(post: OutboundPost, fake_network: FakeNetwork) -> None:
    fake_network.failures.extend(TransientError("502") for _ in range(outbox.MAX_ATTEMPTS))
    when = NOW
    for _ in range(outbox.MAX_ATTEMPTS):
        deliver_due(when)
        post.refresh_from_db()
        when = post.next_attempt_at
    assert post.status == PostStatus.FAILED and post.attempts == outbox.MAX_ATTEMPTS
    assert "kept failing after 8 attempts" in post.last_error and "Nothing was posted" in post.last_error
    assert deliver_due(later(days=1)) == 0


def test_auth_error_pauses_and_asks_to_reconnect(post: OutboundPost, fake_network: FakeNetwork) -> None:
    fake_network.failures.append(AuthError("Token has been revoked"))
    deliver_due(NOW)
    post.refresh_from_db()
    account = post.account
    assert account is not None
    account.refresh_from_db()
    assert post.status == PostStatus.RETRYING and post.attempts == 0
    assert "Reconnect to send your scheduled post" in post.last_error
    assert account.status == AccountStatus.RECONNECT and "Reconnect" in account.status_message
    assert deliver_due(later(hours=2)) == 0, "paused while the account needs reconnecting"
    account.status = AccountStatus.ACTIVE
    account.save()
    assert deliver_due(later(hours=3)) == 1
    post.refresh_from_db()
    assert post.status == PostStatus.SENT and len(fake_network.publish_calls) == 2


def test_permanent_error_fails_with_the_networks_message(post: OutboundPost, fake_network: FakeNetwork) -> None:
    fake_network.failures.append(PermanentError("Record text is too long"))
    deliver_due(NOW)
    post.refresh_from_db()
    assert post.status == PostStatus.FAILED
    assert post.last_error == "Bluesky refused the post: Record text is too long"
    assert post.log.last().level == "error"  # type: ignore[union-attr]
    assert deliver_due(later(hours=1)) == 0


def test_unexpected_exception_is_treated_as_maybe_accepted(post: OutboundPost, fake_network: FakeNetwork) -> None:
    fake_network.failures.append(RuntimeError("boom"))
    deliver_due(NOW)
    post.refresh_from_db()
    assert post.status == PostStatus.RETRYING and post.maybe_accepted


def test_sender_that_died_is_recovered_and_looks_first(post: OutboundPost, fake_network: FakeNetwork) -> None:
    assert outbox.claim(post.pk, NOW)  # a worker claimed it, then vanished
    assert deliver_due(later(minutes=5)) == 0
    assert deliver_due(later(minutes=11)) == 1
    post.refresh_from_db()
    assert post.status == PostStatus.SENT and len(fake_network.find_calls) == 1


def test_cancel(post: OutboundPost, bob: Membership, carol: Membership, fake_network: FakeNetwork) -> None:
    with pytest.raises(PostingError):
        cancel_post(carol, post)
    assert cancel_post(bob, post) is True
    assert post.status == PostStatus.CANCELLED and "Cancelled" in post.log.last().message  # type: ignore[union-attr]
    assert cancel_post(bob, post) is False
    assert deliver_due(NOW) == 0 and fake_network.publish_calls == []


def test_sent_post_cannot_be_cancelled(post: OutboundPost, bob: Membership, fake_network: FakeNetwork) -> None:
    deliver_due(NOW)
    post.refresh_from_db()
    assert cancel_post(bob, post) is False and post.status == PostStatus.SENT


# --- spreading -------------------------------------------------------------------------------------


def test_first_free_slot() -> None:
    gap = dt.timedelta(minutes=10)
    assert posting.first_free_slot(NOW, [], gap) == NOW
    assert posting.first_free_slot(NOW, [later(minutes=3)], gap) == later(minutes=13)
    assert posting.first_free_slot(NOW, [later(minutes=-15)], gap) == NOW
    assert posting.first_free_slot(NOW, [later(minutes=-5), later(minutes=8), later(minutes=30)], gap) == later(
        minutes=18
    )
    assert posting.first_free_slot(NOW, [later(minutes=-5), later(minutes=8), later(minutes=25)], gap) == later(
        minutes=35
    )


def test_spread_keeps_colleagues_apart(workspace: object, item: Item, fake_network: FakeNetwork) -> None:
    members = [make_member(item.workspace, f"m{i}@acme.test") for i in range(5)]
    posts = [schedule_post(m, item, connect(m), f"My take {i}", None, True, now=NOW) for i, m in enumerate(members)]
    times = sorted(p.scheduled_at for p in posts)
    assert times == [later(minutes=10 * i) for i in range(5)]
    # Deterministic: the next colleague gets the next free slot; a later start skips the taken ones.
    sixth = make_member(item.workspace, "m5@acme.test")
    assert schedule_post(sixth, item, connect(sixth), "Me too", None, True, now=NOW).scheduled_at == later(minutes=50)
    seventh = make_member(item.workspace, "m6@acme.test")
    at = schedule_post(seventh, item, connect(seventh), "Me too", later(minutes=12), True, now=NOW).scheduled_at
    assert at == later(minutes=60)
    # Cancelled posts free their slot.
    cancel_post(members[2], posts[2])
    newcomer = make_member(item.workspace, "new@acme.test")
    assert schedule_post(newcomer, item, connect(newcomer), "Hi", None, True, now=NOW).scheduled_at == later(minutes=20)


def test_spread_ignores_other_items(bob: Membership, carol: Membership, item: Item, fake_network: FakeNetwork) -> None:
    other = Item.objects.create(
        workspace=item.workspace, state=item.state, url="https://example.com/b", title="B", published_at=NOW
    )
    schedule_post(carol, other, connect(carol), "Other", None, False, now=NOW)
    assert schedule_post(bob, item, connect(bob), "Mine", None, True, now=NOW).scheduled_at == NOW


def test_stagger_for_item_spreads_evenly(item: Item, fake_network: FakeNetwork) -> None:
    policy = get_policy(item.workspace)
    policy.stagger_minutes = 120
    policy.save()
    members = [make_member(item.workspace, f"amb{i}@acme.test") for i in range(6)]
    pairs = [(m, connect(m)) for m in members]
    plan = posting.stagger_for_item(item, pairs, NOW)
    assert [r.at for r in plan] == [later(minutes=20 * i) for i in range(6)]
    assert all(r.post is None for r in plan)
    results = posting.stagger_for_item(item, pairs, NOW, caption="Have a look", now=NOW)
    assert all(r.post is not None and not r.error for r in results)
    times = sorted(r.at for r in results)
    assert times[0] == NOW and times[-1] < later(minutes=120)
    assert min(b - a for a, b in itertools.pairwise(times)) == dt.timedelta(minutes=20)
    assert OutboundPost.objects.filter(share__item=item).count() == 6


def test_stagger_reports_members_the_policy_blocks(item: Item, fake_network: FakeNetwork) -> None:
    policy = get_policy(item.workspace)
    policy.max_per_day_per_network = 1
    policy.save()
    m = make_member(item.workspace, "amb@acme.test")
    schedule_post(m, item, connect(m), "Earlier today", None, False, now=NOW)
    n = make_member(item.workspace, "amb2@acme.test")
    results = posting.stagger_for_item(
        item, [(m, connect(m, handle="x.test")), (n, connect(n))], NOW, caption="Go", now=NOW
    )
    assert results[0].post is None and "most your program allows" in results[0].error
    assert results[1].post is not None


def test_scheduled_time_must_be_timezone_aware_now(bob: Membership, item: Item, fake_network: FakeNetwork) -> None:
    post = schedule_post(bob, item, connect(bob), "x", timezone.now() + dt.timedelta(days=1), False)
    assert post.scheduled_at > timezone.now()


# --- the background task --------------------------------------------------------------------------


def test_deliver_due_posts_is_periodic_and_delivers(post: OutboundPost, fake_network: FakeNetwork) -> None:
    from groundswell.core.scheduler import registered_jobs
    from groundswell.networks.tasks import DELIVERY_INTERVAL_SECONDS, deliver_due_posts

    job = next(j for j in registered_jobs() if j.name.endswith("deliver_due_posts"))
    assert job.every == dt.timedelta(seconds=DELIVERY_INTERVAL_SECONDS) == dt.timedelta(seconds=30)
    OutboundPost.objects.filter(pk=post.pk).update(scheduled_at=timezone.now(), next_attempt_at=timezone.now())
    result = deliver_due_posts.enqueue()
    assert result.return_value == 1
    post.refresh_from_db()
    assert post.status == PostStatus.SENT


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    "postgres" not in os.environ.get("DATABASE_URL", ""),
    reason="needs a database with concurrent connections (CI runs it on PostgreSQL)",
)
def test_two_workers_at_once_publish_once(bob: Membership, item: Item, fake_network: FakeNetwork) -> None:
    """Real concurrency (PostgreSQL): two threads deliver the same due posts; each is published once."""
    import threading

    from django.db import connections

    members = [bob, *(make_member(item.workspace, f"w{i}@acme.test") for i in range(5))]
    at = later(hours=1)  # not "now": that would be delivered on commit already
    posts = [schedule_post(m, item, connect(m), f"Post {i}", at, False, now=NOW) for i, m in enumerate(members)]
    barrier = threading.Barrier(2)
    results: list[int] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(deliver_due(at))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(results) == len(posts)
    assert sorted(r.idempotency_key for r in fake_network.publish_calls) == sorted(p.idempotency_key for p in posts)
    assert OutboundPost.objects.filter(status=PostStatus.SENT).count() == len(posts)


def test_a_post_counts_only_once_it_is_on_the_network(bob: Membership, item: Item, fake_network: FakeNetwork) -> None:
    """Points and share rollups come when the post is sent; a cancelled post earns nothing."""
    from groundswell.analytics.models import MemberPeriod
    from groundswell.rewards.models import PointsEntry

    account = connect(bob)
    sent = schedule_post(bob, item, account, "Proud of this launch", later(minutes=5), False, now=NOW)
    cancelled = schedule_post(bob, item, account, "Another angle on it", later(hours=3), False, now=NOW)
    assert not PointsEntry.objects.filter(member=bob).exists()
    assert not MemberPeriod.objects.filter(member=bob).exists()

    cancel_post(bob, cancelled)
    deliver_due(now=later(minutes=6))
    deliver_due(now=later(minutes=7))  # nothing left to send: nothing counted twice
    sent.refresh_from_db()
    assert sent.status == PostStatus.SENT
    assert list(PointsEntry.objects.filter(member=bob).values_list("key", "points")) == [(f"share:{sent.share.pk}", 10)]
    month = MemberPeriod.objects.get(member=bob, period="m")
    assert (month.shares, month.points) == (1, 10)
