from __future__ import annotations

import datetime as dt

import pytest

from groundswell.demo.generator import build_demo
from groundswell.learning.models import Lesson, LessonCompletion
from groundswell.learning.queries import lessons_with_status
from groundswell.learning.starter import STARTER_TRACKS
from groundswell.rewards.models import Action, PointsEntry
from groundswell.updates.models import Update

NOW = dt.datetime(2026, 5, 20, 15, 30, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_demo_has_updates_and_lessons_with_completions() -> None:
    ws = build_demo(seed=3, employees=40, days=90, now=NOW).workspace
    updates = list(Update.objects.filter(workspace=ws).order_by("posted_at"))
    assert len(updates) == 5 and all(NOW - dt.timedelta(days=91) < u.posted_at <= NOW for u in updates)
    assert Update.objects.filter(workspace=ws, pinned=True).count() == 1
    linked = [u for u in updates if u.goal_id]
    assert linked and all(u.goal_value_at_post is not None for u in linked)
    # The seven starter lessons, and the second starter track's ("Telling our stories": demo/learning.py).
    assert Lesson.objects.filter(workspace=ws).count() == 7 + len(STARTER_TRACKS["stories"].lessons)
    completions = LessonCompletion.objects.filter(workspace=ws)
    assert completions.count() > 20 and not completions.filter(completed_at__gt=NOW).exists()
    assert PointsEntry.objects.filter(workspace=ws, action=Action.LESSON).count() >= completions.count() * 0.8
    member = completions.first().member  # type: ignore[union-attr]
    released = [s for s in lessons_with_status(member, NOW.date()) if s.released]
    assert 1 <= len(released) < 7  # one a week: the last lesson is still to come
