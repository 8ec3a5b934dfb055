"""The write layer for lessons: tracks (audience, schedule, order), lessons with media and quizzes, answering
a quiz (with points once, on completion), and tips of the week. One transaction per action."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from groundswell.analytics.rollups import RollupBatch
from groundswell.learning.drafts import LessonDraft, QuestionDraft, TipDraft, TrackDraft
from groundswell.learning.models import Lesson, LessonCompletion, LessonQuestion, LessonTrack, QuizAttempt, Tip
from groundswell.learning.starter import RENAMED, STARTER_TIPS, STARTER_TRACKS
from groundswell.lib.periods import local_day
from groundswell.lib.storage import rename_image_upload
from groundswell.rewards.actions import award_points
from groundswell.rewards.models import Action
from groundswell.videos.models import Video, VideoState
from groundswell.workspaces.models import Department, Membership, Role, Workspace

MAX_BODY = 6_000  # about two minutes of reading, with room to spare
MAX_CHOICES = 5
MAX_QUESTIONS = 10
MAX_INTERVAL_DAYS = 90
MAX_TIP_TEXT = 600


class LessonError(ValueError):
    """A lesson, track or tip that cannot be saved, or an answer that cannot be taken, with a message."""


# --- Tracks -------------------------------------------------------------------------------------------------


def _today(workspace: Workspace) -> dt.date:
    return local_day(timezone.now(), workspace.timezone)


def clean_track(workspace: Workspace, draft: TrackDraft) -> TrackDraft:
    title = draft.title.strip()
    if not title:
        raise LessonError("A track needs a title.")
    roles = tuple(dict.fromkeys(r for r in draft.roles))
    if any(r not in Role.values for r in roles):
        raise LessonError("Pick roles from the list.")
    ids = tuple(dict.fromkeys(draft.department_ids))
    if ids and Department.objects.filter(workspace=workspace, pk__in=ids).count() != len(ids):
        raise LessonError("Pick departments of this workspace.")
    return TrackDraft(title, draft.description.strip(), ids, roles)


def _check_schedule(interval_days: int) -> None:
    if not 1 <= interval_days <= MAX_INTERVAL_DAYS:
        raise LessonError(f"Release a lesson every 1 to {MAX_INTERVAL_DAYS} days.")


@transaction.atomic
def create_track(*, workspace: Workspace, draft: TrackDraft, starts_on: dt.date, interval_days: int = 7) -> LessonTrack:
    """A new track at the end of the lessons page."""
    draft = clean_track(workspace, draft)
    _check_schedule(interval_days)
    last = LessonTrack.objects.filter(workspace=workspace).aggregate(p=Max("position"))["p"]
    track = LessonTrack.objects.create(
        workspace=workspace,
        title=draft.title,
        description=draft.description,
        roles=list(draft.roles),
        starts_on=starts_on,
        interval_days=interval_days,
        position=(last or 0) + 1,
    )
    track.departments.set(draft.department_ids)
    return track


@transaction.atomic
def update_track(*, track: LessonTrack, draft: TrackDraft, starts_on: dt.date, interval_days: int) -> LessonTrack:
    draft = clean_track(track.workspace, draft)
    _check_schedule(interval_days)
    track.title, track.description, track.roles = draft.title, draft.description, list(draft.roles)
    track.starts_on, track.interval_days = starts_on, interval_days
    track.save(update_fields=["title", "description", "roles", "starts_on", "interval_days"])
    track.departments.set(draft.department_ids)
    return track


def ensure_track(workspace: Workspace) -> LessonTrack:
    """The workspace's first track; a new one ("Lessons") starts today (workspace time), one lesson a week."""
    track = LessonTrack.objects.filter(workspace=workspace).order_by("position", "pk").first()
    if track is None:
        track = LessonTrack.objects.create(workspace=workspace, title="Lessons", starts_on=_today(workspace))
    return track


@transaction.atomic
def set_schedule(
    *, workspace: Workspace, starts_on: dt.date, interval_days: int, track: LessonTrack | None = None
) -> LessonTrack:
    """Set the release schedule of ``track`` (default: the workspace's first track)."""
    _check_schedule(interval_days)
    track = track or ensure_track(workspace)
    if track.workspace_id != workspace.pk:
        raise LessonError("That track belongs to another workspace.")
    track.starts_on, track.interval_days = starts_on, interval_days
    track.save(update_fields=["starts_on", "interval_days"])
    return track


def _swap(rows: list[Any], index: int, direction: int) -> None:
    """Swap the row at ``index`` with its neighbour and renumber the positions 1..n (lessons or tracks)."""
    other = index + direction
    if not 0 <= other < len(rows):
        return
    rows[index], rows[other] = rows[other], rows[index]
    for position, row in enumerate(rows, start=1):
        if row.position != position:
            row.position = position
            row.save(update_fields=["position"])


@transaction.atomic
def move_track(*, track: LessonTrack, direction: int) -> None:
    """Move a track one place up (``direction`` -1) or down (+1) on the lessons page."""
    tracks = list(LessonTrack.objects.select_for_update().filter(workspace_id=track.workspace_id))
    _swap(tracks, next(i for i, t in enumerate(tracks) if t.pk == track.pk), direction)


@transaction.atomic
def move_lesson(*, lesson: Lesson, direction: int) -> None:
    """Move a lesson one place earlier (``direction`` -1) or later (+1) in its track (release days follow)."""
    lessons = list(Lesson.objects.select_for_update().filter(track_id=lesson.track_id))
    _swap(lessons, next(i for i, x in enumerate(lessons) if x.pk == lesson.pk), direction)


# --- Lessons ------------------------------------------------------------------------------------------------


def _clean_question(number: int, q: QuestionDraft) -> QuestionDraft:
    text, explanation = q.text.strip(), q.explanation.strip()
    choices = tuple(c.strip() for c in q.choices if c.strip())
    where = f"Question {number}"
    if not text:
        raise LessonError(f"{where}: write the question, or remove its answers.")
    if not 2 <= len(choices) <= MAX_CHOICES:
        raise LessonError(f"{where} needs 2 to {MAX_CHOICES} answers, one per line.")
    if q.correct_choice is None or not 0 <= q.correct_choice < len(choices):
        raise LessonError(f"{where}: say which answer is right (its number in the list, starting at 1).")
    if not explanation:
        raise LessonError(f"{where}: add a short explanation; members see it when they pick a wrong answer.")
    return QuestionDraft(text, choices, q.correct_choice, explanation)


def clean_draft(draft: LessonDraft) -> LessonDraft:
    title, body = draft.title.strip(), draft.body_markdown.strip()
    if not title:
        raise LessonError("A lesson needs a title.")
    if not body:
        raise LessonError("A lesson needs some text.")
    if len(body) > MAX_BODY:
        raise LessonError(f"Keep lessons short (about two minutes): at most {MAX_BODY:,} characters.")
    if len(draft.questions) > MAX_QUESTIONS:
        raise LessonError(f"At most {MAX_QUESTIONS} questions: a quiz is a quick check, not an exam.")
    if not 1 <= draft.pass_percent <= 100:
        raise LessonError("The pass mark is a percentage from 1 to 100.")
    questions = tuple(_clean_question(i, q) for i, q in enumerate(draft.questions, start=1))
    return LessonDraft(title, body, questions, draft.pass_percent)


@dataclass(frozen=True)
class Media:
    """A lesson's image and video as the admin left them in the form. ``image`` None keeps the current one."""

    image: UploadedFile[bytes] | None = None
    image_alt: str = ""
    remove_image: bool = False
    video: Video | None = None
    video_upload: UploadedFile[bytes] | None = None  # handed to videos.actions.create_video
    uploader: Membership | None = None


def _apply(lesson: Lesson, draft: LessonDraft, media: Media | None) -> None:
    lesson.title, lesson.body_markdown, lesson.pass_percent = draft.title, draft.body_markdown, draft.pass_percent
    if media is None:
        return
    alt = media.image_alt.strip()
    keeps_image = (bool(lesson.image) and not media.remove_image) or media.image is not None
    if keeps_image and not alt:
        raise LessonError("Describe the image in one sentence (alt text) for people who cannot see it.")
    video = media.video
    if video is not None and (video.workspace_id != lesson.workspace_id or video.state == VideoState.FAILED):
        raise LessonError("Choose a video of this workspace that could be processed.")
    if media.video_upload is not None:  # last: nothing else can fail after the clip is handed over
        video = _upload_video(media, lesson.title)
    lesson.video = video
    if lesson.image and (media.remove_image or media.image is not None):
        old, storage = lesson.image.name or "", lesson.image.storage
        transaction.on_commit(lambda: storage.delete(old))
        lesson.image = ""
    if media.image is not None:
        upload = rename_image_upload(media.image)
        lesson.image.save(upload.name or "image", upload, save=False)
    lesson.image_alt = alt if keeps_image else ""


def _upload_video(media: Media, title: str) -> Video:
    """The uploaded clip through the videos app (``videos.actions.create_video``), which checks it and queues
    its processing. Imported by name so that lessons do not depend on the upload code at import time."""
    if media.uploader is None or media.video_upload is None:
        raise LessonError("A video upload needs the member who uploads it.")
    try:
        videos = importlib.import_module("groundswell.videos.actions")
    except ImportError:
        raise LessonError("Video uploads are not available on this server yet.") from None
    try:
        video: Video = videos.create_video(member=media.uploader, upload=media.video_upload, title=title)
    except videos.VideoRejected as exc:
        raise LessonError(str(getattr(exc, "message", exc))) from None
    return video


def _save_questions(lesson: Lesson, questions: tuple[QuestionDraft, ...]) -> None:
    LessonQuestion.objects.filter(lesson=lesson).delete()
    LessonQuestion.objects.bulk_create(
        LessonQuestion(
            lesson=lesson,
            position=i,
            text=q.text,
            choices=list(q.choices),
            correct_choice=q.correct_choice or 0,
            explanation=q.explanation,
        )
        for i, q in enumerate(questions)
    )


@transaction.atomic
def create_lesson(
    *,
    workspace: Workspace,
    author: Membership | None,
    draft: LessonDraft,
    track: LessonTrack | None = None,
    media: Media | None = None,
) -> Lesson:
    """A new lesson at the end of ``track`` (default: the workspace's first track)."""
    draft = clean_draft(draft)
    track = track or ensure_track(workspace)
    if track.workspace_id != workspace.pk:
        raise LessonError("That track belongs to another workspace.")
    last = Lesson.objects.filter(track=track).aggregate(p=Max("position"))["p"]
    lesson = Lesson(workspace=workspace, track=track, created_by=author, position=(last or 0) + 1)
    _apply(lesson, draft, media)
    lesson.save()
    _save_questions(lesson, draft.questions)
    return lesson


@transaction.atomic
def update_lesson(
    *, lesson: Lesson, draft: LessonDraft, position: int | None = None, media: Media | None = None
) -> Lesson:
    """Save an edited lesson. Its questions are replaced (quiz attempts keep their scores, not the questions);
    members who completed it keep their completion."""
    draft = clean_draft(draft)
    _apply(lesson, draft, media)
    if position is not None:
        lesson.position = position
    lesson.save(update_fields=["title", "body_markdown", "pass_percent", "position", "image", "image_alt", "video"])
    _save_questions(lesson, draft.questions)
    return lesson


@transaction.atomic
def install_starter_track(*, workspace: Workspace, author: Membership | None, key: str) -> list[Lesson]:
    """Add a starter track that ships with Groundswell (``starter.STARTER_TRACKS``), or the lessons it lacks
    when a track of that title exists. Returns the lessons added."""
    starter = STARTER_TRACKS[key]
    # Titles anywhere in the workspace count: a workspace migrated from the single track has the first starter
    # lessons in its "Lessons" track (some under a title used before, see ``RENAMED``).
    have = set(Lesson.objects.filter(workspace=workspace).values_list("title", flat=True))
    missing = [d for d in starter.lessons if d.title not in have and RENAMED.get(d.title) not in have]
    if not missing:
        return []
    track = LessonTrack.objects.filter(workspace=workspace, title=starter.title).first()
    if track is None:
        track = create_track(
            workspace=workspace,
            draft=TrackDraft(starter.title, starter.description),
            starts_on=_today(workspace),
        )
    return [create_lesson(workspace=workspace, author=author, draft=draft, track=track) for draft in missing]


def install_starter_lessons(*, workspace: Workspace, author: Membership | None) -> list[Lesson]:
    """The "Getting started" starter track (see ``install_starter_track``)."""
    return install_starter_track(workspace=workspace, author=author, key="getting-started")


# --- Answering ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuizResult:
    correct: int  # right answers
    total: int  # questions
    passed: bool
    completed: bool  # a completion is recorded (now or before)
    points: int  # points awarded by this attempt (0 when completed before)
    wrong: tuple[int, ...] = ()  # ids of the questions answered wrongly


def _complete(member: Membership, lesson: Lesson, at: dt.datetime) -> int:
    """Record the completion and award the lesson points once (key ``lesson:<lesson>:<member>``); returns
    the points awarded, 0 when the member completed the lesson before. Runs inside the caller's transaction."""
    try:
        with transaction.atomic():
            LessonCompletion.objects.create(
                workspace_id=member.workspace_id, lesson=lesson, member=member, completed_at=at
            )
    except IntegrityError:
        return 0  # completed before: no points again
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
    return points


def submit_quiz(
    *, member: Membership, lesson: Lesson, answers: Mapping[int, int], at: dt.datetime | None = None
) -> QuizResult:
    """Mark the member's answers (``answers``: question id → 0-based choice; every question must be
    answered) and keep the score. When the share of right answers reaches the lesson's pass mark, the lesson
    is completed and its points are awarded, once. A lesson without questions is completed by reading it."""
    if lesson.workspace_id != member.workspace_id:
        raise LessonError("That lesson belongs to another workspace.")
    questions = list(lesson.questions.all())
    wrong: list[int] = []
    for q in questions:
        choice = answers.get(q.pk)
        if choice is None or not 0 <= choice < len(q.choices):
            raise LessonError("Answer every question (pick one answer each).")
        if choice != q.correct_choice:
            wrong.append(q.pk)
    total = len(questions)
    correct = total - len(wrong)
    passed = total == 0 or correct * 100 >= lesson.pass_percent * total
    at = at or timezone.now()
    with transaction.atomic():
        if total:
            QuizAttempt.objects.create(
                workspace_id=member.workspace_id,
                lesson=lesson,
                member=member,
                correct=correct,
                total=total,
                passed=passed,
                at=at,
            )
        points = _complete(member, lesson, at) if passed else 0
        completed = passed or LessonCompletion.objects.filter(lesson=lesson, member=member).exists()
    return QuizResult(correct, total, passed, completed, points, tuple(wrong))


def complete_lesson(
    *, member: Membership, lesson: Lesson, choice: int | None = None, at: dt.datetime | None = None
) -> QuizResult:
    """Complete a lesson with at most one question (the first version's API): ``choice`` answers it."""
    questions = list(lesson.questions.all()[:2])
    if len(questions) > 1:
        raise LessonError("This lesson has a quiz of several questions: use submit_quiz.")
    answers = {questions[0].pk: choice} if questions and choice is not None else {}
    return submit_quiz(member=member, lesson=lesson, answers=answers, at=at)


# --- Tips of the week ---------------------------------------------------------------------------------------


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def clean_tip(draft: TipDraft) -> TipDraft:
    title, text, url = draft.title.strip(), draft.text.strip(), draft.url.strip()
    if not title or not text:
        raise LessonError("A tip needs a title and a sentence or two.")
    if len(text) > MAX_TIP_TEXT:
        raise LessonError(f"Keep a tip short: at most {MAX_TIP_TEXT} characters.")
    if url and not url.startswith(("https://", "http://")):
        raise LessonError("The link must start with https://.")
    return TipDraft(title, text, url)


@transaction.atomic
def save_tip(*, workspace: Workspace, draft: TipDraft, week_of: dt.date | None, tip: Tip | None = None) -> Tip:
    """Create or edit a tip. ``week_of`` pins it to that week (any day of it); None puts it in the rotation."""
    draft = clean_tip(draft)
    week = monday_of(week_of) if week_of else None
    same_week = Tip.objects.filter(workspace=workspace, week_of=week)
    if tip is not None:
        same_week = same_week.exclude(pk=tip.pk)
    if week and same_week.exists():
        raise LessonError(f"Another tip is already set for the week of {week:%d %B %Y}.")
    if tip is None:
        last = Tip.objects.filter(workspace=workspace).aggregate(p=Max("position"))["p"]
        tip = Tip(workspace=workspace, position=(last or 0) + 1)
    elif tip.workspace_id != workspace.pk:
        raise LessonError("That tip belongs to another workspace.")
    tip.title, tip.text, tip.url, tip.week_of = draft.title, draft.text, draft.url, week
    tip.save()
    return tip


@transaction.atomic
def delete_tip(*, tip: Tip) -> None:
    tip.delete()


@transaction.atomic
def install_starter_tips(*, workspace: Workspace) -> list[Tip]:
    """Add the starter tips to the rotation (skipping titles the workspace already has)."""
    have = set(Tip.objects.filter(workspace=workspace).values_list("title", flat=True))
    return [save_tip(workspace=workspace, draft=d, week_of=None) for d in STARTER_TIPS if d.title not in have]
