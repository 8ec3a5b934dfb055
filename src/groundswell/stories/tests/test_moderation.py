"""Reports (once per member), the admins' moderation page, hide with a reason, restore, dismiss, and the
append-only log."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from groundswell.conftest import client_for
from groundswell.stories.models import (
    ModerationAction,
    ModerationEvent,
    Story,
    StoryComment,
    StoryReport,
    Visibility,
)
from groundswell.workspaces.models import Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(dave: Membership, make_story: Callable[..., Story]) -> Story:
    return make_story(dave, "A story someone dislikes")


def test_report_a_story_once(bob: Membership, bob_client: Client, story: Story) -> None:
    url = f"/w/acme/stories/{story.pk}/report/"
    assert bob_client.get(url).status_code == 200
    resp = bob_client.post(url, {"reason": "confidential", "note": "Names a client"}, follow=True)
    assert "Thank you" in resp.content.decode()
    report = StoryReport.objects.get()
    assert report.reporter == bob and report.comment is None and report.note == "Names a client"
    again = bob_client.post(url, {"reason": "spam"}, follow=True)
    assert "already reported" in again.content.decode() and StoryReport.objects.count() == 1
    assert "You reported this story." in bob_client.get(f"/w/acme/stories/{story.pk}/").content.decode()
    assert bob_client.post(url, {"reason": "bogus"}).status_code == 200  # a form error, not a 500
    assert StoryReport.objects.count() == 1


def test_report_a_comment(bob: Membership, carol: Membership, bob_client: Client, story: Story) -> None:
    comment = StoryComment.objects.create(workspace=story.workspace, story=story, author=carol, body="Hmm")
    resp = bob_client.post(f"/w/acme/stories/comments/{comment.pk}/report/", {"reason": "disrespectful"})
    assert resp.status_code == 302
    assert StoryReport.objects.get().comment == comment
    bob_client.post(f"/w/acme/stories/{story.pk}/report/", {"reason": "other"})  # the story is a separate report
    assert StoryReport.objects.count() == 2


def test_moderation_page_is_for_admins(alice: Membership, bob: Membership, bob_client: Client, story: Story) -> None:
    StoryReport.objects.create(workspace=story.workspace, story=story, reporter=bob, reason="spam", note="ads")
    assert bob_client.get("/w/acme/stories/moderation/").status_code == 404
    page = client_for(alice).get("/w/acme/stories/moderation/").content.decode()
    assert "Open reports (1)" in page and "A story someone dislikes" in page and "ads" in page


def test_hide_restore_story(
    alice: Membership, bob: Membership, dave: Membership, bob_client: Client, story: Story
) -> None:
    StoryReport.objects.create(workspace=story.workspace, story=story, reporter=bob, reason="spam")
    admin = client_for(alice)
    assert bob_client.post(f"/w/acme/stories/{story.pk}/hide/", {"reason": "x"}).status_code == 404
    resp = admin.post(f"/w/acme/stories/{story.pk}/hide/", {"reason": "", "back": "moderation"}, follow=True)
    assert "Say why it is hidden" in resp.content.decode()
    story.refresh_from_db()
    assert story.visibility == Visibility.PUBLISHED
    admin.post(f"/w/acme/stories/{story.pk}/hide/", {"reason": "Names a customer", "back": "moderation"})
    story.refresh_from_db()
    assert story.visibility == Visibility.HIDDEN and story.hidden_by == alice
    assert StoryReport.objects.get().resolved_by == alice  # the report is closed
    assert "A story someone dislikes" not in bob_client.get("/w/acme/stories/").content.decode()
    assert bob_client.get(f"/w/acme/stories/{story.pk}/").status_code == 404
    author_page = client_for(dave).get(f"/w/acme/stories/{story.pk}/").content.decode()
    assert "Hidden by a moderator:</strong> Names a customer" in author_page
    admin.post(f"/w/acme/stories/{story.pk}/restore/")
    assert bob_client.get(f"/w/acme/stories/{story.pk}/").status_code == 200
    actions = list(ModerationEvent.objects.order_by("pk").values_list("action", flat=True))
    assert actions == [ModerationAction.HIDDEN, ModerationAction.RESTORED]


def test_hide_comment_author_sees_the_reason(
    alice: Membership, bob: Membership, carol: Membership, bob_client: Client, story: Story
) -> None:
    comment = StoryComment.objects.create(workspace=story.workspace, story=story, author=carol, body="Nasty remark")
    client_for(alice).post(f"/w/acme/stories/comments/{comment.pk}/hide/", {"reason": "Not kind"})
    assert "Nasty remark" not in bob_client.get(f"/w/acme/stories/{story.pk}/").content.decode()
    assert bob_client.get(f"/w/acme/stories/comments/{comment.pk}/report/").status_code == 404
    carol_page = client_for(carol).get(f"/w/acme/stories/{story.pk}/").content.decode()
    assert "Nasty remark" in carol_page and "Hidden by a moderator: Not kind" in carol_page
    assert "0 comments" in bob_client.get("/w/acme/stories/").content.decode()
    client_for(alice).post(f"/w/acme/stories/comments/{comment.pk}/restore/")
    assert "Nasty remark" in bob_client.get(f"/w/acme/stories/{story.pk}/").content.decode()


def test_dismiss_closes_the_reports(alice: Membership, bob: Membership, carol: Membership, story: Story) -> None:
    first = StoryReport.objects.create(workspace=story.workspace, story=story, reporter=bob, reason="spam")
    StoryReport.objects.create(workspace=story.workspace, story=story, reporter=carol, reason="wrong")
    admin = client_for(alice)
    assert admin.post(f"/w/acme/stories/reports/{first.pk}/dismiss/").status_code == 302
    assert not StoryReport.objects.filter(resolved_at__isnull=True).exists()
    story.refresh_from_db()
    assert story.visibility == Visibility.PUBLISHED
    assert ModerationEvent.objects.get().action == ModerationAction.DISMISSED
    page = admin.get("/w/acme/stories/moderation/").content.decode()
    assert "No open reports" in page and "Report dismissed" in page


def test_log_is_append_only(alice: Membership, story: Story) -> None:
    event = ModerationEvent.objects.create(workspace=story.workspace, actor=alice, action=ModerationAction.HIDDEN)
    event.reason = "changed"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
