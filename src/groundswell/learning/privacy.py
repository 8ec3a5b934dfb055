"""What the lessons app keeps about a member: lessons completed, quiz scores, and lessons they wrote."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from groundswell.learning.models import Lesson, LessonCompletion, QuizAttempt
from groundswell.privacy.registry import ErasureResult, InventoryLine
from groundswell.workspaces.models import Membership


class LearningPrivacy:
    key: str = "learning"
    label: str = "Lessons"
    models: tuple[str, ...] = ("learning.LessonCompletion", "learning.QuizAttempt", "learning.Lesson")

    def inventory(self, member: Membership) -> list[InventoryLine]:
        return [
            InventoryLine(
                what="Lessons you completed (which lesson and when)",
                count=LessonCompletion.objects.filter(member=member).count(),
                visible_to="Only you; program admins see how many people completed each lesson and track, never "
                "who (and below the workspace's privacy minimum only \u201cfewer than N\u201d)",
                why="To show your progress, suggest the next lesson and award lesson points once.",
            ),
            InventoryLine(
                what="Your quiz scores (how many answers were right, per try; not which answers you picked)",
                count=QuizAttempt.objects.filter(member=member).count(),
                visible_to="Only you, on your progress page",
                why="So you can see how you did and try again.",
            ),
            InventoryLine(
                what="Lessons you wrote (as an admin)",
                count=Lesson.objects.filter(created_by=member).count(),
                visible_to="Everyone the lesson's track is for (the lessons, without the author)",
                why="They are the workspace's training.",
            ),
        ]

    def export(self, member: Membership) -> dict[str, Any]:
        return {
            "completed_lessons": [
                {"lesson": c.lesson.title, "completed_at": c.completed_at.isoformat()}
                for c in LessonCompletion.objects.filter(member=member)
                .select_related("lesson")
                .order_by("completed_at")
            ],
            "quiz_attempts": [
                {"lesson": a.lesson.title, "correct": a.correct, "total": a.total, "at": a.at.isoformat()}
                for a in QuizAttempt.objects.filter(member=member).select_related("lesson").order_by("at")
            ],
            "lessons_written": list(Lesson.objects.filter(created_by=member).values_list("title", flat=True)),
        }

    @transaction.atomic
    def erase(self, member: Membership) -> ErasureResult:
        erased = LessonCompletion.objects.filter(member=member).delete()[0]
        erased += QuizAttempt.objects.filter(member=member).delete()[0]
        erased += Lesson.objects.filter(created_by=member).update(created_by=None)
        return ErasureResult(
            erased=erased,
            kept=[
                "Points you earned for lessons stay in the points ledger (it is append-only); the rewards "
                "section says how they are handled.",
                "Lessons you wrote stay for everyone, without your name.",
            ],
        )
