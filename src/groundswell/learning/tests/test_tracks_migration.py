"""The data migration: the workspace's one track becomes the first of its tracks, each lesson's single
question becomes the first question of its quiz, and lessons and completions are kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("learning", "0001_lessons")]
AFTER = [("learning", "0004_lesson_track_required")]


@pytest.mark.django_db(transaction=True)
def test_one_track_becomes_the_first_of_several() -> None:
    from groundswell.conftest import make_member
    from groundswell.workspaces.models import Workspace

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    # The workspaces app is not rolled back, so today's models match its tables.
    scheduled = Workspace.objects.create(name="Scheduled", slug="scheduled")
    unscheduled = Workspace.objects.create(name="Unscheduled", slug="unscheduled")
    member = make_member(scheduled, "m@scheduled.test")
    OldTrack = apps.get_model("learning", "LessonTrack")
    OldLesson = apps.get_model("learning", "Lesson")
    OldCompletion = apps.get_model("learning", "LessonCompletion")
    OldTrack.objects.create(workspace_id=scheduled.pk, starts_on=dt.date(2026, 1, 5), interval_days=14)
    quiz = OldLesson.objects.create(
        workspace_id=scheduled.pk,
        position=1,
        title="With a question",
        body_markdown="Text",
        question="Which?",
        choices=["a", "b", "c"],
        correct_choice=2,
        explanation="Because c.",
    )
    plain = OldLesson.objects.create(workspace_id=scheduled.pk, position=2, title="Plain", body_markdown="Text")
    loose = OldLesson.objects.create(workspace_id=unscheduled.pk, position=1, title="Loose", body_markdown="Text")
    OldCompletion.objects.create(workspace_id=scheduled.pk, lesson_id=quiz.pk, member_id=member.pk)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    Track = apps.get_model("learning", "LessonTrack")
    Lesson = apps.get_model("learning", "Lesson")
    track = Track.objects.get(workspace_id=scheduled.pk)
    assert (track.title, track.starts_on, track.interval_days) == ("Lessons", dt.date(2026, 1, 5), 14)
    assert set(Lesson.objects.filter(track=track).values_list("pk", flat=True)) == {quiz.pk, plain.pk}
    new_track = Track.objects.get(workspace_id=unscheduled.pk)
    assert Lesson.objects.get(pk=loose.pk).track_id == new_track.pk
    questions = list(
        apps.get_model("learning", "LessonQuestion").objects.values_list(
            "lesson_id", "text", "choices", "correct_choice", "explanation"
        )
    )
    assert questions == [(quiz.pk, "Which?", ["a", "b", "c"], 2, "Because c.")]
    completions = apps.get_model("learning", "LessonCompletion").objects.all()
    assert [(c.lesson_id, c.member_id) for c in completions] == [(quiz.pk, member.pk)]

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
