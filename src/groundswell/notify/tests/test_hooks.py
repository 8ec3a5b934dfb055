"""The domains' hooks call notify: a published item reaches its audience only, a contest draw its entrants."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from groundswell.conftest import make_member
from groundswell.content import actions as content
from groundswell.content.models import Item, ItemKind, ItemState
from groundswell.notify import actions
from groundswell.notify.models import Channel, Kind
from groundswell.notify.tests.fake_push import FakePushService
from groundswell.recognition import actions as recognition
from groundswell.recognition.tests.test_contests_and_bonus import AFTER, contest, give
from groundswell.workspaces.models import Department, Membership, Workspace

pytestmark = pytest.mark.usefixtures("vapid")


def device(member: Membership, service: FakePushService) -> None:
    sub = service.new_subscription()
    actions.subscribe(member, endpoint=sub["endpoint"], p256dh=sub["keys"]["p256dh"], auth=sub["keys"]["auth"])


def test_a_published_item_reaches_the_members_it_targets(
    workspace: Workspace,
    alice: Membership,
    bob: Membership,
    carol: Membership,
    sales: Department,
    push_service: FakePushService,
    django_capture_on_commit_callbacks: Any,
) -> None:
    outside = make_member(workspace, "dana@acme.test")  # not in sales
    quiet = make_member(workspace, "erin@acme.test", department=sales)  # in sales, chose nothing, no device
    for member in (bob, outside):
        device(member, push_service)
    actions.set_channel(carol, Kind.NEW_ITEM, Channel.EMAIL)
    item = Item.objects.create(
        workspace=workspace, kind=ItemKind.URL, state=ItemState.DRAFT, url="https://example.com/x",
        title="Spring launch", created_by=alice,
    )  # fmt: skip
    item.target_departments.add(sales)
    with django_capture_on_commit_callbacks(execute=True):
        content.publish_item(member=alice, item=item)
    (got,) = push_service.received  # bob's phone; dana is not in sales
    assert got.payload["title"] == "New to share" and got.payload["body"] == "Spring launch"
    assert got.payload["url"].endswith(f"/w/acme/content/{item.pk}/")
    assert [m.to for m in mail.outbox] == [[carol.user.email]]  # erin: new items are off by default
    assert quiet.department_id == sales.pk


def test_an_item_scheduled_for_later_is_not_announced_yet(
    workspace: Workspace, alice: Membership, bob: Membership, push_service: FakePushService,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    device(bob, push_service)
    item = Item.objects.create(
        workspace=workspace, kind=ItemKind.URL, state=ItemState.DRAFT, url="https://example.com/x",
        title="Later", created_by=alice, starts_at=timezone.now() + dt.timedelta(days=2),
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        content.publish_item(member=alice, item=item)
    assert push_service.received == []
    item.refresh_from_db()
    assert item.announced_at is None


def test_an_item_scheduled_for_later_is_announced_once_when_it_goes_live(
    workspace: Workspace, alice: Membership, bob: Membership, push_service: FakePushService,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    device(bob, push_service)
    start = timezone.now() + dt.timedelta(days=2)
    item = Item.objects.create(
        workspace=workspace, kind=ItemKind.URL, state=ItemState.DRAFT, url="https://example.com/x",
        title="Later", created_by=alice, starts_at=start,
    )  # fmt: skip
    gone = Item.objects.create(
        workspace=workspace, kind=ItemKind.URL, state=ItemState.DRAFT, url="https://example.com/y",
        title="Expired before its turn", created_by=alice, starts_at=start - dt.timedelta(hours=2),
        expires_at=start - dt.timedelta(hours=1),
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        content.publish_item(member=alice, item=item)
        content.publish_item(member=alice, item=gone)
        assert content.announce_started_items(start - dt.timedelta(minutes=1)) == 0  # not yet
    assert push_service.received == []
    with django_capture_on_commit_callbacks(execute=True):
        assert content.announce_started_items(start + dt.timedelta(minutes=3)) == 1
    (got,) = push_service.received
    assert got.payload["body"] == "Later"
    with django_capture_on_commit_callbacks(execute=True):
        assert content.announce_started_items(start + dt.timedelta(minutes=8)) == 0  # once
    assert len(push_service.received) == 1
    gone.refresh_from_db()
    assert gone.announced_at is not None  # marked, nobody told about an expired item


def test_the_periodic_job_is_registered() -> None:
    from groundswell.core.scheduler import discover

    assert any(job.name.endswith("announce_started") for job in discover())


def test_a_contest_draw_tells_its_entrants(
    workspace: Workspace, alice: Membership, push_service: FakePushService, django_capture_on_commit_callbacks: Any
) -> None:
    entrant, below = make_member(workspace, "p1@acme.test"), make_member(workspace, "p2@acme.test")
    give(entrant, 120, by=alice)
    give(below, 10, by=alice)  # under the threshold: not an entrant
    for member in (entrant, below):
        device(member, push_service)
    c = contest(workspace, alice)
    with django_capture_on_commit_callbacks(execute=True):
        recognition.draw_contest(contest=c, by=alice, today=AFTER)
    (got,) = push_service.received
    assert got.payload["title"] == "Results: November raffle"
    assert got.payload["url"].endswith(f"/w/acme/recognition/contests/{c.pk}/")


def test_a_routed_case_is_pushed_to_the_assignee(
    workspace: Workspace, bob: Membership, push_service: FakePushService, django_capture_on_commit_callbacks: Any
) -> None:
    from groundswell.care import actions as care
    from groundswell.care.tests.conftest import make_post, volunteer
    from groundswell.listening.models import Source, SourceKind, Topic, TopicKind

    brand = Topic.objects.create(workspace=workspace, name="Northwind", kind=TopicKind.BRAND, query="northwind")
    source = Source.objects.create(workspace=workspace, kind=SourceKind.MASTODON, name="Mastodon search")
    volunteer(bob)
    device(bob, push_service)
    _, mentions = make_post(source, [brand], text="Does the Northwind tent survive a storm?")
    with django_capture_on_commit_callbacks(execute=True):
        [case] = care.open_cases_for(mentions)
    assert case.assignee_id == bob.pk
    (got,) = push_service.received
    assert got.payload["title"] == "A customer is waiting for an answer"
    assert got.payload["body"].startswith("Does the Northwind tent survive a storm?")
    assert got.payload["url"].endswith(f"/w/acme/care/cases/{case.pk}/") and mail.outbox == []
