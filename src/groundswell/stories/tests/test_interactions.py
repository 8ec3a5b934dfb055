"""Reactions (one per member, toggled), comments (add, edit and delete own; admins delete any), blocked words."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from groundswell.conftest import client_for
from groundswell.networks.policy import get_policy
from groundswell.stories.models import ModerationAction, ModerationEvent, Story, StoryComment, StoryReaction
from groundswell.workspaces.models import Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(dave: Membership, make_story: Callable[..., Story]) -> Story:
    return make_story(dave, "Forty prototypes")


def test_react_toggle_and_replace(bob: Membership, bob_client: Client, story: Story) -> None:
    url = f"/w/acme/stories/{story.pk}/react/"
    assert bob_client.post(url, {"reaction": "like"}).status_code == 302
    assert list(StoryReaction.objects.values_list("reaction", flat=True)) == ["like"]
    bob_client.post(url, {"reaction": "celebrate"})  # another reaction replaces it
    assert list(StoryReaction.objects.values_list("reaction", flat=True)) == ["celebrate"]
    bob_client.post(url, {"reaction": "celebrate"})  # the same again takes it back
    assert not StoryReaction.objects.exists()
    resp = bob_client.post(url, {"reaction": "angry"})
    assert resp.status_code == 302 and not StoryReaction.objects.exists()
    assert bob_client.get(url).status_code == 405


def test_counts_and_who_reacted(
    bob: Membership, carol: Membership, alice: Membership, bob_client: Client, story: Story
) -> None:
    for member, reaction in ((bob, "like"), (carol, "like"), (alice, "love")):
        StoryReaction.objects.create(workspace=story.workspace, story=story, member=member, reaction=reaction)
    page = bob_client.get(f"/w/acme/stories/{story.pk}/").content.decode()
    assert 'aria-pressed="true" data-reaction="like"' in page
    assert "<strong>Like:</strong> Bob, Carol" in page and "<strong>Love:</strong> Alice" in page
    feed = bob_client.get("/w/acme/stories/").content.decode()
    assert "3 reactions" in feed and 'title="Like 2, Love 1"' in feed


def test_comments_add_edit_delete(bob: Membership, carol: Membership, bob_client: Client, story: Story) -> None:
    resp = bob_client.post(f"/w/acme/stories/{story.pk}/comments/", {"body": "Brilliant work"})
    comment = StoryComment.objects.get()
    assert resp.status_code == 302 and resp["Location"].endswith(f"#comment-{comment.pk}")
    assert comment.author == bob
    assert "1 comment" in bob_client.get("/w/acme/stories/").content.decode()
    carol_client = client_for(carol)
    assert carol_client.get(f"/w/acme/stories/comments/{comment.pk}/edit/").status_code == 404
    assert carol_client.post(f"/w/acme/stories/comments/{comment.pk}/delete/").status_code == 404
    assert bob_client.post(f"/w/acme/stories/comments/{comment.pk}/edit/", {"body": "Brilliant!"}).status_code == 302
    comment.refresh_from_db()
    assert comment.body == "Brilliant!" and comment.edited_at is not None
    assert bob_client.post(f"/w/acme/stories/comments/{comment.pk}/delete/").status_code == 302
    assert not StoryComment.objects.exists()


def test_empty_comment_gets_a_message(bob_client: Client, story: Story) -> None:
    resp = bob_client.post(f"/w/acme/stories/{story.pk}/comments/", {"body": "   "}, follow=True)
    assert resp.status_code == 200 and not StoryComment.objects.exists()
    assert "This field is required." in resp.content.decode()


def test_admin_deletes_any_comment_logged(alice: Membership, bob: Membership, story: Story) -> None:
    comment = StoryComment.objects.create(workspace=story.workspace, story=story, author=bob, body="Rude")
    assert client_for(alice).post(f"/w/acme/stories/comments/{comment.pk}/delete/").status_code == 302
    assert not StoryComment.objects.exists()
    event = ModerationEvent.objects.get()
    assert event.action == ModerationAction.DELETED and event.actor == alice and "Bob" in event.reason


def test_blocked_words_refuse_a_comment(bob: Membership, bob_client: Client, story: Story) -> None:
    policy = get_policy(bob.workspace)
    policy.blocked_words = "idiot"
    policy.save()
    resp = bob_client.post(f"/w/acme/stories/{story.pk}/comments/", {"body": "What an IDIOT."}, follow=True)
    assert "“idiot” is on your workspace" in resp.content.decode()
    assert not StoryComment.objects.exists()
    assert ModerationEvent.objects.get().action == ModerationAction.REFUSED
    comment = StoryComment.objects.create(workspace=story.workspace, story=story, author=bob, body="Fine")
    resp = bob_client.post(f"/w/acme/stories/comments/{comment.pk}/edit/", {"body": "idiot"})
    assert resp.status_code == 200 and "blocked words" in resp.content.decode()
    comment.refresh_from_db()
    assert comment.body == "Fine"
