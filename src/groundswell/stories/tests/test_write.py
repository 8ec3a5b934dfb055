"""Writing, editing and deleting a story: Markdown, images in private storage (alt text required), audience,
blocked words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from groundswell.conftest import client_for
from groundswell.content.models import Topic
from groundswell.networks.policy import get_policy
from groundswell.stories.models import Audience, ModerationAction, ModerationEvent, Story, StoryImage, StoryKind
from groundswell.stories.tests.conftest import png
from groundswell.teams.models import Seat, Team
from groundswell.workspaces.models import Department, Membership

pytestmark = pytest.mark.django_db


def _post(client: Client, url: str, **data: object) -> object:
    payload = {"title": "We fixed it", "body_markdown": "It **worked**", "kind": StoryKind.WIN, "audience": "everyone"}
    payload.update({k: v for k, v in data.items()})
    return client.post(url, payload)


def test_write_a_story_with_an_image_and_a_topic(bob: Membership, bob_client: Client) -> None:
    topic = Topic.objects.create(workspace=bob.workspace, name="Customers", slug="customers")
    resp = bob_client.post(
        "/w/acme/stories/new/",
        {
            "title": "The tent that came back",
            "body_markdown": "She sent **a photo** <script>alert(1)</script>",
            "kind": StoryKind.CUSTOMER,
            "audience": Audience.EVERYONE,
            "topics": [topic.pk],
            "image_1": png(),
            "alt_1": "A tent on a summit",
        },
    )
    story = Story.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/w/acme/stories/{story.pk}/"
    assert story.author == bob and story.kind == StoryKind.CUSTOMER and list(story.topics.all()) == [topic]
    image = StoryImage.objects.get(story=story)
    assert image.alt_text == "A tent on a summit"
    assert image.image.path.startswith(str(settings.PRIVATE_MEDIA_ROOT))  # never under /media/
    page = bob_client.get(f"/w/acme/stories/{story.pk}/").content.decode()
    assert "<strong>a photo</strong>" in page and "<script>alert" not in page
    assert f"/w/acme/stories/{story.pk}/images/{image.pk}/" in page and 'alt="A tent on a summit"' in page
    served = bob_client.get(f"/w/acme/stories/{story.pk}/images/{image.pk}/")
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert served["Cache-Control"].startswith("private")


def test_an_image_needs_alt_text_and_a_real_image(bob_client: Client) -> None:
    resp = _post(bob_client, "/w/acme/stories/new/", image_1=png(), alt_1="")
    assert resp.status_code == 200 and "Describe the image" in resp.content.decode()  # type: ignore[attr-defined]
    fake = SimpleUploadedFile("x.png", b"not an image at all", content_type="image/png")
    resp = _post(bob_client, "/w/acme/stories/new/", image_1=fake, alt_1="x")
    assert resp.status_code == 200 and "errorlist" in resp.content.decode()  # type: ignore[attr-defined]
    bmp = png("x.bmp", fmt="BMP")
    resp = _post(bob_client, "/w/acme/stories/new/", image_1=bmp, alt_1="x")
    assert "Upload a JPEG, PNG, GIF or WebP image." in resp.content.decode()  # type: ignore[attr-defined]
    assert not Story.objects.exists()


def test_at_most_four_images(bob: Membership, bob_client: Client, make_story: Callable[..., Story]) -> None:
    story = make_story(bob)
    for n in range(3):
        StoryImage.objects.create(story=story, image=png(f"{n}.png"), alt_text=f"Image {n}", position=n)
    resp = bob_client.post(
        f"/w/acme/stories/{story.pk}/edit/",
        {
            "title": "t",
            "kind": "story",
            "audience": "everyone",
            "image_1": png(),
            "alt_1": "a",
            "image_2": png(),
            "alt_2": "b",
        },
    )
    assert resp.status_code == 200 and "at most 4 images" in resp.content.decode()
    assert story.images.count() == 3


def test_audience_department_and_team_rules(
    bob: Membership, bob_client: Client, alice: Membership, sales: Department
) -> None:
    resp = _post(bob_client, "/w/acme/stories/new/", audience="department")
    assert "Choose the department" in resp.content.decode()  # type: ignore[attr-defined]
    team = Team.objects.create(
        workspace=bob.workspace, name="Ambassadors", term_start="2026-01-01", term_end="2027-01-01"
    )
    # bob does not serve on the team: it is not offered and a forged id is refused
    resp = _post(bob_client, "/w/acme/stories/new/", audience="team", team=team.pk)
    assert resp.status_code == 200 and not Story.objects.exists()  # type: ignore[attr-defined]
    Seat.objects.create(team=team, member=bob, served_from="2026-01-01")
    resp = _post(bob_client, "/w/acme/stories/new/", audience="team", team=team.pk)
    assert resp.status_code == 302  # type: ignore[attr-defined]
    assert Story.objects.get().team == team
    _post(bob_client, "/w/acme/stories/new/", audience="department", department=sales.pk, title="For sales")
    assert Story.objects.get(title="For sales").department == sales


def test_blocked_words_refuse_the_story_and_log_without_the_text(bob: Membership, bob_client: Client) -> None:
    policy = get_policy(bob.workspace)
    policy.blocked_words = "confidential roadmap\nguarantee"
    policy.save()
    resp = _post(bob_client, "/w/acme/stories/new/", body_markdown="Our Confidential  Roadmap for 2027 is secret")
    text = resp.content.decode()  # type: ignore[attr-defined]
    assert (
        resp.status_code == 200 and "“confidential roadmap” is on your workspace&#x27;s list of blocked words" in text
    )
    assert not Story.objects.exists()
    event = ModerationEvent.objects.get()
    assert event.action == ModerationAction.REFUSED and event.actor == bob
    assert "confidential roadmap" in event.reason and "2027" not in event.reason
    # a word inside another word is not a match
    assert _post(bob_client, "/w/acme/stories/new/", body_markdown="We guaranteed nothing").status_code == 302  # type: ignore[attr-defined]


def test_edit_own_story_only(
    bob: Membership, carol: Membership, bob_client: Client, make_story: Callable[..., Story]
) -> None:
    story = make_story(bob)
    resp = _post(bob_client, f"/w/acme/stories/{story.pk}/edit/", title="Better title")
    assert resp.status_code == 302  # type: ignore[attr-defined]
    story.refresh_from_db()
    assert story.title == "Better title" and story.edited_at is not None
    carol_client = client_for(carol)
    assert carol_client.get(f"/w/acme/stories/{story.pk}/edit/").status_code == 404
    assert _post(carol_client, f"/w/acme/stories/{story.pk}/edit/", title="Mine now").status_code == 404  # type: ignore[attr-defined]


def test_remove_an_image_on_edit(
    bob: Membership, bob_client: Client, make_story: Callable[..., Story], django_capture_on_commit_callbacks: Any
) -> None:
    story = make_story(bob)
    image = StoryImage.objects.create(story=story, image=png(), alt_text="Old")
    path = image.image.path
    with django_capture_on_commit_callbacks(execute=True):
        resp = bob_client.post(
            f"/w/acme/stories/{story.pk}/edit/",
            {"title": "t", "kind": "story", "audience": "everyone", f"remove_image_{image.pk}": "on"},
        )
    assert resp.status_code == 302
    assert not StoryImage.objects.exists()
    import os

    assert not os.path.exists(path)


def test_delete_own_story_and_admin_deletes_any_logged(
    bob: Membership, carol: Membership, alice: Membership, bob_client: Client, make_story: Callable[..., Story]
) -> None:
    mine = make_story(bob, title="Mine")
    theirs = make_story(carol, title="Carol's")
    assert bob_client.post(f"/w/acme/stories/{theirs.pk}/delete/").status_code == 404
    assert bob_client.get(f"/w/acme/stories/{mine.pk}/delete/").status_code == 405
    assert bob_client.post(f"/w/acme/stories/{mine.pk}/delete/").status_code == 302
    assert not Story.objects.filter(pk=mine.pk).exists()
    assert not ModerationEvent.objects.exists()  # the author's own deletion is not moderation
    resp = client_for(alice).post(f"/w/acme/stories/{theirs.pk}/delete/", {"reason": "Posted twice"})
    assert resp.status_code == 302 and not Story.objects.filter(pk=theirs.pk).exists()
    event = ModerationEvent.objects.get()
    assert event.action == ModerationAction.DELETED and event.actor == alice
    assert "Carol's" in event.reason and "Posted twice" in event.reason


def test_preview_renders_without_saving(bob_client: Client) -> None:
    resp = _post(bob_client, "/w/acme/stories/new/", action="preview", body_markdown="# Big\n\n*hi*")
    text = resp.content.decode()  # type: ignore[attr-defined]
    assert resp.status_code == 200 and "<em>hi</em>" in text and "<h2>Big</h2>" in text  # type: ignore[attr-defined]
    assert not Story.objects.exists()


def test_write_page_renders_for_a_member(bob_client: Client) -> None:
    resp = bob_client.get("/w/acme/stories/new/")
    text = resp.content.decode()
    assert resp.status_code == 200 and 'enctype="multipart/form-data"' in text
    assert 'name="image_4"' in text and 'name="image_5"' not in text and 'accept="video/*"' in text


def test_describe_a_posted_image_again(bob: Membership, bob_client: Client, make_story: Callable[..., Story]) -> None:
    story = make_story(bob)
    image = StoryImage.objects.create(story=story, image=png(), alt_text="Old words")
    page = bob_client.get(f"/w/acme/stories/{story.pk}/edit/").content.decode()
    assert 'value="Old words"' in page and "Description of posted image 1" in page
    resp = bob_client.post(
        f"/w/acme/stories/{story.pk}/edit/",
        {"title": "t", "kind": "story", "audience": "everyone", f"alt_existing_{image.pk}": "A red tent at dawn"},
    )
    assert resp.status_code == 302
    image.refresh_from_db()
    assert image.alt_text == "A red tent at dawn"


def test_an_image_is_stored_and_served_as_what_it_is_not_as_its_name(bob: Membership, bob_client: Client) -> None:
    """A PNG uploaded as ``x.pdf`` is stored under a random ``.png`` name and served as image/png (never as a
    PDF from the app's own origin)."""
    upload = png()
    upload.name = "../invoice.pdf"
    resp = _post(bob_client, "/w/acme/stories/new/", image_1=upload, alt_1="A chart")
    assert resp.status_code == 302  # type: ignore[attr-defined]
    image = StoryImage.objects.get()
    name = image.image.name or ""
    assert name.endswith(".png") and "invoice" not in name and ".." not in name
    served = bob_client.get(f"/w/acme/stories/{image.story_id}/images/{image.pk}/")
    assert served["Content-Type"] == "image/png"
