"""The demo's calls for stories (demo/prompts.py): an open call with answers, one harvested and credited."""

from __future__ import annotations

import datetime as dt

import pytest

from groundswell.demo.generator import build_demo
from groundswell.rewards.models import PointsEntry
from groundswell.stories.models import ModerationAction, ModerationEvent, Story, StoryPrompt

NOW = dt.datetime(2026, 5, 20, 15, 30, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_demo_has_calls_for_stories_and_a_harvested_story() -> None:
    ws = build_demo(seed=3, employees=40, days=30, now=NOW).workspace
    prompts = {p.title: p for p in StoryPrompt.objects.filter(workspace=ws)}
    assert len(prompts) == 3
    month = prompts["The customer you helped this month"]
    assert month.closed_at is None and Story.objects.filter(prompt=month).count() == 4
    assert prompts["Behind the scenes of the spring catalogue"].closed_at is not None
    harvested = Story.objects.get(workspace=ws, item__isnull=False)
    assert harvested.item is not None and harvested.item.submitted_by == harvested.author
    assert harvested.item.description.startswith(f"Story by {harvested.author.display_name}")
    assert PointsEntry.objects.filter(key=f"story:{harvested.pk}", member=harvested.author).count() == 1
    assert ModerationEvent.objects.filter(story=harvested, action=ModerationAction.HARVESTED).exists()
