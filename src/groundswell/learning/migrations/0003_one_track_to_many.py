"""Data: the workspace's one track becomes the first of its tracks, and each lesson's single check question
becomes the first question of its quiz. Lessons and completions are kept as they are."""

import datetime as dt

from django.db import migrations


def forward(apps, schema_editor):
    Lesson = apps.get_model("learning", "Lesson")
    LessonTrack = apps.get_model("learning", "LessonTrack")
    LessonQuestion = apps.get_model("learning", "LessonQuestion")
    workspace_ids = set(Lesson.objects.filter(track__isnull=True).values_list("workspace_id", flat=True))
    for workspace_id in sorted(workspace_ids):
        track = LessonTrack.objects.filter(workspace_id=workspace_id).order_by("pk").first()
        if track is None:  # lessons written before anyone set a schedule: the track starts today
            track = LessonTrack.objects.create(
                workspace_id=workspace_id, title="Lessons", starts_on=dt.date.today()  # noqa: DTZ011
            )
        Lesson.objects.filter(workspace_id=workspace_id, track__isnull=True).update(track=track)
    questions = []
    for lesson in Lesson.objects.exclude(question="").filter(correct_choice__isnull=False).iterator():
        if len(lesson.choices) >= 2 and lesson.correct_choice < len(lesson.choices):
            questions.append(
                LessonQuestion(
                    lesson_id=lesson.pk,
                    position=0,
                    text=lesson.question,
                    choices=list(lesson.choices),
                    correct_choice=lesson.correct_choice,
                    explanation=lesson.explanation,
                )
            )
    LessonQuestion.objects.bulk_create(questions, batch_size=500)


def backward(apps, schema_editor):
    """The first question goes back onto its lesson (a rollback loses the others and the extra tracks'
    separation: every lesson stays in its track row, which 0001's one-to-one cannot hold; delete them first)."""
    Lesson = apps.get_model("learning", "Lesson")
    LessonQuestion = apps.get_model("learning", "LessonQuestion")
    for question in LessonQuestion.objects.filter(position=0).iterator():
        Lesson.objects.filter(pk=question.lesson_id).update(
            question=question.text,
            choices=question.choices,
            correct_choice=question.correct_choice,
            explanation=question.explanation,
        )


class Migration(migrations.Migration):

    dependencies = [
        ('learning', '0002_tracks_quizzes_tips'),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]
