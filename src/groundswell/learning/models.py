"""Lessons in several tracks per workspace, each released one at a time (drip), with quizzes, images and
video; members' completions and quiz scores; and the tips of the week."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.utils import timezone as djtz

from groundswell.lib.storage import private_storage
from groundswell.workspaces.models import Department, Membership, Role, Workspace


class LessonTrack(models.Model):
    """A series of lessons for an audience, with its own release schedule: the first lesson on ``starts_on``,
    then one every ``interval_days``.

    The audience is everyone when no department and no role is chosen; otherwise a member must match both
    lists that are set (a department of ``departments`` and a role of ``roles``).
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="lesson_tracks")
    title = models.CharField(max_length=120, default="Lessons")
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0, help_text="Order on the lessons page (lower comes first)")
    departments = models.ManyToManyField(Department, blank=True, related_name="+")
    roles = models.JSONField(default=list, blank=True, help_text="Role values (admin, manager, employee)")
    starts_on = models.DateField()
    interval_days = models.PositiveSmallIntegerField(default=7)
    created_at = models.DateTimeField(default=djtz.now)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title

    def released_count(self, today: dt.date) -> int:
        """How many lessons (in track order) are released on ``today``."""
        if today < self.starts_on:
            return 0
        return (today - self.starts_on).days // max(1, self.interval_days) + 1

    def release_day(self, index: int) -> dt.date:
        """The day the lesson at 0-based ``index`` of the track is released."""
        return self.starts_on + dt.timedelta(days=index * max(1, self.interval_days))

    def is_for(self, member: Membership, department_ids: set[int] | None = None) -> bool:
        """Whether the track is meant for ``member`` (``department_ids``: the track's departments, when the
        caller prefetched them)."""
        if self.roles and member.role not in self.roles:
            return False
        if department_ids is None:
            department_ids = {d.pk for d in self.departments.all()}
        return not department_ids or member.department_id in department_ids

    @property
    def role_labels(self) -> list[str]:
        return [str(Role(r).label) for r in self.roles if r in Role.values]


class Lesson(models.Model):
    """A two-minute lesson, optionally with an image, a video and a quiz (``questions``).

    ``pass_percent`` is the share of questions a member must answer right to complete the lesson; 100 (every
    question) by default, because the quiz is there to make the point stick, and a retry costs nothing.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="lessons")
    track = models.ForeignKey(LessonTrack, on_delete=models.CASCADE, related_name="lessons")
    position = models.PositiveIntegerField(default=0, help_text="Order in the track (lower comes first)")
    title = models.CharField(max_length=160)
    body_markdown = models.TextField()
    image = models.FileField(storage=private_storage, upload_to="learning/images/%Y/%m/", blank=True)
    image_alt = models.CharField(max_length=300, blank=True)
    video = models.ForeignKey("videos.Video", null=True, blank=True, on_delete=models.SET_NULL, related_name="lessons")
    pass_percent = models.PositiveSmallIntegerField(default=100)
    created_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=djtz.now)

    class Meta:
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["track", "position"], name="learning_le_track_i_idx")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A lesson made without a track (older code, fixtures) joins the workspace's first track.
        if self.track_id is None:
            track = LessonTrack.objects.filter(workspace_id=self.workspace_id).order_by("position", "pk").first()
            self.track = track or LessonTrack.objects.create(
                workspace_id=self.workspace_id, title="Lessons", starts_on=djtz.localdate()
            )
        super().save(*args, **kwargs)


class LessonQuestion(models.Model):
    """One multiple-choice question of a lesson's quiz: ``choices`` is a list of answer texts and
    ``correct_choice`` the index of the right one; ``explanation`` is shown after a wrong answer."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=300)
    choices = models.JSONField(default=list)
    correct_choice = models.PositiveSmallIntegerField()
    explanation = models.TextField()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


class LessonCompletion(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="completions")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="lesson_completions")
    completed_at = models.DateTimeField(default=djtz.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["lesson", "member"], name="uniq_lesson_completion")]


class QuizAttempt(models.Model):
    """One submitted quiz: how many answers were right out of how many (not which answers were chosen)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="attempts")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="quiz_attempts")
    correct = models.PositiveSmallIntegerField()
    total = models.PositiveSmallIntegerField()
    passed = models.BooleanField()
    at = models.DateTimeField(default=djtz.now)

    class Meta:
        indexes = [models.Index(fields=["member", "lesson"], name="learning_qu_member__idx")]


class Tip(models.Model):
    """A short tip of the week. A tip with ``week_of`` (a Monday) is the tip of that week; the others form a
    queue (``position``) that rotates one tip a week."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="tips")
    title = models.CharField(max_length=120)
    text = models.TextField(max_length=600)
    url = models.URLField(max_length=500, blank=True)
    week_of = models.DateField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=djtz.now)

    class Meta:
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["workspace", "week_of"], name="learning_ti_workspa_idx")]

    def __str__(self) -> str:
        return self.title
