"""Read queries for lessons: the track with release and completion status, counts for admins."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count

from groundswell.learning.models import Lesson, LessonCompletion, LessonTrack
from groundswell.workspaces.models import Membership, Workspace


@dataclass(frozen=True)
class LessonStatus:
    lesson: Lesson
    number: int  # 1-based place in the track
    release_day: dt.date | None
    released: bool
    completed: bool


def track_of(workspace: Workspace | int) -> LessonTrack | None:
    ws_id = workspace if isinstance(workspace, int) else workspace.pk
    return LessonTrack.objects.filter(workspace_id=ws_id).first()


def lessons_with_status(member: Membership, today: dt.date) -> list[LessonStatus]:
    """Every lesson of the member's workspace, in track order, with its release day and whether the member
    completed it (three queries whatever the number of lessons)."""
    track = track_of(member.workspace_id)
    lessons = list(Lesson.objects.filter(workspace_id=member.workspace_id).order_by("position", "pk"))
    done = set(LessonCompletion.objects.filter(member=member).values_list("lesson_id", flat=True))
    released = track.released_count(today) if track else 0
    return [
        LessonStatus(
            lesson=lesson,
            number=i + 1,
            release_day=track.release_day(i) if track else None,
            released=i < released,
            completed=lesson.pk in done,
        )
        for i, lesson in enumerate(lessons)
    ]


def status_of(member: Membership, lesson: Lesson, today: dt.date) -> LessonStatus:
    return next(s for s in lessons_with_status(member, today) if s.lesson.pk == lesson.pk)


def next_lesson(member: Membership, today: dt.date) -> LessonStatus | None:
    """The first released lesson the member has not completed yet."""
    return next((s for s in lessons_with_status(member, today) if s.released and not s.completed), None)


def completion_counts(workspace: Workspace) -> dict[int, int]:
    """Completions per lesson (aggregate only: no names)."""
    rows = (
        LessonCompletion.objects.filter(workspace=workspace, member__is_active=True)
        .values("lesson_id")
        .annotate(n=Count("pk"))
    )
    return {row["lesson_id"]: row["n"] for row in rows}
