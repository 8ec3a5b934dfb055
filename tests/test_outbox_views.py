"""Posting pages: "post it for me" on the share page, my scheduled posts, the outbox and the policy."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groundswell.conftest import client_for
from groundswell.content.models import Caption, Item
from groundswell.networks.models import AccountStatus, OutboundPost, PostStatus
from groundswell.networks.outbox import deliver_due
from groundswell.networks.policy import get_policy
from groundswell.sharing.models import Share, ShareMethod
from groundswell.sharing.posting import schedule_post
from groundswell.workspaces.models import Membership
from tests.test_outbox_fakes import *  # noqa: F403  (fixtures)
from tests.test_outbox_fakes import FakeNetwork, connect

pytestmark = [pytest.mark.usefixtures("fake_network")]


def share_url(item: Item) -> str:
    return reverse("sharing:share", kwargs={"ws": "acme", "item_id": item.pk})


def posting_url(name: str, **kw: object) -> str:
    return reverse(f"posting:{name}", kwargs={"ws": "acme", **kw})


def test_share_page_offers_post_for_me_only_with_a_connected_account(
    bob_client: Client, bob: Membership, item: Item
) -> None:
    html = bob_client.get(share_url(item)).content.decode()
    assert "Post it for me now" not in html and "Connect an account" in html
    connect(bob)
    html = bob_client.get(share_url(item)).content.decode()
    assert "Post it for me now" in html and "Spread it out" in html and 'type="datetime-local"' in html
    assert "@bob.test" in html


def test_post_now_from_the_share_page(
    bob_client: Client,
    bob: Membership,
    item: Item,
    fake_network: FakeNetwork,
    django_capture_on_commit_callbacks: object,
) -> None:
    connect(bob)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        resp = bob_client.post(
            share_url(item), {"network": "bluesky", "caption": "My team built this", "action": "now"}
        )
    assert resp.status_code == 302
    share = Share.objects.get(member=bob)
    assert share.method == ShareMethod.API and resp["Location"].endswith(f"/done/{share.pk}/")
    assert len(fake_network.publish_calls) == 1
    page = bob_client.get(resp["Location"]).content.decode()
    assert "Posted on Bluesky" in page and "View the post" in page


def test_intent_flow_still_works(bob_client: Client, bob: Membership, item: Item) -> None:
    connect(bob)
    resp = bob_client.post(share_url(item), {"network": "bluesky", "caption": "Mine"})
    assert resp.status_code == 302
    share = Share.objects.get(member=bob)
    assert share.method == ShareMethod.INTENT and not OutboundPost.objects.exists()


def test_schedule_in_the_workspace_time_zone(bob_client: Client, bob: Membership, item: Item) -> None:
    bob.workspace.timezone = "Europe/Berlin"
    bob.workspace.save()
    connect(bob)
    local = (
        (timezone.now() + dt.timedelta(days=2))
        .astimezone(ZoneInfo("Europe/Berlin"))
        .replace(hour=9, minute=30, second=0, microsecond=0)
    )
    resp = bob_client.post(
        share_url(item),
        {
            "network": "bluesky",
            "caption": "Mine",
            "action": "schedule",
            "scheduled_for": local.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert resp.status_code == 302, resp.content.decode()[:2000]
    post = OutboundPost.objects.get()
    assert post.scheduled_at == local and post.status == PostStatus.SCHEDULED
    page = bob_client.get(resp["Location"]).content.decode()
    assert "Groundswell will post this on Bluesky" in page and "09:30" in page and "Cancel this post" in page


def test_schedule_needs_a_time(bob_client: Client, bob: Membership, item: Item) -> None:
    connect(bob)
    resp = bob_client.post(share_url(item), {"network": "bluesky", "caption": "Mine", "action": "schedule"})
    assert resp.status_code == 200 and "Pick the date and time" in resp.content.decode()
    assert not Share.objects.exists()


def test_no_account_for_that_network(bob_client: Client, bob: Membership, item: Item) -> None:
    connect(bob)
    resp = bob_client.post(share_url(item), {"network": "linkedin", "caption": "Mine", "action": "now"})
    assert resp.status_code == 200 and "connect your LinkedIn account first" in resp.content.decode()
    assert not Share.objects.exists()


def test_warnings_are_shown_before_posting(bob_client: Client, bob: Membership, item: Item) -> None:
    Caption.objects.create(item=item, text="We launched something great")
    policy = get_policy(bob.workspace)
    policy.disclosure = "#employee"
    policy.save()
    connect(bob)
    data = {"network": "bluesky", "caption": "We launched something  great", "action": "now"}
    resp = bob_client.post(share_url(item), data)
    html = resp.content.decode()
    assert resp.status_code == 200 and "word for word" in html and "#employee" in html and "Post it anyway" in html
    assert not Share.objects.exists()
    confirm = html.split('name="confirm" value="')[1].split('"')[0]
    # A different caption needs its own confirmation.
    resp = bob_client.post(share_url(item), {**data, "caption": "Changed, still no tag", "confirm": confirm})
    assert resp.status_code == 200 and not Share.objects.exists()
    resp = bob_client.post(share_url(item), {**data, "confirm": confirm})
    assert resp.status_code == 302
    assert OutboundPost.objects.get().text.startswith("We launched something  great #employee")


def test_blocked_post_cannot_be_submitted(bob_client: Client, bob: Membership, item: Item) -> None:
    policy = get_policy(bob.workspace)
    policy.blocked_words = "guaranteed"
    policy.save()
    connect(bob)
    data = {"network": "bluesky", "caption": "Guaranteed returns", "action": "now", "confirm": "anything"}
    resp = bob_client.post(share_url(item), data)
    html = resp.content.decode()
    assert resp.status_code == 200 and "“guaranteed”" in html and "Post it anyway" not in html
    assert not Share.objects.exists()


def test_bad_datetime_is_a_form_error(bob_client: Client, bob: Membership, item: Item) -> None:
    connect(bob)
    resp = bob_client.post(
        share_url(item), {"network": "bluesky", "caption": "x", "action": "schedule", "scheduled_for": "tomorrow"}
    )
    assert resp.status_code == 200 and "Enter a date and time" in resp.content.decode()


def test_my_posts_page_and_cancel(bob_client: Client, bob: Membership, item: Item) -> None:
    post = schedule_post(bob, item, connect(bob), "Later", timezone.now() + dt.timedelta(hours=3), False)
    html = bob_client.get(posting_url("mine")).content.decode()
    assert "We launched" in html and "Scheduled" in html and "Cancel" in html and "What happened" in html
    resp = bob_client.post(posting_url("cancel", share_id=post.share.pk))
    assert resp.status_code == 302
    post.refresh_from_db()
    assert post.status == PostStatus.CANCELLED
    assert bob_client.get(posting_url("cancel", share_id=post.share.pk)).status_code == 405


def test_my_posts_shows_failures_and_reconnect(
    bob_client: Client, bob: Membership, item: Item, fake_network: FakeNetwork
) -> None:
    from groundswell.networks.base import AuthError, PermanentError

    other = Item.objects.create(
        workspace=item.workspace,
        state=item.state,
        url="https://example.com/b",
        title="Second",
        published_at=timezone.now(),
    )
    account = connect(bob)
    schedule_post(bob, item, account, "One", None, False)
    schedule_post(bob, other, account, "Two", None, False)
    fake_network.failures.extend([PermanentError("Text too long"), AuthError("revoked")])
    deliver_due()
    html = bob_client.get(posting_url("mine")).content.decode()
    assert "Bluesky refused the post: Text too long" in html
    assert "Reconnect to send your scheduled post" in html


def test_other_members_post_cannot_be_cancelled(bob: Membership, carol: Membership, item: Item) -> None:
    post = schedule_post(bob, item, connect(bob), "Later", timezone.now() + dt.timedelta(hours=3), False)
    assert client_for(carol).post(posting_url("cancel", share_id=post.share.pk)).status_code == 404
    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED


def test_outbox_overview_is_for_admins(alice_client: Client, bob_client: Client, bob: Membership, item: Item) -> None:
    schedule_post(bob, item, connect(bob), "Later", timezone.now() + dt.timedelta(hours=3), False)
    assert bob_client.get(posting_url("overview")).status_code == 404
    html = alice_client.get(posting_url("overview")).content.decode()
    assert "Outbox" in html and "Bob" in html and "Waiting to retry" in html
    assert alice_client.get(posting_url("overview") + "?status=failed").status_code == 200
    assert alice_client.get(posting_url("overview") + "?status=bogus&page=x").status_code == 200


def test_policy_page(alice_client: Client, bob_client: Client, alice: Membership) -> None:
    assert bob_client.get(posting_url("policy")).status_code == 404
    assert bob_client.post(posting_url("policy"), {"disclosure": "x"}).status_code == 404
    assert alice_client.get(posting_url("policy")).status_code == 200
    data = {
        "disclosure": "#employee",
        "unchanged_caption": "block",
        "max_per_day_per_network": "2",
        "max_per_week_per_network": "5",
        "blocked_words": "foo\n\n foo \nbar baz",
        "stagger_minutes": "120",
    }
    assert alice_client.post(posting_url("policy"), data).status_code == 302
    policy = get_policy(alice.workspace)
    assert (
        policy.blocked_words == "foo\nbar baz" and policy.unchanged_caption == "block" and policy.stagger_minutes == 120
    )
    bad = alice_client.post(posting_url("policy"), {**data, "max_per_week_per_network": "1", "stagger_minutes": "1"})
    html = bad.content.decode()
    assert bad.status_code == 200 and "cannot be lower than the daily" in html and "Between 10 minutes" in html


@pytest.mark.parametrize("name", ["mine", "overview", "policy", "cancel"])
def test_outsiders_get_404(name: str, charlie_client: Client, bob: Membership, item: Item) -> None:
    post = schedule_post(bob, item, connect(bob), "Later", timezone.now() + dt.timedelta(hours=3), False)
    kw = {"share_id": post.share.pk} if name == "cancel" else {}
    for method in ("get", "post"):
        assert getattr(charlie_client, method)(posting_url(name, **kw)).status_code == 404
    if kw:  # Acme's id under charlie's own workspace: the method the page takes answers 404
        swapped = reverse(f"posting:{name}", kwargs={"ws": "globex", **kw})
        assert charlie_client.post(swapped).status_code == 404
    anon = Client().get(posting_url(name, **kw))
    assert anon.status_code in (302, 404) and anon.status_code != 200
    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED


def test_result_page_of_someone_elses_post_is_404(charlie_client: Client, bob: Membership, item: Item) -> None:
    post = schedule_post(bob, item, connect(bob), "Later", timezone.now() + dt.timedelta(hours=3), False)
    assert charlie_client.get(reverse("sharing:result", kwargs={"ws": "acme", "pk": post.share.pk})).status_code == 404


def test_account_needing_reconnect_is_shown_on_the_share_page(bob_client: Client, bob: Membership, item: Item) -> None:
    account = connect(bob)
    account.status = AccountStatus.RECONNECT
    account.save()
    html = bob_client.get(share_url(item)).content.decode()
    assert "needs reconnecting" in html and "Post it for me now" not in html
