"""Small builders shared by the lessons tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from groundswell.learning.actions import create_lesson, create_track
from groundswell.learning.drafts import LessonDraft, QuestionDraft, TrackDraft
from groundswell.learning.models import Lesson, LessonTrack
from groundswell.workspaces.models import Membership, Workspace


def today() -> dt.date:
    return timezone.now().date()


def question(text: str, right: int = 0, n: int = 3) -> QuestionDraft:
    return QuestionDraft(text, tuple(f"{text} answer {i}" for i in range(n)), right, f"Because of {text}.")


def make_track(
    workspace: Workspace,
    title: str = "Track",
    *,
    days_ago: int = 30,
    interval: int = 1,
    departments: tuple[int, ...] = (),
    roles: tuple[str, ...] = (),
) -> LessonTrack:
    return create_track(
        workspace=workspace,
        draft=TrackDraft(title, department_ids=departments, roles=roles),
        starts_on=today() - dt.timedelta(days=days_ago),
        interval_days=interval,
    )


def make_lesson(
    track: LessonTrack,
    title: str = "Lesson",
    questions: tuple[QuestionDraft, ...] = (),
    author: Membership | None = None,
    pass_percent: int = 100,
) -> Lesson:
    return create_lesson(
        workspace=track.workspace,
        author=author,
        draft=LessonDraft(title, f"Text of {title}.", questions, pass_percent),
        track=track,
    )


def management(total: int, initial: int = 0) -> dict[str, int]:
    return {"q-TOTAL_FORMS": total, "q-INITIAL_FORMS": initial, "q-MIN_NUM_FORMS": 0, "q-MAX_NUM_FORMS": 10}
