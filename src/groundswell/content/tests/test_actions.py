"""The content write layer: creating items and the review state machine."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from groundswell.analytics.models import MemberPeriod
from groundswell.content import actions
from groundswell.content.actions import CaptionData, ContentError, InvalidTransition, ItemData
from groundswell.content.models import Item, ItemKind, ItemState, Topic, UnfurlState
from groundswell.rewards.models import PointsEntry
from groundswell.workspaces.models import Membership

pytestmark = pytest.mark.django_db


def link(url: str = "https://example.com/a", **kw: object) -> ItemData:
    return ItemData(kind=ItemKind.URL, url=url, **kw)  # type: ignore[arg-type]


def test_admin_creates_draft_or_published(alice: Membership) -> None:
    draft = actions.create_item(member=alice, data=link(captions=[CaptionData("One"), CaptionData("Two", "x")]))
    assert draft.state == ItemState.DRAFT and draft.published_at is None
    assert [(c.text, c.network, c.position) for c in draft.captions.all()] == [("One", "", 0), ("Two", "x", 1)]
    assert draft.unfurl_state == UnfurlState.PENDING
    live = actions.create_item(member=alice, data=link(), publish=True)
    assert live.state == ItemState.PUBLISHED and live.published_at is not None and live.is_live()


def test_employees_cannot_create_items_directly(bob: Membership) -> None:
    with pytest.raises(ContentError, match="Only program admins"):
        actions.create_item(member=bob, data=link(), publish=True)


def test_item_data_is_checked(alice: Membership) -> None:
    with pytest.raises(ContentError, match="needs a URL"):
        actions.create_item(member=alice, data=ItemData(kind=ItemKind.URL))
    with pytest.raises(ContentError, match="needs its text"):
        actions.create_item(member=alice, data=ItemData(kind=ItemKind.TEXT, body="  "))
    with pytest.raises(ContentError, match="needs an image"):
        actions.create_item(member=alice, data=ItemData(kind=ItemKind.IMAGE))
    now = timezone.now()
    with pytest.raises(ContentError, match="expiry must be after"):
        actions.create_item(member=alice, data=link(starts_at=now, expires_at=now - dt.timedelta(hours=1)))


def test_topics_of_another_workspace_are_refused(alice: Membership, charlie: Membership) -> None:
    foreign = Topic.objects.create(workspace=charlie.workspace, name="Secret", slug="secret")
    with pytest.raises(ContentError, match="another workspace"):
        actions.create_item(member=alice, data=link(topics=[foreign]))
    assert not Item.objects.exists()


def test_submission_review_and_points(alice: Membership, bob: Membership) -> None:
    item = actions.submit_item(member=bob, data=link(title="Look at this"))
    assert (item.state, item.submitted_by, item.created_by) == (ItemState.PENDING, bob, bob)
    actions.approve_item(member=alice, item=item)
    item.refresh_from_db()
    assert item.state == ItemState.PUBLISHED and item.reviewed_by == alice and item.published_at
    entry = PointsEntry.objects.get(member=bob)
    assert (entry.action, entry.points, entry.key) == ("submission_approved", 25, f"submission:{item.pk}")
    assert MemberPeriod.objects.get(member=bob, period="a").points == 25
    with pytest.raises(InvalidTransition):
        actions.approve_item(member=alice, item=item)
    assert PointsEntry.objects.filter(member=bob).count() == 1


def test_points_are_not_paid_twice_after_unpublish_and_resubmit(alice: Membership, bob: Membership) -> None:
    item = actions.submit_item(member=bob, data=link())
    actions.approve_item(member=alice, item=item)
    actions.unpublish(member=alice, item=item)
    actions.send_for_review(member=alice, item=item)
    actions.approve_item(member=alice, item=item)
    assert PointsEntry.objects.filter(member=bob).count() == 1


def test_reject_needs_a_reason_the_submitter_sees(alice: Membership, bob: Membership) -> None:
    item = actions.submit_item(member=bob, data=ItemData(kind=ItemKind.TEXT, body="We are hiring!"))
    with pytest.raises(ContentError, match="Say why"):
        actions.reject_item(member=alice, item=item, reason="   ")
    actions.reject_item(member=alice, item=item, reason="Already shared last week")
    item.refresh_from_db()
    assert item.state == ItemState.REJECTED and item.rejection_reason == "Already shared last week"
    assert not PointsEntry.objects.filter(member=bob).exists()
    with pytest.raises(InvalidTransition, match="Can't publish an item that is rejected"):
        actions.publish_item(member=alice, item=item)
    actions.send_for_review(member=bob, item=item)
    item.refresh_from_db()
    assert item.state == ItemState.PENDING and item.rejection_reason == ""


def test_state_machine(alice: Membership, bob: Membership) -> None:
    item = actions.create_item(member=alice, data=link())
    with pytest.raises(InvalidTransition, match="Can't reject an item that is draft"):
        actions.reject_item(member=alice, item=item, reason="no")
    with pytest.raises(InvalidTransition, match="Only items waiting for review"):
        actions.approve_item(member=alice, item=item)
    actions.publish_item(member=alice, item=item)
    assert item.state == ItemState.PUBLISHED
    with pytest.raises(InvalidTransition, match="Can't publish an item that is published"):
        actions.publish_item(member=alice, item=item)
    actions.archive_item(member=alice, item=item)
    assert Item.objects.get(pk=item.pk).state == ItemState.ARCHIVED
    with pytest.raises(InvalidTransition, match="Can't archive an item that is archived"):
        actions.archive_item(member=alice, item=item)
    with pytest.raises(InvalidTransition):
        actions.publish_item(member=alice, item=item)
    actions.unpublish(member=alice, item=item)
    assert Item.objects.get(pk=item.pk).state == ItemState.DRAFT
    pending = actions.submit_item(member=bob, data=link())
    with pytest.raises(InvalidTransition, match="approve it instead"):
        actions.publish_item(member=alice, item=pending)
    with pytest.raises(InvalidTransition):
        actions.archive_item(member=alice, item=pending)


def test_stale_objects_cannot_skip_the_state_machine(alice: Membership, bob: Membership) -> None:
    item = actions.submit_item(member=bob, data=link())
    stale = Item.objects.get(pk=item.pk)
    actions.reject_item(member=alice, item=item, reason="No")
    with pytest.raises(InvalidTransition):
        actions.approve_item(member=alice, item=stale)  # the row is re-read under lock
    assert not PointsEntry.objects.exists()


def test_employees_cannot_review(bob: Membership, carol: Membership, alice: Membership) -> None:
    item = actions.submit_item(member=bob, data=link())
    for who in (bob, carol):
        with pytest.raises(ContentError, match="Only program admins"):
            actions.approve_item(member=who, item=item)


def test_outsiders_cannot_touch_items(alice: Membership, charlie: Membership, item: Item) -> None:
    with pytest.raises(ContentError, match="does not exist"):
        actions.archive_item(member=charlie, item=item)
    with pytest.raises(ContentError, match="does not exist"):
        actions.update_item(member=charlie, item=item, data=link())


def test_update_keeps_fields_and_resets_preview_on_new_url(alice: Membership, item: Item) -> None:
    item.unfurl_state = UnfurlState.DONE
    item.save()
    actions.update_item(member=alice, item=item, data=link(item.url, title="We launched"))
    assert Item.objects.get(pk=item.pk).unfurl_state == UnfurlState.DONE
    actions.update_item(member=alice, item=item, data=link("https://example.com/other", title="We launched"))
    item.refresh_from_db()
    assert item.unfurl_state == UnfurlState.PENDING and item.url == "https://example.com/other"
    actions.update_item(member=alice, item=item, data=ItemData(kind=ItemKind.TEXT, body="Now text"))
    item.refresh_from_db()
    assert (item.url, item.unfurl_state) == ("", UnfurlState.NOT_NEEDED)


def test_unfurl_is_enqueued_on_commit_only_for_new_urls(
    alice: Membership, item: Item, django_capture_on_commit_callbacks: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from groundswell.content import tasks

    seen: list[str] = []

    def fake_fetch(url: str) -> tasks.Preview:
        seen.append(url)
        return tasks.Preview(title="Fetched", description="From the page")

    monkeypatch.setattr(tasks, "fetch_preview", fake_fetch)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        new = actions.create_item(member=alice, data=link("https://example.com/new"))
        actions.update_item(member=alice, item=item, data=link(item.url))  # unchanged URL
        actions.create_item(member=alice, data=ItemData(kind=ItemKind.TEXT, body="Hi"))
        assert seen == []  # nothing runs before the commit
    assert seen == ["https://example.com/new"]
    new.refresh_from_db()
    assert (new.title, new.unfurl_state) == ("Fetched", UnfurlState.DONE)


def test_topics(alice: Membership, bob: Membership) -> None:
    topic = actions.create_topic(member=alice, name="  Product   news ")
    assert (topic.name, topic.slug) == ("Product news", "product-news")
    with pytest.raises(ContentError, match="already a topic"):
        actions.create_topic(member=alice, name="product NEWS")
    with pytest.raises(ContentError, match="at least one letter"):
        actions.create_topic(member=alice, name="!!!")
    with pytest.raises(ContentError):
        actions.create_topic(member=bob, name="Mine")
