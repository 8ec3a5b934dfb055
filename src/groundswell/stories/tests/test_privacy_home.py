"""The privacy provider (inventory, export, erase: reports kept without the name) and the home panel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from groundswell.conftest import client_for
from groundswell.privacy.registry import providers
from groundswell.stories.models import (
    ModerationAction,
    ModerationEvent,
    Story,
    StoryComment,
    StoryImage,
    StoryReaction,
    StoryReport,
    Visibility,
)
from groundswell.stories.privacy import StoriesPrivacy
from groundswell.stories.tests.conftest import png
from groundswell.workspaces.models import Membership

pytestmark = pytest.mark.django_db


def test_provider_is_registered_and_inventory_counts(
    bob: Membership, dave: Membership, make_story: Callable[..., Story]
) -> None:
    assert any(isinstance(p, StoriesPrivacy) for p in providers())
    story = make_story(bob)
    other = make_story(dave)
    StoryComment.objects.create(workspace=bob.workspace, story=other, author=bob, body="Nice")
    StoryReaction.objects.create(workspace=bob.workspace, story=other, member=bob, reaction="like")
    StoryReport.objects.create(workspace=bob.workspace, story=other, reporter=bob, reason="spam")
    counts = {line.what: line.count for line in StoriesPrivacy().inventory(bob)}
    assert list(counts.values()) == [1, 1, 1, 1, 0]
    exported = StoriesPrivacy().export(bob)
    assert exported["stories"][0]["title"] == story.title
    assert exported["comments"][0]["body"] == "Nice" and exported["reports"][0]["reason"] == "spam"


def test_erase_deletes_writing_and_keeps_reports_anonymised(
    alice: Membership,
    bob: Membership,
    dave: Membership,
    make_story: Callable[..., Story],
    django_capture_on_commit_callbacks: Any,
) -> None:
    mine = make_story(bob)
    image = StoryImage.objects.create(story=mine, image=png(), alt_text="x")
    path = image.image.path
    other = make_story(dave)
    StoryComment.objects.create(workspace=bob.workspace, story=other, author=bob, body="Nice")
    StoryReaction.objects.create(workspace=bob.workspace, story=other, member=bob, reaction="like")
    StoryReport.objects.create(workspace=bob.workspace, story=other, reporter=bob, reason="spam", note="n")
    ModerationEvent.objects.create(workspace=bob.workspace, actor=alice, story=other, action=ModerationAction.HIDDEN)
    with django_capture_on_commit_callbacks(execute=True):
        result = StoriesPrivacy().erase(bob)
    assert result.erased == 5  # story (and its image), comment, reaction deleted; the report anonymised
    assert not Story.objects.filter(author=bob).exists() and Story.objects.filter(pk=other.pk).exists()
    assert not StoryComment.objects.exists() and not StoryReaction.objects.exists()
    report = StoryReport.objects.get()
    assert report.reporter is None and report.reason == "spam"
    assert result.kept and "without your name" in result.kept[0]
    import os

    assert not os.path.exists(path)
    StoriesPrivacy().erase(alice)
    assert ModerationEvent.objects.get().actor is None


def test_privacy_centre_lists_stories(bob_client: Client) -> None:
    text = bob_client.get("/w/acme/privacy/").content.decode()
    assert "Stories you wrote (text, images, video, who it is for)" in text


def test_home_panel(alice: Membership, bob: Membership, dave: Membership, make_story: Callable[..., Story]) -> None:
    empty = client_for(bob).get("/w/acme/").content.decode()
    assert "From your colleagues" in empty and "Write the first story" in empty
    now = timezone.now()
    for n in range(4):
        make_story(dave, f"Dave story {n}", created_at=now - dt.timedelta(hours=n + 1))
    make_story(dave, "Hidden story", visibility=Visibility.HIDDEN, hidden_reason="x")
    mine = make_story(bob, "Bob's own story")
    StoryComment.objects.create(workspace=bob.workspace, story=mine, author=dave, body="Great read, Bob")
    StoryReport.objects.create(workspace=bob.workspace, story=mine, reporter=dave, reason="spam")
    page = client_for(bob).get("/w/acme/").content.decode()
    assert "Dave story 0" in page and "Dave story 2" in page and "Dave story 3" not in page  # the latest 3
    assert "Hidden story" not in page and "Bob&#x27;s own story</a>: Great read, Bob" in page
    assert "waiting for a moderator" not in page
    admin = client_for(alice).get("/w/acme/").content.decode()
    assert "1 report waiting for a moderator" in admin
