"""What the bot tells, through the real hooks: a published item, a routed case, the digest, the tip."""

from __future__ import annotations

import datetime as dt
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from groundswell.chat import notices
from groundswell.chat.models import ChatIdentity, ChatInstallation, ChatMessage, MessageStatus
from groundswell.chat.tests.conftest import link
from groundswell.chat.tests.fake import FakeSlack
from groundswell.conftest import make_member
from groundswell.content.actions import publish_item
from groundswell.content.models import Item, ItemKind, ItemState
from groundswell.workspaces.models import Department, Membership, Workspace

MONDAY = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)  # after the weekly digest's 08:00


def _draft(workspace: Workspace, alice: Membership, **extra: Any) -> Item:
    return Item.objects.create(workspace=workspace, kind=ItemKind.URL, state=ItemState.DRAFT,
                               url="https://example.com/news", title="Big news", description="Read it",
                               created_by=alice, **extra)  # fmt: skip


def test_publishing_an_item_posts_it_to_the_channel_and_to_linked_members(
    slack: FakeSlack,
    installation: ChatInstallation,
    alice: Membership,
    bob: Membership,
    carol: Membership,
    django_capture_on_commit_callbacks: Callable[..., Any],
    workspace: Workspace,
) -> None:
    link(bob, "U0BOB")
    link(carol, "U0CAROL", direct_messages=False)
    draft = _draft(workspace, alice)
    with django_capture_on_commit_callbacks(execute=True):
        publish_item(member=alice, item=draft)
    posts = slack.of("chat.postMessage")
    assert sorted(p.body["channel"] for p in posts) == ["C0NEWS", "D0U0BOB"]  # carol turned DMs off
    channel = next(p for p in posts if p.body["channel"] == "C0NEWS").body
    assert "New to share: Big news" in channel["text"]
    [actions] = [b for b in channel["blocks"] if b["type"] == "actions"]
    assert actions["elements"][0]["action_id"] == f"share_buttons:{draft.pk}"
    dm = next(p for p in posts if p.body["channel"] == "D0U0BOB").body
    dm_urls = [e.get("url", "") for b in dm["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert dm_urls and all("/chat/go/" in u for u in dm_urls)
    assert set(ChatMessage.objects.values_list("key", "status")) == {(f"item:{draft.pk}", MessageStatus.SENT)}
    # Announcing again (a rerun of the task) sends nothing more.
    assert notices.announce_item(draft.pk) == 0
    assert len(slack.of("chat.postMessage")) == 2


def test_a_targeted_item_goes_to_its_audience_only_never_to_the_channel(
    slack: FakeSlack,
    installation: ChatInstallation,
    alice: Membership,
    bob: Membership,
    workspace: Workspace,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    link(bob, "U0BOB")
    legal = Department.objects.create(workspace=workspace, name="Legal")
    outsider = make_member(workspace, "dan@acme.test", department=legal)
    link(outsider, "U0DAN")
    draft = _draft(workspace, alice)
    draft.target_departments.add(bob.department)  # Sales: bob, not Legal
    with django_capture_on_commit_callbacks(execute=True):
        publish_item(member=alice, item=draft)
    # Everyone reads the channel: an item the app shows to Sales only is not posted there.
    assert [p.body["channel"] for p in slack.of("chat.postMessage")] == ["D0U0BOB"]


def test_an_item_is_not_posted_when_the_admin_turned_it_off(
    slack: FakeSlack, installation: ChatInstallation, alice: Membership, bob_slack: ChatIdentity, workspace: Workspace,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:  # fmt: skip
    ChatInstallation.objects.filter(pk=installation.pk).update(announce_items=False)
    with django_capture_on_commit_callbacks(execute=True):
        publish_item(member=alice, item=_draft(workspace, alice))
    assert slack.calls == []


def test_an_item_scheduled_for_later_is_posted_when_it_starts(
    slack: FakeSlack, installation: ChatInstallation, alice: Membership, workspace: Workspace,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:  # fmt: skip
    from groundswell.content.actions import announce_started_items

    later = timezone.now() + dt.timedelta(hours=2)
    draft = _draft(workspace, alice, starts_at=later)
    with django_capture_on_commit_callbacks(execute=True):
        publish_item(member=alice, item=draft)
    assert slack.calls == []  # not live yet: nobody is told
    with (
        time_machine.travel(later + dt.timedelta(minutes=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert announce_started_items() == 1
    [post] = slack.of("chat.postMessage")
    assert post.body["channel"] == "C0NEWS" and "Big news" in post.body["text"]


def test_an_item_live_when_the_task_runs_is_posted(
    slack: FakeSlack, installation: ChatInstallation, item: Item
) -> None:
    assert notices.announce_item(item.pk) == 1
    assert slack.of("chat.postMessage")[0].body["channel"] == "C0NEWS"


# --- care ----------------------------------------------------------------------------------------------


def test_a_case_routed_to_a_linked_member_arrives_with_acknowledge(
    slack: FakeSlack, installation: ChatInstallation, bob: Membership, bob_slack: ChatIdentity, workspace: Workspace,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:  # fmt: skip
    from groundswell.care import actions as care
    from groundswell.care.tests.conftest import make_post, volunteer
    from groundswell.listening.models import Source, SourceKind, Topic, TopicKind

    volunteer(bob)
    brand = Topic.objects.create(workspace=workspace, name="Northwind", kind=TopicKind.BRAND, query="northwind")
    source = Source.objects.create(workspace=workspace, kind=SourceKind.MASTODON, name="Mastodon search")
    _, mentions = make_post(source, [brand], text="Is the Northwind tent waterproof?")
    with django_capture_on_commit_callbacks(execute=True):
        [case] = care.open_cases_for(mentions, now=timezone.now())
    assert case.assignee_id == bob.pk
    [dm] = slack.of("chat.postMessage")
    assert dm.body["channel"] == "D0U0BOB"
    assert "waterproof" in dm.body["text"]
    [actions] = [b for b in dm.body["blocks"] if b["type"] == "actions"]
    assert actions["elements"][0]["action_id"] == f"ack_case:{case.pk}"
    assert ChatMessage.objects.get().key == f"case:{case.pk}"
    # Acknowledging from Slack marks it.
    from groundswell.chat.handlers import acknowledge_case

    assert acknowledge_case(bob_slack, case.pk).startswith("Thanks")
    assert ChatMessage.objects.get().acted_at is not None


def test_a_case_is_told_once(slack: FakeSlack, installation: ChatInstallation, bob: Membership,
                             bob_slack: ChatIdentity) -> None:  # fmt: skip
    from groundswell.care.models import Case, CaseStatus
    from groundswell.listening.models import Intent, Post, Source, SourceKind

    source = Source.objects.create(workspace=bob.workspace, kind=SourceKind.MASTODON, name="m")
    post = Post.objects.create(workspace=bob.workspace, source=source, external_id="e", text="Help?",
                               published_at=timezone.now(), content_hash="2" * 64)  # fmt: skip
    case = Case.objects.create(workspace=bob.workspace, post=post, intent=Intent.QUESTION,
                               status=CaseStatus.ASSIGNED, assignee=bob)  # fmt: skip
    assert notices.tell_case_routed(case.pk, bob.pk) is True
    assert notices.tell_case_routed(case.pk, bob.pk) is False
    assert notices.tell_case_routed(case.pk, 999999) is False  # not the assignee
    assert len(slack.of("chat.postMessage")) == 1


# --- the digest ----------------------------------------------------------------------------------------


def test_the_weekly_digest_goes_to_linked_members_once_per_period(
    slack: FakeSlack, installation: ChatInstallation, bob_slack: ChatIdentity, carol: Membership, item: Item
) -> None:
    link(carol, "U0CAROL")
    Item.objects.filter(pk=item.pk).update(published_at=MONDAY - dt.timedelta(days=2))
    assert notices.send_digests(MONDAY) == 2
    posts = slack.of("chat.postMessage")
    assert sorted(p.body["channel"] for p in posts) == ["D0U0BOB", "D0U0CAROL"]
    assert "New to share" in posts[0].body["text"] and "We launched" in posts[0].body["text"]
    assert set(ChatMessage.objects.values_list("key", flat=True)) == {"digest:w2026-12-07"}
    assert notices.send_digests(MONDAY + dt.timedelta(hours=3)) == 0  # same period
    assert len(slack.of("chat.postMessage")) == 2


def test_no_digest_without_news_or_when_turned_off(
    slack: FakeSlack, installation: ChatInstallation, bob_slack: ChatIdentity, item: Item
) -> None:
    Item.objects.filter(pk=item.pk).update(published_at=MONDAY - dt.timedelta(days=30))
    assert notices.send_digests(MONDAY) == 0
    Item.objects.filter(pk=item.pk).update(published_at=MONDAY - dt.timedelta(days=1))
    ChatInstallation.objects.filter(pk=installation.pk).update(send_digest=False)
    assert notices.send_digests(MONDAY) == 0
    assert slack.calls == []


# --- the tip of the week -------------------------------------------------------------------------------


@dataclass
class _Tip:
    title: str
    text: str
    url: str


def test_without_the_learning_tips_module_the_tip_job_does_nothing(
    slack: FakeSlack, installation: ChatInstallation, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    monkeypatch.setitem(sys.modules, "groundswell.learning.tips", None)  # import fails
    assert notices.send_tips(MONDAY) == 0
    assert slack.calls == [] and "tip_for_week is not available" in caplog.text


def test_the_tip_of_the_week_goes_to_the_channel_once_a_week(
    slack: FakeSlack, installation: ChatInstallation, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[int, dt.date]] = []

    def tip_for_week(workspace: Workspace, day: dt.date) -> _Tip:
        asked.append((workspace.pk, day))
        return _Tip("Add a personal line", "Posts with your own words get more clicks.", "https://x.test/tip")

    module = types.ModuleType("groundswell.learning.tips")
    vars(module)["tip_for_week"] = tip_for_week
    monkeypatch.setitem(sys.modules, "groundswell.learning.tips", module)
    assert notices.send_tips(MONDAY) == 1
    assert notices.send_tips(MONDAY + dt.timedelta(days=3)) == 0  # same ISO week
    assert asked == [(installation.workspace_id, MONDAY.date())]
    [post] = slack.of("chat.postMessage")
    assert post.body["channel"] == "C0NEWS" and "Tip of the week: Add a personal line" in post.body["text"]
    assert ChatMessage.objects.get().key == "tip:2026-W50"
    assert notices.send_tips(MONDAY + dt.timedelta(days=7)) == 1
