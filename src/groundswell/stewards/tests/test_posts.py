"""Brand posts: approval required or not, the review queue, the policy, and exactly-once delivery through the
outbox with the real Bluesky plug-in against a fake PDS at the networks' HTTP choke point."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groundswell.networks.models import OutboundPost, PostStatus
from groundswell.networks.outbox import deliver_due
from groundswell.networks.policy import get_policy
from groundswell.sharing.models import Share
from groundswell.stewards import actions
from groundswell.stewards.models import BrandAccount, BrandPost, BrandPostStatus, Shift
from groundswell.workspaces.models import Membership

from .conftest import FakePDS, shift_for


def write_url(brand: BrandAccount) -> str:
    return reverse("stewards:write", kwargs={"ws": "acme", "brand_id": brand.pk})


def test_without_approval_the_post_goes_to_the_outbox_and_out_once(
    brand: BrandAccount, bob_shift: Shift, bob: Membership, bob_client: Client, pds: FakePDS
) -> None:
    resp = bob_client.post(
        write_url(brand), {"text": "We are hiring in Berlin!", "link_url": "https://acme.example/jobs", "when": ""}
    )
    assert resp.status_code == 302, resp.content.decode()[:500]
    post = BrandPost.objects.get()
    assert post.status == BrandPostStatus.QUEUED and post.author == bob and post.shift == bob_shift
    outbound = post.outbound
    assert outbound is not None and getattr(outbound, "share", None) is None and outbound.account == brand.account
    assert outbound.text == "We are hiring in Berlin!\n\nhttps://acme.example/jobs"
    assert not Share.objects.exists()  # a brand post is nobody's share: no share points, no rollups

    assert deliver_due() == 1
    outbound.refresh_from_db()
    assert outbound.status == PostStatus.SENT, list(outbound.log.values_list("message", flat=True))
    assert outbound.remote_id == f"at://did:plc:acmebrand/app.bsky.feed.post/{outbound.idempotency_key}"
    [create] = pds.creates
    assert create["repo"] == "did:plc:acmebrand" and create["rkey"] == outbound.idempotency_key
    assert create["record"]["embed"]["external"]["uri"] == "https://acme.example/jobs"
    assert deliver_due(timezone.now() + dt.timedelta(hours=1)) == 0 and len(pds.creates) == 1
    page = bob_client.get(reverse("stewards:account", kwargs={"ws": "acme", "brand_id": brand.pk})).content.decode()
    assert "We are hiring in Berlin!" in page and "Posted" in page and "See the post" in page


def test_lost_answer_is_found_not_posted_twice(
    brand: BrandAccount, bob_shift: Shift, bob: Membership, pds: FakePDS
) -> None:
    """The PDS stores the post but the answer times out, and the look-up fails too: the job waits, then
    finds the post under its record key instead of writing it again."""
    post = actions.write_post(brand=brand, steward=bob, text="Only once, please")
    assert post.outbound is not None
    pds.faults = {"com.atproto.repo.createRecord": ["timeout-after-write"], "com.atproto.repo.getRecord": ["down"]}
    now = timezone.now()
    deliver_due(now)
    outbound = OutboundPost.objects.get(pk=post.outbound.pk)
    assert outbound.status == PostStatus.RETRYING and outbound.maybe_accepted
    deliver_due(outbound.next_attempt_at)
    outbound.refresh_from_db()
    assert outbound.status == PostStatus.SENT
    assert len(pds.creates) == 1 and len(pds.records) == 1
    assert "earlier attempt had gone through" in outbound.log.last().message  # type: ignore[union-attr]


def test_server_errors_are_retried(brand: BrandAccount, bob_shift: Shift, bob: Membership, pds: FakePDS) -> None:
    pds.faults = {"com.atproto.repo.createRecord": [502]}
    pds.faults["com.atproto.repo.getRecord"] = []
    post = actions.write_post(brand=brand, steward=bob, text="Retry me")
    assert post.outbound is not None
    deliver_due()
    outbound = OutboundPost.objects.get(pk=post.outbound.pk)
    assert outbound.status == PostStatus.RETRYING and "PDS trouble" in outbound.last_error
    deliver_due(outbound.next_attempt_at)
    outbound.refresh_from_db()
    assert outbound.status == PostStatus.SENT and len(pds.records) == 1


def test_expired_access_puts_the_brand_account_in_reconnect(
    brand: BrandAccount, bob_shift: Shift, bob: Membership, pds: FakePDS, alice_client: Client
) -> None:
    pds.faults = {"com.atproto.repo.createRecord": [401]}
    post = actions.write_post(brand=brand, steward=bob, text="Wait for reconnect")
    deliver_due()
    brand.account.refresh_from_db()
    assert brand.account.status == "reconnect"
    assert post.outbound is not None
    assert OutboundPost.objects.get(pk=post.outbound.pk).status == PostStatus.RETRYING
    page = alice_client.get(reverse("stewards:accounts", kwargs={"ws": "acme"})).content.decode()
    assert "Needs reconnecting" in page and "Reconnect acme.bsky.test" in page


def test_with_approval_posts_wait_for_review_then_go_out(
    brand: BrandAccount, bob_shift: Shift, bob_client: Client, alice_client: Client, pds: FakePDS
) -> None:
    resp = alice_client.post(
        reverse("stewards:approval", kwargs={"ws": "acme", "brand_id": brand.pk}), {"require_approval": "on"}
    )
    assert resp.status_code == 302
    brand.refresh_from_db()
    assert brand.require_approval
    bob_client.post(write_url(brand), {"text": "Our spring launch is live", "link_url": ""})
    post = BrandPost.objects.get()
    assert post.status == BrandPostStatus.PENDING and post.outbound is None
    assert not OutboundPost.objects.exists() and deliver_due() == 0

    queue = alice_client.get(reverse("stewards:review", kwargs={"ws": "acme"})).content.decode()
    assert "Our spring launch is live" in queue
    review = reverse("stewards:review_post", kwargs={"ws": "acme", "brand_post_id": post.pk})
    assert alice_client.post(review, {"decision": "approve"}).status_code == 302
    post.refresh_from_db()
    assert post.status == BrandPostStatus.QUEUED and post.outbound is not None and post.reviewed_at is not None
    assert deliver_due() == 1 and len(pds.records) == 1
    # Reviewing twice changes nothing.
    again = alice_client.post(review, {"decision": "reject", "reason": "late"}, follow=True)
    assert "already reviewed" in again.content.decode()
    assert OutboundPost.objects.count() == 1


def test_rejected_post_shows_the_reason_to_the_steward(
    brand: BrandAccount, bob_shift: Shift, bob: Membership, bob_client: Client, alice_client: Client
) -> None:
    actions.set_require_approval(brand, True)
    post = actions.write_post(brand=brand, steward=bob, text="Our competitor is terrible")
    review = reverse("stewards:review_post", kwargs={"ws": "acme", "brand_post_id": post.pk})
    resp = alice_client.post(review, {"decision": "reject", "reason": ""})
    assert resp.status_code == 400 and "Say why" in resp.content.decode()
    assert alice_client.post(review, {"decision": "maybe"}).status_code == 400
    alice_client.post(review, {"decision": "reject", "reason": "We never talk about competitors."})
    post.refresh_from_db()
    assert post.status == BrandPostStatus.REJECTED and not OutboundPost.objects.exists()
    page = bob_client.get(reverse("stewards:account", kwargs={"ws": "acme", "brand_id": brand.pk})).content.decode()
    assert "Not approved" in page and "We never talk about competitors." in page


def test_requested_time_is_kept(brand: BrandAccount, bob_shift: Shift, bob: Membership) -> None:
    when = timezone.now() + dt.timedelta(hours=3)
    post = actions.write_post(brand=brand, steward=bob, text="Tomorrow's news", when=when)
    assert post.outbound is not None and post.outbound.scheduled_at == when
    assert deliver_due() == 0


def test_policy_blocked_words_and_length(brand: BrandAccount, bob_shift: Shift, bob_client: Client) -> None:
    policy = get_policy(brand.workspace)
    policy.blocked_words = "guaranteed returns"
    policy.save()
    resp = bob_client.post(write_url(brand), {"text": "GUARANTEED   returns for all!"})
    assert resp.status_code == 400 and "which your program does not allow" in resp.content.decode()
    resp = bob_client.post(write_url(brand), {"text": "x" * 301})
    assert resp.status_code == 400 and "Bluesky allows 300 characters including the link" in resp.content.decode()
    resp = bob_client.post(write_url(brand), {"text": "ok", "link_url": "not a url at all"})
    assert resp.status_code == 400 and "Enter a full web address" in resp.content.decode()
    resp = bob_client.post(write_url(brand), {"text": "ok", "when": "yesterday"})
    assert resp.status_code == 400 and "Enter a date and time" in resp.content.decode()
    resp = bob_client.post(write_url(brand), {"text": "ok", "when": "2001-01-01T10:00"})
    assert resp.status_code == 400 and "That time has passed" in resp.content.decode()
    resp = bob_client.post(write_url(brand), {"text": ""})
    assert resp.status_code == 400 and "Write the post first." in resp.content.decode()
    assert not BrandPost.objects.exists() and not OutboundPost.objects.exists()


def test_policy_is_checked_again_at_approval(
    brand: BrandAccount, bob_shift: Shift, bob: Membership, alice: Membership
) -> None:
    actions.set_require_approval(brand, True)
    post = actions.write_post(brand=brand, steward=bob, text="Free lunch for everyone")
    policy = get_policy(brand.workspace)
    policy.blocked_words = "free lunch"
    policy.save()
    with pytest.raises(actions.StewardError, match="does not allow"):
        actions.review_post(post, alice, approve=True)
    post.refresh_from_db()
    assert post.status == BrandPostStatus.PENDING


def test_only_the_steward_on_shift_writes(
    brand: BrandAccount, bob: Membership, carol: Membership, alice: Membership, bob_client: Client
) -> None:
    shift_for(brand, bob, alice, start_hours=2, hours=2)  # not started yet
    assert bob_client.get(write_url(brand)).status_code == 404
    assert bob_client.post(write_url(brand), {"text": "early"}).status_code == 404
    with pytest.raises(actions.StewardError, match="during your shift"):
        actions.write_post(brand=brand, steward=bob, text="early")
    with pytest.raises(actions.StewardError, match="during your shift"):
        actions.write_post(brand=brand, steward=alice, text="admin is not on shift")
    assert not BrandPost.objects.exists()


def test_given_up_shift_cannot_write(
    brand: BrandAccount, bob_shift: Shift, bob: Membership, bob_client: Client
) -> None:
    actions.release_shift(bob_shift, bob, "")
    assert bob_client.get(write_url(brand)).status_code == 404


def test_brand_account_can_not_be_used_for_personal_posts(brand: BrandAccount, bob: Membership, item: object) -> None:
    from groundswell.sharing.posting import PostingError, schedule_post

    with pytest.raises(PostingError, match="not yours"):
        schedule_post(bob, item, brand.account, "mine now", None, False)  # type: ignore[arg-type]
