"""Replies on Bluesky: the post record carries ``reply: {root, parent}`` strong refs read from the AppView at
send time, through the outbox with its exactly-once semantics."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from groundswell.networks import accounts, crypto, outbox
from groundswell.networks.base import PermanentError, PostRequest, ReplyTarget, TokenSet
from groundswell.networks.bluesky.plugin import Client
from groundswell.networks.bluesky.tests.fake import MEMBER_DID, PDS, FakeBluesky, serve
from groundswell.networks.models import ConnectedAccount, OutboundPost, PostStatus
from groundswell.workspaces.models import Membership

pytestmark = pytest.mark.django_db

ROOT = "at://did:plc:kim/app.bsky.feed.post/3root"
PARENT = "at://did:plc:kim/app.bsky.feed.post/3parent"
TOKENS = TokenSet(access_token="a.b.c", refresh_token="r.e.f", remote_id=MEMBER_DID, handle="bob.bsky.test",
                  service_url=PDS)  # fmt: skip


@pytest.fixture(autouse=True)
def encryption_key(settings: Any) -> Iterator[None]:
    settings.ENCRYPTION_KEYS = ["x3W2cGbqIVp6zfnjJOx2SM6TFgOB8h4Wq9bTm0xRy1o="]
    crypto.reset_keys()
    yield
    crypto.reset_keys()


@pytest.fixture
def bsky(settings: Any) -> Iterator[FakeBluesky]:
    yield from serve(settings)


@pytest.fixture
def account(bob: Membership, bsky: FakeBluesky) -> ConnectedAccount:
    return accounts.connect(bob, "bluesky", TOKENS)


def test_a_reply_to_a_reply_takes_its_root_from_the_parent_record(bsky: FakeBluesky) -> None:
    bsky.add_post(ROOT, "bafyroot")
    bsky.add_post(PARENT, "bafyparent", reply={"root": {"uri": ROOT, "cid": "bafyroot"},
                                               "parent": {"uri": ROOT, "cid": "bafyroot"}})  # fmt: skip
    request = PostRequest(text="Hi Kim, yes it is!", link=None, idempotency_key="3kreply2aaaa2",
                          reply_to=ReplyTarget(uri=PARENT, url="https://bsky.app/profile/kim/post/3parent"))  # fmt: skip
    remote = Client().publish(TOKENS, request)
    (created,) = bsky.creates
    assert created["rkey"] == "3kreply2aaaa2"
    assert created["record"]["reply"] == {
        "root": {"uri": ROOT, "cid": "bafyroot"},
        "parent": {"uri": PARENT, "cid": "bafyparent"},
    }
    assert created["record"]["text"] == "Hi Kim, yes it is!"
    assert remote.remote_id == f"at://{MEMBER_DID}/app.bsky.feed.post/3kreply2aaaa2"
    (lookup,) = bsky.calls("app.bsky.feed.getPosts")
    assert lookup.url.params.get_list("uris") == [PARENT]
    assert lookup.headers["Authorization"] == "Bearer a.b.c"


def test_a_reply_to_a_top_level_post_uses_it_as_root_and_parent(bsky: FakeBluesky) -> None:
    bsky.add_post(ROOT, "bafyroot")
    request = PostRequest(text="Hello", link=None, idempotency_key="3kreply2aaab2", reply_to=ReplyTarget(uri=ROOT))
    Client().publish(TOKENS, request)
    assert bsky.creates[0]["record"]["reply"] == {
        "root": {"uri": ROOT, "cid": "bafyroot"},
        "parent": {"uri": ROOT, "cid": "bafyroot"},
    }


def test_a_deleted_post_cannot_be_answered(bsky: FakeBluesky) -> None:
    request = PostRequest(text="Hello", link=None, idempotency_key="3kreply2aaac2", reply_to=ReplyTarget(uri=ROOT))
    with pytest.raises(PermanentError, match="no longer on Bluesky"):
        Client().publish(TOKENS, request)
    assert bsky.creates == []


def test_the_outbox_sends_a_reply_exactly_once_after_a_lost_answer(
    bsky: FakeBluesky, account: ConnectedAccount
) -> None:
    bsky.add_post(ROOT, "bafyroot")
    bsky.add_post(PARENT, "bafyparent", reply={"root": {"uri": ROOT, "cid": "bafyroot"},
                                               "parent": {"uri": ROOT, "cid": "bafyroot"}})  # fmt: skip
    now = timezone.now()
    post = outbox.schedule_reply(account, " Thanks Kim! ", ReplyTarget(uri=PARENT, root_uri=ROOT), now=now)
    assert getattr(post, "share", None) is None
    assert post.reply_to == {"uri": PARENT, "url": "", "root_uri": ROOT}
    bsky.faults.append("timeout-after-write")
    assert outbox.deliver_due(now) == 1
    post.refresh_from_db()
    # The answer was lost; the plug-in looked under the record key and found the reply it had written.
    assert post.status == PostStatus.SENT
    assert len(bsky.creates) == 1 and len(bsky.records) == 1
    # A worker that died mid-send: the job is retried, looks first, and never writes a second reply.
    OutboundPost.objects.filter(pk=post.pk).update(status=PostStatus.RETRYING, maybe_accepted=True, next_attempt_at=now)
    assert outbox.deliver_due(now + dt.timedelta(seconds=1)) == 1
    post.refresh_from_db()
    assert post.status == PostStatus.SENT
    assert len(bsky.creates) == 1 and len(bsky.records) == 1
    (record,) = bsky.records.values()
    assert record["value"]["reply"]["parent"] == {"uri": PARENT, "cid": "bafyparent"}
    assert record["value"]["text"] == "Thanks Kim!"
    assert post.remote_url.startswith("https://bsky.app/profile/bob.bsky.test/post/")


def test_schedule_reply_refuses_bad_input(account: ConnectedAccount, bob: Membership) -> None:
    target = ReplyTarget(uri=ROOT)
    with pytest.raises(outbox.PostingError, match="Write the answer first"):
        outbox.schedule_reply(account, "   ", target)
    with pytest.raises(outbox.PostingError, match="allows 300 characters"):
        outbox.schedule_reply(account, "x" * 301, target)
    other = ConnectedAccount.objects.create(workspace=bob.workspace, member=bob, network="linkedin", remote_id="l1",
                                            handle="bob", access_token="t")  # fmt: skip
    with pytest.raises(outbox.PostingError, match="cannot post replies on LinkedIn"):
        outbox.schedule_reply(other, "Hello", target)
    assert not OutboundPost.objects.exists()


def test_a_waiting_reply_can_be_cancelled_and_is_then_never_sent(account: ConnectedAccount, bsky: FakeBluesky) -> None:
    bsky.add_post(ROOT, "bafyroot")
    now = timezone.now()
    post = outbox.schedule_reply(account, "Hi Kim", ReplyTarget(uri=ROOT), now=now)
    assert outbox.cancel_reply(post, "posted another way.")
    assert (post.status, post.last_error) == (PostStatus.CANCELLED, "Cancelled: posted another way.")
    assert post.log.last().message == "Cancelled: posted another way. Nothing was posted."
    assert not outbox.claim(post.pk, now) and outbox.deliver_due(now) == 0 and bsky.creates == []
    assert not outbox.cancel_reply(post, "again.")


def test_a_reply_claimed_for_sending_is_not_cancelled(account: ConnectedAccount, bsky: FakeBluesky) -> None:
    bsky.add_post(ROOT, "bafyroot")
    now = timezone.now()
    post = outbox.schedule_reply(account, "Hi Kim", ReplyTarget(uri=ROOT), now=now)
    assert outbox.claim(post.pk, now)
    assert not outbox.cancel_reply(post, "posted another way.")
    assert post.status == PostStatus.SENDING
    outbox.send(OutboundPost.objects.select_related("account").get(pk=post.pk), now)
    post.refresh_from_db()
    assert post.status == PostStatus.SENT and len(bsky.creates) == 1


def test_only_replies_are_cancelled_this_way(account: ConnectedAccount) -> None:
    """A member's share or a brand post has its own cancel (``cancel_post``, ``cancel_account_post``)."""
    top_level = OutboundPost.objects.create(
        workspace_id=account.workspace_id, account=account, text="Hello", idempotency_key="3kplain2aaaa2",
        scheduled_at=timezone.now(), next_attempt_at=timezone.now(),
    )  # fmt: skip
    with pytest.raises(outbox.PostingError, match="This is not a reply"):
        outbox.cancel_reply(top_level, "no.")
    top_level.refresh_from_db()
    assert top_level.status == PostStatus.SCHEDULED
