"""Lessons: the track (every member), reading and completing a lesson, and the admin editor and schedule."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from groundswell.learning.actions import (
    LessonError,
    complete_lesson,
    create_lesson,
    install_starter_lessons,
    set_schedule,
    update_lesson,
)
from groundswell.learning.forms import AnswerForm, LessonForm, ScheduleForm
from groundswell.learning.models import Lesson
from groundswell.learning.queries import completion_counts, lessons_with_status, status_of, track_of
from groundswell.lib.periods import local_day
from groundswell.policy.rendering import render_markdown
from groundswell.workspaces.access import allow_methods, get_for_workspace, get_membership, require_role
from groundswell.workspaces.models import Membership, Role


def _page(request: HttpRequest, template: str, member: Membership, **context: Any) -> HttpResponse:
    with timezone.override(member.workspace.timezone):
        return render(request, template, {"workspace": member.workspace, "member": member, "nav": "learn", **context})


def _today(member: Membership) -> Any:
    return local_day(timezone.now(), member.workspace.timezone)


@login_required
def track(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    today = _today(member)
    lessons = lessons_with_status(member, today)
    released = [s for s in lessons if s.released]
    upcoming = next((s for s in lessons if not s.released), None)
    counts = completion_counts(member.workspace) if member.is_admin else {}
    active = Membership.objects.filter(workspace=member.workspace, is_active=True).count() if member.is_admin else 0
    return _page(
        request,
        "learning/track.html",
        member,
        rows=[(s, counts.get(s.lesson.pk, 0)) for s in (lessons if member.is_admin else released)],
        done=sum(1 for s in released if s.completed),
        released_count=len(released),
        upcoming=upcoming,
        track=track_of(member.workspace),
        active_members=active,
    )


@login_required
@allow_methods("GET", "POST")
def lesson(request: HttpRequest, ws: str, lesson_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    obj = get_for_workspace(Lesson.objects.all(), member.workspace, pk=lesson_id)
    status = status_of(member, obj, _today(member))
    if not status.released and not member.is_admin:
        raise Http404("This lesson is not released yet")
    form = AnswerForm(request.POST if request.method == "POST" else None, lesson=obj) if obj.has_check else None
    wrong = False
    if request.method == "POST":
        if not status.released:
            messages.error(request, "This lesson is not released yet: members can complete it from its release day.")
            return redirect("learning:lesson", ws=ws, lesson_id=obj.pk)
        if form is None or form.is_valid():
            choice = form.cleaned_data["choice"] if form is not None else None
            try:
                attempt = complete_lesson(member=member, lesson=obj, choice=choice)
            except LessonError as exc:
                if form is not None:
                    form.add_error("choice", str(exc))
            else:
                if attempt.correct:
                    if attempt.points:
                        messages.success(request, f"Lesson completed — {attempt.points} points. Well done!")
                    else:
                        messages.success(request, "Lesson completed.")
                    return redirect("learning:track", ws=ws)
                wrong = True
    return _page(
        request,
        "learning/lesson.html",
        member,
        status=status,
        lesson=obj,
        body_html=render_markdown(obj.body_markdown),
        form=form,
        wrong=wrong,
    )


def _save(request: HttpRequest, ws: str, lesson_id: int | None) -> HttpResponse:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    workspace = member.workspace
    obj = get_for_workspace(Lesson.objects.all(), workspace, pk=lesson_id) if lesson_id is not None else None
    form = LessonForm(
        request.POST if request.method == "POST" else None, initial=LessonForm.initial_for(obj) if obj else {}
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        draft = form.draft()
        try:
            if request.POST.get("action") == "preview":
                preview = {"title": draft.title, "body_html": render_markdown(draft.body_markdown)}
            elif obj is None:
                create_lesson(workspace=workspace, author=member, draft=draft)
            else:
                position = form.cleaned_data["position"]
                update_lesson(lesson=obj, draft=draft, position=obj.position if position is None else position)
        except LessonError as exc:
            form.add_error(None, str(exc))
        else:
            if preview is None:
                messages.success(request, "Lesson saved.")
                return redirect("learning:track", ws=ws)
    return _page(request, "learning/form.html", member, form=form, lesson=obj, preview=preview)


@login_required
@allow_methods("GET", "POST")
def lesson_create(request: HttpRequest, ws: str) -> HttpResponse:
    return _save(request, ws, None)


@login_required
@allow_methods("GET", "POST")
def lesson_edit(request: HttpRequest, ws: str, lesson_id: int) -> HttpResponse:
    return _save(request, ws, lesson_id)


@login_required
@allow_methods("GET", "POST")
def schedule(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    current = track_of(member.workspace)
    initial = (
        {"starts_on": current.starts_on, "interval_days": current.interval_days}
        if current
        else {"starts_on": _today(member), "interval_days": 7}
    )
    form = ScheduleForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            set_schedule(
                workspace=member.workspace,
                starts_on=form.cleaned_data["starts_on"],
                interval_days=form.cleaned_data["interval_days"],
            )
        except LessonError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Release schedule saved.")
            return redirect("learning:track", ws=ws)
    return _page(request, "learning/schedule.html", member, form=form)


@login_required
@allow_methods("POST")
def install_starter(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    added = install_starter_lessons(workspace=member.workspace, author=member)
    if added:
        messages.success(
            request, f"Added {len(added)} starter lessons. Read them through and adapt them to your company."
        )
    else:
        messages.info(request, "The starter lessons are already in your track.")
    return redirect("learning:track", ws=ws)
