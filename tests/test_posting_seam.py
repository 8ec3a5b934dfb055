"""The seam between posting (networks: the outbox delivers jobs) and sharing (what a post is for).

The outbox announces a sent job with ``networks.signals.post_sent``; sharing counts the share then. Sharing
keeps the link (``Share.outbound``): deleting a share takes its waiting job with it, and the migration that
moved the link from ``OutboundPost.share`` kept every existing link.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from groundswell.content.models import Item
from groundswell.networks import outbox
from groundswell.networks.models import ConnectedAccount, OutboundPost, PostStatus
from groundswell.networks.signals import post_sent
from groundswell.rewards.models import PointsEntry
from groundswell.sharing.models import Share
from groundswell.sharing.posting import schedule_post
from groundswell.workspaces.models import Membership
from tests.test_outbox_fakes import *  # noqa: F403  (fixtures)
from tests.test_outbox_fakes import FakeNetwork, connect

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_a_sent_job_is_announced_once_and_sharing_counts_its_share(
    bob: Membership, item: Item, fake_network: FakeNetwork
) -> None:
    post = schedule_post(bob, item, connect(bob), "Proud of this", None, False, now=NOW)
    heard: list[int] = []

    def listener(sender: object, post: OutboundPost, **kwargs: object) -> None:
        heard.append(post.pk)

    post_sent.connect(listener, sender=OutboundPost)
    try:
        assert outbox.deliver_due(NOW) == 1
        assert outbox.deliver_due(NOW) == 0  # nothing left: announced once
    finally:
        post_sent.disconnect(listener, sender=OutboundPost)
    assert heard == [post.pk]
    share = Share.objects.get(outbound=post)
    assert PointsEntry.objects.filter(member=bob, key=f"share:{share.pk}").count() == 1


def test_a_job_without_a_share_counts_nothing(bob: Membership, item: Item, fake_network: FakeNetwork) -> None:
    account = connect(bob)
    job = outbox.create_job(account, "Just a post", NOW, now=NOW, note="Queued.")
    assert outbox.deliver_due(NOW) == 1
    job.refresh_from_db()
    assert job.status == PostStatus.SENT and getattr(job, "share", None) is None
    assert not PointsEntry.objects.filter(member=bob).exists()


def test_deleting_a_share_deletes_its_waiting_job(bob: Membership, item: Item, fake_network: FakeNetwork) -> None:
    post = schedule_post(bob, item, connect(bob), "Later", NOW + dt.timedelta(hours=3), False, now=NOW)
    item.delete()  # cascades to the share; the share's job must not be sent for an item that is gone
    assert not OutboundPost.objects.filter(pk=post.pk).exists()


BEFORE = [("networks", "0005_outboundpost_share_no_reverse_name"), ("sharing", "0001_initial")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_every_link(bob: Membership, item: Item) -> None:
    account = ConnectedAccount.objects.create(
        workspace=bob.workspace, member=bob, network="bluesky", remote_id="did:plc:bob", handle="bob", access_token="t"
    )
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    OldShare = apps.get_model("sharing", "Share")
    OldPost = apps.get_model("networks", "OutboundPost")
    now = timezone.now()
    linked = []
    for n in range(3):
        share = OldShare.objects.create(
            workspace_id=bob.workspace_id, item_id=item.pk, member_id=bob.pk, network="bluesky", code=f"Abcdef{n}"
        )
        post = OldPost.objects.create(
            workspace_id=bob.workspace_id,
            share=share,
            account_id=account.pk,
            text="t",
            idempotency_key=f"k{n}",
            scheduled_at=now,
            next_attempt_at=now,
        )
        linked.append((share.pk, post.pk))
    brand = OldPost.objects.create(
        workspace_id=bob.workspace_id,
        account_id=account.pk,
        text="b",
        idempotency_key="kb",
        scheduled_at=now,
        next_attempt_at=now,
    )
    lone = OldShare.objects.create(
        workspace_id=bob.workspace_id, item_id=item.pk, member_id=bob.pk, network="x", code="Zyxwvut"
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    for share_pk, post_pk in linked:
        assert Share.objects.get(pk=share_pk).outbound_id == post_pk
        assert OutboundPost.objects.get(pk=post_pk).share.pk == share_pk
    assert Share.objects.get(pk=lone.pk).outbound_id is None
    assert getattr(OutboundPost.objects.get(pk=brand.pk), "share", None) is None
    # And back: the reverse migration puts the links where they were.
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    back = dict(apps.get_model("networks", "OutboundPost").objects.values_list("share_id", "pk"))
    assert all(back[share_pk] == post_pk for share_pk, post_pk in linked)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # the full schema for the tests that follow
