"""Demo data for lessons beyond the starter track (built by ``demo/updates.py``): the second starter track
("Telling our stories", with its multi-question quizzes), the starter tips of the week, and a quiz score
behind each lesson completion (a completed lesson means its quiz was passed)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count

from groundswell.learning.actions import install_starter_tips, install_starter_track
from groundswell.learning.models import Lesson, LessonCompletion, QuizAttempt

if TYPE_CHECKING:
    from groundswell.demo.generator import DemoBuilder


def build_learning(builder: DemoBuilder) -> None:
    ws = builder.ws
    admin = next((m for m in builder.members if m.is_admin), None)
    install_starter_track(workspace=ws, author=admin, key="stories")
    install_starter_tips(workspace=ws)
    totals = dict(Lesson.objects.filter(workspace=ws).annotate(n=Count("questions")).values_list("pk", "n"))
    attempts = [
        QuizAttempt(
            workspace_id=ws.pk,
            lesson_id=c.lesson_id,
            member_id=c.member_id,
            correct=totals[c.lesson_id],
            total=totals[c.lesson_id],
            passed=True,
            at=c.completed_at,
        )
        for c in LessonCompletion.objects.filter(workspace=ws).only("lesson_id", "member_id", "completed_at")
        if totals.get(c.lesson_id)
    ]
    QuizAttempt.objects.bulk_create(attempts, batch_size=500)
