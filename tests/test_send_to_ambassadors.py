"""“Send to ambassadors”: an admin's item posted, staggered, from the accounts members opted in — only those."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groundswell.conftest import client_for, make_member
from groundswell.content.models import Caption, Item
from groundswell.networks.models import AccountStatus, ConnectedAccount, OutboundPost, PostStatus
from groundswell.networks.policy import get_policy
from groundswell.sharing.posting import cancel_post
from groundswell.workspaces.models import Membership, Workspace
from tests.test_outbox_fakes import *  # noqa: F403  (fixtures)
from tests.test_outbox_fakes import connect

pytestmark = [pytest.mark.usefixtures("fake_network")]


def send_url(item: Item, ws: str = "acme") -> str:
    return reverse("posting:send_to_ambassadors", kwargs={"ws": ws, "item_id": item.pk})


def opted_in(member: Membership, network: str = "bluesky") -> ConnectedAccount:
    account = connect(member, network)
    account.auto_post = True
    account.save(update_fields=["auto_post"])
    return account


def ambassadors(workspace: Workspace, n: int) -> list[Membership]:
    members = [make_member(workspace, f"amb{i:02d}@acme.test") for i in range(n)]
    for m in members:
        opted_in(m)
    return members


def test_only_opted_in_accounts_get_posts(
    alice_client: Client, alice: Membership, bob: Membership, carol: Membership, item: Item
) -> None:
    Caption.objects.create(item=item, network="bluesky", text="Bluesky words")
    Caption.objects.create(item=item, network="", text="General words")
    mine = opted_in(bob)
    connect(carol)  # connected, not opted in
    html = alice_client.get(send_url(item)).content.decode()
    assert "1 account will post" in html and "Bluesky words" in html and "240 minutes" in html

    resp = alice_client.post(send_url(item))
    assert resp.status_code == 200 and "1 post scheduled" in resp.content.decode()
    post = OutboundPost.objects.get()
    assert post.account == mine and post.share.member == bob and post.status == PostStatus.SCHEDULED
    assert post.text.startswith("Bluesky words") and post.scheduled_at > timezone.now()
    # Bob sees it among his scheduled posts and can cancel it.
    assert "We launched" in client_for(bob).get(reverse("posting:mine", kwargs={"ws": "acme"})).content.decode()
    assert cancel_post(bob, post)


def test_thirty_ambassadors_are_spread_evenly_over_the_window(
    alice_client: Client, workspace: Workspace, item: Item
) -> None:
    ambassadors(workspace, 30)
    before = timezone.now()
    alice_client.post(send_url(item))
    times = sorted(OutboundPost.objects.values_list("scheduled_at", flat=True))
    assert len(times) == 30
    gaps = {b - a for a, b in itertools.pairwise(times)}
    assert gaps == {dt.timedelta(minutes=240) / 30}
    assert len({t.replace(second=0, microsecond=0) for t in times}) == 30
    assert before < times[0] < before + dt.timedelta(minutes=10)
    assert times[-1] - times[0] < dt.timedelta(minutes=240)


def test_resending_does_not_duplicate_and_cancelled_stays_cancelled(
    alice_client: Client, workspace: Workspace, item: Item
) -> None:
    members = ambassadors(workspace, 3)
    alice_client.post(send_url(item))
    cancel_post(members[0], OutboundPost.objects.get(share__member=members[0]))
    resp = alice_client.post(send_url(item))
    assert OutboundPost.objects.count() == 3
    html = resp.content.decode()
    assert "0 posts scheduled" in html and "3 skipped: already had a post" in html


def test_policy_blocked_members_are_skipped_and_reported(
    alice_client: Client, workspace: Workspace, item: Item
) -> None:
    members = ambassadors(workspace, 2)
    policy = get_policy(workspace)
    policy.max_per_day_per_network = 1
    policy.save()
    other = Item.objects.create(
        workspace=workspace, kind=item.kind, state=item.state, url="https://example.com/other", title="Other",
        created_by=item.created_by, published_at=item.published_at,
    )  # fmt: skip
    alice_client.post(send_url(other))  # each uses up the day's post, in the same slot as below
    html = alice_client.post(send_url(item)).content.decode()
    assert "0 posts scheduled" in html and "2 skipped by the posting policy" in html
    assert members[0].display_name in html and OutboundPost.objects.filter(share__item=item).count() == 0


def test_accounts_needing_reconnect_and_inactive_members_are_left_out(
    alice_client: Client, bob: Membership, carol: Membership, item: Item
) -> None:
    account = opted_in(bob)
    account.status = AccountStatus.RECONNECT
    account.save()
    opted_in(carol)
    Membership.objects.filter(pk=carol.pk).update(is_active=False)
    html = alice_client.get(send_url(item)).content.decode()
    assert "No ambassadors to post this" in html and "1 opted-in account needs reconnecting" in html
    alice_client.post(send_url(item))
    assert not OutboundPost.objects.exists()


def test_employees_and_outsiders_get_404(
    bob_client: Client, charlie_client: Client, bob: Membership, item: Item
) -> None:
    opted_in(bob)
    for c, ws in ((bob_client, "acme"), (charlie_client, "acme"), (charlie_client, "globex")):
        assert c.get(send_url(item, ws)).status_code == 404
        assert c.post(send_url(item, ws)).status_code == 404
    assert not OutboundPost.objects.exists()


def test_detail_page_offers_the_action_to_admins_only(alice_client: Client, bob_client: Client, item: Item) -> None:
    detail = reverse("content:detail", kwargs={"ws": "acme", "pk": item.pk})
    assert "Send to ambassadors" in alice_client.get(detail).content.decode()
    assert "Send to ambassadors" not in bob_client.get(detail).content.decode()


def toggle_url() -> str:
    return reverse("networks:auto_post", kwargs={"ws": "acme"})


def test_toggle_works_on_own_account_only(
    bob_client: Client, bob: Membership, carol: Membership, charlie_client: Client
) -> None:
    mine, theirs = connect(bob), connect(carol)
    accounts_page = reverse("networks:accounts", kwargs={"ws": "acme"})
    html = bob_client.get(accounts_page).content.decode()
    assert "Post items my program admin sends to ambassadors" in html and "Turn on" in html

    assert bob_client.post(toggle_url(), {"account": mine.pk, "auto_post": "1"}).status_code == 302
    mine.refresh_from_db()
    assert mine.auto_post
    assert "Turn off" in bob_client.get(accounts_page).content.decode()
    bob_client.post(toggle_url(), {"account": mine.pk, "auto_post": "0"})
    mine.refresh_from_db()
    assert not mine.auto_post

    assert bob_client.post(toggle_url(), {"account": theirs.pk, "auto_post": "1"}).status_code == 404
    assert charlie_client.post(toggle_url(), {"account": mine.pk, "auto_post": "1"}).status_code == 404
    assert bob_client.get(toggle_url()).status_code == 405
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert not theirs.auto_post and not mine.auto_post


def test_new_accounts_are_not_opted_in(bob: Membership) -> None:
    assert connect(bob).auto_post is False
