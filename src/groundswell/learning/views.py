"""Lessons: the tracks (every member), reading a lesson and answering its quiz, the member's progress, and
the admin pages for tracks, lessons and tips of the week. Views parse, check access and call one action."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from groundswell.learning import actions
from groundswell.learning.actions import LessonError, Media
from groundswell.learning.forms import (
    LessonForm,
    QuestionForm,
    QuestionFormSet,
    QuizForm,
    TipForm,
    TrackForm,
    lesson_draft,
)
from groundswell.learning.models import Lesson, LessonTrack, Tip
from groundswell.learning.queries import (
    LessonStatus,
    lesson_for_page,
    lesson_points,
    quiz_scores,
    status_of,
    track_progress,
    track_reports,
    tracks_for,
)
from groundswell.learning.starter import STARTER_TRACKS
from groundswell.learning.tips import tip_row_for_week
from groundswell.lib.periods import local_day
from groundswell.lib.storage import private_image_response
from groundswell.policy.rendering import render_markdown
from groundswell.workspaces.access import allow_methods, get_for_workspace, get_membership, require_role
from groundswell.workspaces.models import Membership, Role


def _page(request: HttpRequest, template: str, member: Membership, **context: Any) -> HttpResponse:
    with timezone.override(member.workspace.timezone):
        return render(request, template, {"workspace": member.workspace, "member": member, "nav": "learn", **context})


def _today(member: Membership) -> dt.date:
    return local_day(timezone.now(), member.workspace.timezone)


def _admin(request: HttpRequest, ws: str) -> Membership:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    return member


def _direction(request: HttpRequest) -> int:
    return -1 if request.POST.get("direction") == "up" else 1


# --- Members ------------------------------------------------------------------------------------------------


@login_required
@allow_methods("GET", "HEAD")
def track(request: HttpRequest, ws: str) -> HttpResponse:
    """Every track meant for the member, with progress and the next released lesson."""
    member = get_membership(request.user, ws)
    today = _today(member)
    progress = track_progress(member, today, tracks_for(member))
    return _page(
        request,
        "learning/tracks.html",
        member,
        tracks=progress,
        tip=tip_row_for_week(member.workspace_id, today),
        starters=[s for s in STARTER_TRACKS.values() if s.title not in {p.track.title for p in progress}],
    )


@login_required
@allow_methods("GET", "HEAD")
def track_detail(request: HttpRequest, ws: str, track_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    obj = get_for_workspace(LessonTrack.objects.prefetch_related("departments"), member.workspace, pk=track_id)
    if not member.is_admin and not obj.is_for(member, {d.pk for d in obj.departments.all()}):
        raise Http404("Not found")
    progress = track_progress(member, _today(member), [obj])[0]
    rows: list[LessonStatus] = progress.lessons if member.is_admin else progress.released
    return _page(request, "learning/track.html", member, progress=progress, rows=rows)


def _visible_lesson(member: Membership, lesson_id: int) -> tuple[Lesson, LessonStatus]:
    try:
        lesson = lesson_for_page(member.workspace, lesson_id)
    except (Lesson.DoesNotExist, ValueError):
        raise Http404("Not found") from None
    status = status_of(member, lesson, _today(member))
    if status is None or (not status.released and not member.is_admin):
        raise Http404("This lesson is not released yet")
    return lesson, status


@login_required
@allow_methods("GET", "POST")
def lesson(request: HttpRequest, ws: str, lesson_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    obj, status = _visible_lesson(member, lesson_id)
    questions = list(obj.questions.all())
    form = QuizForm(request.POST if request.method == "POST" else None, questions=questions) if questions else None
    result = None
    if request.method == "POST":
        if not status.released:
            messages.error(request, "This lesson is not released yet: members can complete it from its release day.")
            return redirect("learning:lesson", ws=ws, lesson_id=obj.pk)
        if form is None or form.is_valid():
            try:
                result = actions.submit_quiz(member=member, lesson=obj, answers=form.answers() if form else {})
            except LessonError as exc:
                messages.error(request, str(exc))
            else:
                if result.passed:
                    if result.points:
                        messages.success(request, f"Lesson completed — {result.points} points. Well done!")
                    else:
                        messages.success(request, "Lesson completed. Well done!")
                    return redirect("learning:track_detail", ws=ws, track_id=obj.track_id)
    return _page(
        request,
        "learning/lesson.html",
        member,
        status=status,
        lesson=obj,
        body_html=render_markdown(obj.body_markdown),
        form=form,
        result=result,
        wrong=[q for q in questions if result is not None and q.pk in result.wrong],
    )


@login_required
@allow_methods("GET", "HEAD")
def lesson_image(request: HttpRequest, ws: str, lesson_id: int) -> HttpResponse:
    """The lesson's image, for members who may read the lesson (it is in the private storage)."""
    member = get_membership(request.user, ws)
    obj, _ = _visible_lesson(member, lesson_id)
    if not obj.image:
        raise Http404("No image")
    return private_image_response(obj.image.storage, obj.image.name)


@login_required
@allow_methods("GET", "HEAD")
def progress(request: HttpRequest, ws: str) -> HttpResponse:
    """The member's own progress (no streaks, no ranking) and, for admins, completion per track in counts."""
    member = get_membership(request.user, ws)
    mine = [p for p in track_progress(member, _today(member)) if p.lessons]
    return _page(
        request,
        "learning/progress.html",
        member,
        tracks=[p for p in mine if p.track.is_for(member)],
        scores=quiz_scores(member),
        points=lesson_points(member),
        reports=track_reports(member.workspace) if member.is_admin else [],
    )


# --- Admins: tracks -----------------------------------------------------------------------------------------


def _track_form(request: HttpRequest, ws: str, track_id: int | None) -> HttpResponse:
    member = _admin(request, ws)
    obj = None
    if track_id is not None:
        obj = get_for_workspace(LessonTrack.objects.all(), member.workspace, pk=track_id)
    initial = TrackForm.initial_for(obj) if obj else {"starts_on": _today(member), "interval_days": 7}
    form = TrackForm(request.POST if request.method == "POST" else None, initial=initial, workspace=member.workspace)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if obj is None:
                obj = actions.create_track(
                    workspace=member.workspace,
                    draft=form.draft(),
                    starts_on=data["starts_on"],
                    interval_days=data["interval_days"],
                )
            else:
                actions.update_track(
                    track=obj, draft=form.draft(), starts_on=data["starts_on"], interval_days=data["interval_days"]
                )
        except LessonError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Track saved.")
            return redirect("learning:track_detail", ws=ws, track_id=obj.pk)
    return _page(request, "learning/track_form.html", member, form=form, track=obj)


@login_required
@allow_methods("GET", "POST")
def track_create(request: HttpRequest, ws: str) -> HttpResponse:
    return _track_form(request, ws, None)


@login_required
@allow_methods("GET", "POST")
def track_edit(request: HttpRequest, ws: str, track_id: int) -> HttpResponse:
    return _track_form(request, ws, track_id)


@login_required
@allow_methods("POST")
def track_move(request: HttpRequest, ws: str, track_id: int) -> HttpResponse:
    member = _admin(request, ws)
    obj = get_for_workspace(LessonTrack.objects.all(), member.workspace, pk=track_id)
    actions.move_track(track=obj, direction=_direction(request))
    return redirect("learning:track", ws=ws)


@login_required
@allow_methods("POST")
def install_starter(request: HttpRequest, ws: str) -> HttpResponse:
    member = _admin(request, ws)
    key = request.POST.get("track", "getting-started")
    if key not in STARTER_TRACKS:
        messages.error(request, "There is no such starter track.")
        return redirect("learning:track", ws=ws)
    added = actions.install_starter_track(workspace=member.workspace, author=member, key=key)
    if added:
        messages.success(
            request, f"Added {len(added)} starter lessons. Read them through and adapt them to your company."
        )
    else:
        messages.info(request, "Those starter lessons are already in your track.")
    return redirect("learning:track", ws=ws)


# --- Admins: lessons ----------------------------------------------------------------------------------------


def _lesson_form(request: HttpRequest, ws: str, *, lesson_id: int | None, track_id: int | None) -> HttpResponse:
    member = _admin(request, ws)
    workspace = member.workspace
    obj: Lesson | None = None
    target: LessonTrack | None
    if lesson_id is not None:
        obj = get_for_workspace(Lesson.objects.select_related("track", "video"), workspace, pk=lesson_id)
        target = obj.track
    elif track_id is not None:
        target = get_for_workspace(LessonTrack.objects.all(), workspace, pk=track_id)
    else:  # the first track (created with the first lesson when there is none: never on a GET)
        target = LessonTrack.objects.filter(workspace=workspace).order_by("position", "pk").first()
    post = request.method == "POST"
    form = LessonForm(
        request.POST if post else None,
        request.FILES if post else None,
        initial=LessonForm.initial_for(obj) if obj else {"pass_percent": 100},
        workspace=workspace,
        current_video=obj.video if obj else None,
    )
    questions = QuestionFormSet(
        request.POST if post else None,
        prefix="q",
        initial=[QuestionForm.initial_for(q) for q in obj.questions.all()] if obj else None,
    )
    preview = None
    if post and form.is_valid() and questions.is_valid():
        draft = lesson_draft(form, questions)
        data = form.cleaned_data
        media = Media(
            image=data["image"] or None,
            image_alt=data["image_alt"],
            remove_image=data["remove_image"],
            video=data["video"],
            video_upload=data["video_upload"] or None,
            uploader=member,
        )
        try:
            if request.POST.get("action") == "preview":
                draft = actions.clean_draft(draft)
                preview = {"title": draft.title, "body_html": render_markdown(draft.body_markdown), "draft": draft}
            elif obj is None:
                obj = actions.create_lesson(workspace=workspace, author=member, draft=draft, track=target, media=media)
            else:
                actions.update_lesson(lesson=obj, draft=draft, position=data["position"], media=media)
        except LessonError as exc:
            form.add_error(None, str(exc))
        else:
            if preview is None and obj is not None:
                messages.success(request, "Lesson saved.")
                return redirect("learning:track_detail", ws=ws, track_id=obj.track_id)
    return _page(
        request, "learning/form.html", member, form=form, questions=questions, lesson=obj, track=target, preview=preview
    )


@login_required
@allow_methods("GET", "POST")
def lesson_create(request: HttpRequest, ws: str) -> HttpResponse:
    return _lesson_form(request, ws, lesson_id=None, track_id=None)


@login_required
@allow_methods("GET", "POST")
def lesson_create_in(request: HttpRequest, ws: str, track_id: int) -> HttpResponse:
    return _lesson_form(request, ws, lesson_id=None, track_id=track_id)


@login_required
@allow_methods("GET", "POST")
def lesson_edit(request: HttpRequest, ws: str, lesson_id: int) -> HttpResponse:
    return _lesson_form(request, ws, lesson_id=lesson_id, track_id=None)


@login_required
@allow_methods("POST")
def lesson_move(request: HttpRequest, ws: str, lesson_id: int) -> HttpResponse:
    member = _admin(request, ws)
    obj = get_for_workspace(Lesson.objects.all(), member.workspace, pk=lesson_id)
    actions.move_lesson(lesson=obj, direction=_direction(request))
    return redirect("learning:track_detail", ws=ws, track_id=obj.track_id)


# --- Admins: tips of the week -------------------------------------------------------------------------------


@login_required
@allow_methods("GET", "HEAD")
def tips(request: HttpRequest, ws: str) -> HttpResponse:
    member = _admin(request, ws)
    today = _today(member)
    return _page(
        request,
        "learning/tips.html",
        member,
        tips=list(Tip.objects.filter(workspace=member.workspace).order_by("week_of", "position", "pk")),
        current=tip_row_for_week(member.workspace_id, today),
        monday=actions.monday_of(today),
    )


def _tip_form(request: HttpRequest, ws: str, tip_id: int | None) -> HttpResponse:
    member = _admin(request, ws)
    obj = get_for_workspace(Tip.objects.all(), member.workspace, pk=tip_id) if tip_id is not None else None
    form = TipForm(request.POST if request.method == "POST" else None, initial=TipForm.initial_for(obj) if obj else {})
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_tip(
                workspace=member.workspace, draft=form.draft(), week_of=form.cleaned_data["week_of"], tip=obj
            )
        except LessonError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Tip saved.")
            return redirect("learning:tips", ws=ws)
    return _page(request, "learning/tip_form.html", member, form=form, tip=obj)


@login_required
@allow_methods("GET", "POST")
def tip_create(request: HttpRequest, ws: str) -> HttpResponse:
    return _tip_form(request, ws, None)


@login_required
@allow_methods("GET", "POST")
def tip_edit(request: HttpRequest, ws: str, tip_id: int) -> HttpResponse:
    return _tip_form(request, ws, tip_id)


@login_required
@allow_methods("POST")
def tip_delete(request: HttpRequest, ws: str, tip_id: int) -> HttpResponse:
    member = _admin(request, ws)
    actions.delete_tip(tip=get_for_workspace(Tip.objects.all(), member.workspace, pk=tip_id))
    messages.success(request, "Tip deleted.")
    return redirect("learning:tips", ws=ws)


@login_required
@allow_methods("POST")
def tips_starter(request: HttpRequest, ws: str) -> HttpResponse:
    member = _admin(request, ws)
    added = actions.install_starter_tips(workspace=member.workspace)
    if added:
        messages.success(request, f"Added {len(added)} starter tips to the weekly rotation. Adapt them freely.")
    else:
        messages.info(request, "The starter tips are already here.")
    return redirect("learning:tips", ws=ws)
