"""Short lessons in one track per workspace, released one at a time (drip), and members' completions."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone as djtz

from groundswell.workspaces.models import Membership, Workspace


class LessonTrack(models.Model):
    """The release schedule: the first lesson on ``starts_on``, then one every ``interval_days``."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="lesson_track")
    starts_on = models.DateField()
    interval_days = models.PositiveSmallIntegerField(default=7)

    def released_count(self, today: dt.date) -> int:
        """How many lessons (in track order) are released on ``today``."""
        if today < self.starts_on:
            return 0
        return (today - self.starts_on).days // max(1, self.interval_days) + 1

    def release_day(self, index: int) -> dt.date:
        """The day the lesson at 0-based ``index`` of the track is released."""
        return self.starts_on + dt.timedelta(days=index * max(1, self.interval_days))


class Lesson(models.Model):
    """A two-minute lesson with an optional multiple-choice check question.

    ``choices`` is a list of answer texts and ``correct_choice`` the index of the right one; ``explanation``
    is shown after a wrong answer.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="lessons")
    position = models.PositiveIntegerField(default=0, help_text="Order in the track (lower comes first)")
    title = models.CharField(max_length=160)
    body_markdown = models.TextField()
    question = models.CharField(max_length=300, blank=True)
    choices = models.JSONField(default=list, blank=True)
    correct_choice = models.PositiveSmallIntegerField(null=True, blank=True)
    explanation = models.TextField(blank=True)
    created_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=djtz.now)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def has_check(self) -> bool:
        return bool(self.question) and self.correct_choice is not None and len(self.choices) >= 2


class LessonCompletion(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="completions")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="lesson_completions")
    completed_at = models.DateTimeField(default=djtz.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["lesson", "member"], name="uniq_lesson_completion")]
