"""Read queries for lessons: the tracks a member sees with release and completion status, the member's own
progress, and aggregate counts for admins (never who did or did not complete)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max, Prefetch, Sum
from django.utils import timezone

from groundswell.learning.models import Lesson, LessonCompletion, LessonQuestion, LessonTrack, QuizAttempt
from groundswell.lib.periods import local_day
from groundswell.rewards.models import Action, PointsEntry
from groundswell.videos.models import Video
from groundswell.workspaces.models import Membership, Workspace


@dataclass(frozen=True)
class LessonStatus:
    lesson: Lesson
    number: int  # 1-based place in the track
    release_day: dt.date
    released: bool
    completed: bool


@dataclass
class TrackProgress:
    track: LessonTrack
    lessons: list[LessonStatus] = field(default_factory=list)

    @property
    def released(self) -> list[LessonStatus]:
        return [s for s in self.lessons if s.released]

    @property
    def done(self) -> int:
        return sum(1 for s in self.lessons if s.completed)

    @property
    def next(self) -> LessonStatus | None:
        """The first released lesson not completed yet."""
        return next((s for s in self.lessons if s.released and not s.completed), None)

    @property
    def upcoming(self) -> LessonStatus | None:
        """The next lesson to be released."""
        return next((s for s in self.lessons if not s.released), None)


def _tracks(workspace_id: int) -> list[LessonTrack]:
    return list(
        LessonTrack.objects.filter(workspace_id=workspace_id).prefetch_related("departments").order_by("position", "pk")
    )


def _meant_for(member: Membership, tracks: list[LessonTrack]) -> list[LessonTrack]:
    return [t for t in tracks if t.is_for(member, {d.pk for d in t.departments.all()})]


def tracks_for(member: Membership) -> list[LessonTrack]:
    """The tracks on the member's lessons page, in page order (two queries): those meant for the member, and
    for an admin every track (an admin reviews them all)."""
    tracks = _tracks(member.workspace_id)
    return tracks if member.is_admin else _meant_for(member, tracks)


def track_progress(member: Membership, today: dt.date, tracks: list[LessonTrack] | None = None) -> list[TrackProgress]:
    """Each track (default: those meant for the member) with its lessons in order, release day and the
    member's completions: four queries whatever the number of tracks and lessons."""
    tracks = tracks_for(member) if tracks is None else tracks
    by_track: dict[int, TrackProgress] = {t.pk: TrackProgress(t) for t in tracks}
    lessons = (
        Lesson.objects.filter(track_id__in=by_track)
        .annotate(question_count=Count("questions"))
        .select_related("video")
        .order_by("track_id", "position", "pk")
    )
    done = set(
        LessonCompletion.objects.filter(member=member, lesson__track_id__in=by_track).values_list(
            "lesson_id", flat=True
        )
    )
    for lesson in lessons:
        progress = by_track[lesson.track_id]
        index = len(progress.lessons)
        progress.lessons.append(
            LessonStatus(
                lesson=lesson,
                number=index + 1,
                release_day=progress.track.release_day(index),
                released=index < progress.track.released_count(today),
                completed=lesson.pk in done,
            )
        )
    return list(by_track.values())


def lessons_with_status(member: Membership, today: dt.date) -> list[LessonStatus]:
    """Every lesson of the tracks meant for the member, track after track."""
    return [s for progress in track_progress(member, today) for s in progress.lessons]


def status_of(member: Membership, lesson: Lesson, today: dt.date) -> LessonStatus | None:
    """The lesson's status for the member, or None when its track is not meant for them."""
    track = lesson.track
    if not member.is_admin and not track.is_for(member):
        return None
    progress = track_progress(member, today, [track])[0]
    return next(s for s in progress.lessons if s.lesson.pk == lesson.pk)


def next_lesson(member: Membership, today: dt.date) -> LessonStatus | None:
    """The first released lesson the member has not completed yet, in the tracks meant for them."""
    for progress in track_progress(member, today, _meant_for(member, _tracks(member.workspace_id))):
        if progress.next is not None:
            return progress.next
    return None


def lesson_for_page(workspace: Workspace, lesson_id: int) -> Lesson:
    """The lesson with its track, video and questions (raises Lesson.DoesNotExist)."""
    return (
        Lesson.objects.select_related("track", "video")
        .prefetch_related(Prefetch("questions", queryset=LessonQuestion.objects.order_by("position", "pk")))
        .get(workspace=workspace, pk=lesson_id)
    )


# --- The member's own progress ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    best: int
    total: int
    tries: int


def quiz_scores(member: Membership) -> dict[int, Score]:
    """The member's best quiz score per lesson (lesson id → score)."""
    rows = (
        QuizAttempt.objects.filter(member=member)
        .values("lesson_id")
        .annotate(best=Max("correct"), total=Max("total"), tries=Count("pk"))
    )
    return {r["lesson_id"]: Score(r["best"], r["total"], r["tries"]) for r in rows}


def lesson_points(member: Membership) -> int:
    total = PointsEntry.objects.filter(member=member, action=Action.LESSON).aggregate(s=Sum("points"))["s"]
    return int(total or 0)


# --- Admins: aggregates only --------------------------------------------------------------------------------


def completion_counts(workspace: Workspace) -> dict[int, int]:
    """Completions per lesson by active members (aggregate only: no names)."""
    rows = (
        LessonCompletion.objects.filter(workspace=workspace, member__is_active=True)
        .values("lesson_id")
        .annotate(n=Count("pk"))
    )
    return {row["lesson_id"]: row["n"] for row in rows}


@dataclass(frozen=True)
class Shown:
    """A count as an admin may see it: below the workspace's privacy minimum it reads "fewer than N"."""

    value: int
    minimum: int

    @property
    def hidden(self) -> bool:
        return 0 < self.value < self.minimum

    def __str__(self) -> str:
        return f"fewer than {self.minimum}" if self.hidden else str(self.value)


@dataclass(frozen=True)
class TrackReport:
    track: LessonTrack
    audience: int
    finished: Shown  # members of the audience who completed every lesson of the track
    started: Shown  # members of the audience who completed at least one lesson
    lessons: list[tuple[Lesson, Shown]]


def track_reports(workspace: Workspace) -> list[TrackReport]:
    """Per track: how many active members it is for, how many started and finished it, and completions per
    lesson. Counts under the workspace's ``min_group_size`` are shown as "fewer than N"."""
    minimum = max(1, workspace.min_group_size)
    tracks = _tracks(workspace.pk)
    groups = (
        Membership.objects.filter(workspace=workspace, is_active=True)
        .values("role", "department_id")
        .annotate(n=Count("pk"))
    )
    per_lesson = completion_counts(workspace)
    lessons_by_track: dict[int, list[Lesson]] = defaultdict(list)
    for lesson in Lesson.objects.filter(workspace=workspace).order_by("position", "pk"):
        lessons_by_track[lesson.track_id].append(lesson)
    per_member = (
        LessonCompletion.objects.filter(workspace=workspace, member__is_active=True)
        .values("lesson__track_id", "member_id")
        .annotate(n=Count("pk"))
    )
    started: dict[int, int] = defaultdict(int)
    finished: dict[int, int] = defaultdict(int)
    for row in per_member:
        track_id = row["lesson__track_id"]
        started[track_id] += 1
        if row["n"] >= len(lessons_by_track[track_id]) > 0:
            finished[track_id] += 1
    reports = []
    for track in tracks:
        departments = {d.pk for d in track.departments.all()}
        audience = sum(
            g["n"]
            for g in groups
            if (not track.roles or g["role"] in track.roles) and (not departments or g["department_id"] in departments)
        )
        reports.append(
            TrackReport(
                track=track,
                audience=audience,
                finished=Shown(finished[track.pk], minimum),
                started=Shown(started[track.pk], minimum),
                lessons=[
                    (lesson, Shown(per_lesson.get(lesson.pk, 0), minimum)) for lesson in lessons_by_track[track.pk]
                ],
            )
        )
    return reports


def can_watch_lesson_video(member: Membership, video: Video) -> bool | None:
    """The videos app's watch rule for lessons (registered in ``LearningConfig.ready``): a video shown in a
    lesson may be watched by those who may open one of its lessons (a track meant for them, released); a
    video in no lesson is not this rule's business (None)."""
    lessons = list(Lesson.objects.filter(video_id=video.pk, workspace_id=member.workspace_id))
    if not lessons:
        return None
    today = local_day(timezone.now(), member.workspace.timezone)
    for lesson in lessons:
        status = status_of(member, lesson, today)
        if status is not None and status.released:
            return True
    return False
