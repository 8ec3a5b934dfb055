"""The write layer for lessons: writing them, scheduling the track, and completing a lesson (with points)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from groundswell.analytics.rollups import RollupBatch
from groundswell.learning.drafts import LessonDraft
from groundswell.learning.models import Lesson, LessonCompletion, LessonTrack
from groundswell.learning.starter import STARTER_LESSONS
from groundswell.lib.periods import local_day
from groundswell.rewards.actions import award_points
from groundswell.rewards.models import Action
from groundswell.workspaces.models import Membership, Workspace

MAX_BODY = 6_000  # about two minutes of reading, with room to spare
MAX_CHOICES = 5
MAX_INTERVAL_DAYS = 90


class LessonError(ValueError):
    """A lesson or schedule that cannot be saved, or an answer that cannot be taken, with a message."""


def clean_draft(draft: LessonDraft) -> LessonDraft:
    title, body = draft.title.strip(), draft.body_markdown.strip()
    question, explanation = draft.question.strip(), draft.explanation.strip()
    choices = tuple(c.strip() for c in draft.choices if c.strip())
    if not title:
        raise LessonError("A lesson needs a title.")
    if not body:
        raise LessonError("A lesson needs some text.")
    if len(body) > MAX_BODY:
        raise LessonError(f"Keep lessons short (about two minutes): at most {MAX_BODY:,} characters.")
    if not question:
        if choices:
            raise LessonError("Answers without a question: add the question, or remove the answers.")
        return LessonDraft(title, body)
    if not 2 <= len(choices) <= MAX_CHOICES:
        raise LessonError(f"A check question needs 2 to {MAX_CHOICES} answers, one per line.")
    if draft.correct_choice is None or not 0 <= draft.correct_choice < len(choices):
        raise LessonError("Say which answer is right (its number in the list, starting at 1).")
    if not explanation:
        raise LessonError("Add a short explanation: members see it when they pick a wrong answer.")
    return LessonDraft(title, body, question, choices, draft.correct_choice, explanation)


def ensure_track(workspace: Workspace) -> LessonTrack:
    """The workspace's track; a new one starts today (workspace time) with one lesson a week."""
    track, _ = LessonTrack.objects.get_or_create(
        workspace=workspace, defaults={"starts_on": local_day(timezone.now(), workspace.timezone)}
    )
    return track


@transaction.atomic
def set_schedule(*, workspace: Workspace, starts_on: dt.date, interval_days: int) -> LessonTrack:
    if not 1 <= interval_days <= MAX_INTERVAL_DAYS:
        raise LessonError(f"Release a lesson every 1 to {MAX_INTERVAL_DAYS} days.")
    track, _ = LessonTrack.objects.update_or_create(
        workspace=workspace, defaults={"starts_on": starts_on, "interval_days": interval_days}
    )
    return track


def _apply(lesson: Lesson, draft: LessonDraft) -> None:
    lesson.title, lesson.body_markdown = draft.title, draft.body_markdown
    lesson.question, lesson.choices = draft.question, list(draft.choices)
    lesson.correct_choice, lesson.explanation = draft.correct_choice, draft.explanation


@transaction.atomic
def create_lesson(*, workspace: Workspace, author: Membership | None, draft: LessonDraft) -> Lesson:
    """A new lesson at the end of the track."""
    draft = clean_draft(draft)
    ensure_track(workspace)
    last = Lesson.objects.filter(workspace=workspace).aggregate(p=Max("position"))["p"]
    lesson = Lesson(workspace=workspace, created_by=author, position=(last or 0) + 1)
    _apply(lesson, draft)
    lesson.save()
    return lesson


@transaction.atomic
def update_lesson(*, lesson: Lesson, draft: LessonDraft, position: int) -> Lesson:
    draft = clean_draft(draft)
    _apply(lesson, draft)
    lesson.position = position
    lesson.save(
        update_fields=["title", "body_markdown", "question", "choices", "correct_choice", "explanation", "position"]
    )
    return lesson


@transaction.atomic
def install_starter_lessons(*, workspace: Workspace, author: Membership | None) -> list[Lesson]:
    """Add the starter lessons that ship with Groundswell (skipping titles the track already has)."""
    have = set(Lesson.objects.filter(workspace=workspace).values_list("title", flat=True))
    return [
        create_lesson(workspace=workspace, author=author, draft=draft)
        for draft in STARTER_LESSONS
        if draft.title not in have
    ]


@dataclass(frozen=True)
class Attempt:
    correct: bool
    completed: bool  # a completion was recorded (now or before)
    points: int  # points awarded by this attempt (0 when completed before)


def complete_lesson(
    *, member: Membership, lesson: Lesson, choice: int | None, at: dt.datetime | None = None
) -> Attempt:
    """Take the member's answer (``choice``: 0-based, None for a lesson without a check) and, when it is
    right, record the completion and award the lesson points once (key ``lesson:<lesson>:<member>``)."""
    if lesson.workspace_id != member.workspace_id:
        raise LessonError("That lesson belongs to another workspace.")
    if lesson.has_check:
        if choice is None or not 0 <= choice < len(lesson.choices):
            raise LessonError("Pick one of the answers.")
        if choice != lesson.correct_choice:
            return Attempt(correct=False, completed=False, points=0)
    at = at or timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                LessonCompletion.objects.create(
                    workspace_id=member.workspace_id, lesson=lesson, member=member, completed_at=at
                )
        except IntegrityError:
            return Attempt(correct=True, completed=True, points=0)  # completed before: no points again
        rollup = RollupBatch()
        points = award_points(
            member=member,
            action=Action.LESSON,
            key=f"lesson:{lesson.pk}:{member.pk}",
            day=local_day(at, member.workspace.timezone),
            rollup=rollup,
            reason=f"Lesson: {lesson.title}"[:300],
            at=at,
        )
        rollup.write()
    return Attempt(correct=True, completed=True, points=points)
