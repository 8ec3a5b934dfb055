"""Where stories meet videos and harvesting: a story's video is watched only by the story's readers and goes
outside only through harvesting (with consent); the author gives or withdraws consent on the story's page, and
an admin sees "Turn into an item to share" there once they have."""

from __future__ import annotations

import pytest
from django.test import Client

from groundswell.conftest import client_for, make_member
from groundswell.content.forms import ItemForm
from groundswell.stories.models import Audience, Story
from groundswell.videos.access import can_watch
from groundswell.videos.models import Video
from groundswell.workspaces.models import Department, Membership, Role

pytestmark = pytest.mark.django_db


def _video(member: Membership, title: str = "Clip") -> Video:
    return Video.objects.create(workspace=member.workspace, uploaded_by=member, title=title, state="ready")


def test_a_department_storys_video_is_for_its_readers_only(
    alice: Membership, bob: Membership, carol: Membership, sales: Department
) -> None:
    marketing = Department.objects.create(workspace=bob.workspace, name="Marketing")
    dave = make_member(bob.workspace, "dave@acme.test", Role.EMPLOYEE, department=marketing)
    clip = _video(bob)
    Story.objects.create(
        workspace=bob.workspace, author=bob, title="Sales only", audience=Audience.DEPARTMENT, department=sales,
        video=clip,
    )  # fmt: skip
    assert can_watch(carol, clip)  # sales, like the story
    assert can_watch(alice, clip)  # an admin
    assert not can_watch(dave, clip)  # marketing: the story is not for them, nor is its video
    assert client_for(dave).get(f"/w/acme/videos/{clip.pk}/").status_code == 404
    # A video in no story is not the stories rule's business: every member may watch it.
    library = _video(alice, "Library")
    assert can_watch(dave, library)


def test_the_item_form_does_not_offer_a_storys_video(alice: Membership, bob: Membership) -> None:
    in_story, library = _video(bob, "From a story"), _video(alice, "Library")
    Story.objects.create(workspace=bob.workspace, author=bob, title="Mine", video=in_story)
    offered = set(ItemForm(workspace=alice.workspace).fields["video"].queryset)  # type: ignore[attr-defined]
    assert library in offered and in_story not in offered


def test_author_gives_and_withdraws_consent_on_the_storys_page(
    alice: Membership, bob: Membership, bob_client: Client
) -> None:
    story = Story.objects.create(workspace=bob.workspace, author=bob, title="The Lisbon launch", body_markdown="Hi")
    page = bob_client.get(f"/w/acme/stories/{story.pk}/").content.decode()
    assert "Sharing it outside" in page and "Nothing leaves the company without your yes" in page
    admin_page = client_for(alice).get(f"/w/acme/stories/{story.pk}/").content.decode()
    assert "The author has not agreed" in admin_page and "Turn into an item to share" not in admin_page

    response = bob_client.post(f"/w/acme/stories/prompts/story/{story.pk}/consent/", {"consent": "1", "back": "story"})
    assert response.status_code == 302 and response["Location"] == f"/w/acme/stories/{story.pk}/"
    story.refresh_from_db()
    assert story.share_consent and story.share_consent_at is not None
    admin_page = client_for(alice).get(f"/w/acme/stories/{story.pk}/").content.decode()
    assert f"/w/acme/stories/prompts/story/{story.pk}/harvest/" in admin_page

    bob_client.post(f"/w/acme/stories/prompts/story/{story.pk}/consent/", {"consent": "0", "back": "story"})
    story.refresh_from_db()
    assert not story.share_consent
    # Only the author decides.
    assert (
        client_for(alice).post(f"/w/acme/stories/prompts/story/{story.pk}/consent/", {"consent": "1"}).status_code
        == 404
    )


def test_a_video_that_leaves_its_story_goes_too(bob: Membership, bob_client: Client) -> None:
    """Left behind, a story's video would be no story's, and so every member's to watch."""
    kept, replaced = _video(bob, "Kept"), _video(bob, "Replaced")
    story = Story.objects.create(workspace=bob.workspace, author=bob, title="Mine", body_markdown="x", video=replaced)
    response = bob_client.post(
        f"/w/acme/stories/{story.pk}/edit/",
        {"title": "Mine", "body_markdown": "x", "kind": "story", "audience": "everyone", "remove_video": "on",
         "action": "save"},
    )  # fmt: skip
    assert response.status_code == 302
    assert not Video.objects.filter(pk=replaced.pk).exists()
    Story.objects.filter(pk=story.pk).update(video=kept)
    assert bob_client.post(f"/w/acme/stories/{story.pk}/delete/").status_code == 302
    assert not Video.objects.filter(pk=kept.pk).exists()
