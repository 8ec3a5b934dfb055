"""The demo company's stories: ten of them, with reactions and comments, visible in the feed of its employee."""

from __future__ import annotations

import pytest
from django.test import Client

from groundswell.demo import data
from groundswell.demo.generator import DEMO_PASSWORD
from groundswell.demo.tests.test_demo import small_demo
from groundswell.stories.models import (
    Audience,
    ModerationAction,
    ModerationEvent,
    Story,
    StoryComment,
    StoryReaction,
    Visibility,
)
from groundswell.stories.queries import visible_stories
from groundswell.workspaces.models import Membership


@pytest.mark.django_db
def test_demo_has_stories_with_reactions_and_comments() -> None:
    ws = small_demo().workspace
    # Ten stories of their own (the calls for stories add their answers: demo/prompts.py).
    stories = Story.objects.filter(workspace=ws, prompt__isnull=True)
    assert stories.count() == 10
    assert StoryReaction.objects.filter(story__workspace=ws).count() >= 40
    assert StoryComment.objects.filter(story__workspace=ws).exists()
    assert stories.filter(audience=Audience.DEPARTMENT).count() == 1
    assert StoryComment.objects.filter(story__workspace=ws, visibility=Visibility.HIDDEN).count() == 1
    assert ModerationEvent.objects.filter(workspace=ws, action=ModerationAction.HIDDEN).count() == 1
    sam = Membership.objects.get(workspace=ws, user__email__startswith=data.EMPLOYEE[1] + "@")
    client = Client()
    assert client.login(username=sam.user.username, password=DEMO_PASSWORD)
    feed = client.get(f"/w/{ws.slug}/stories/").content.decode()
    newest = visible_stories(sam).order_by("-created_at").first()
    assert newest is not None and newest.title.replace("'", "&#x27;") in feed
