"""Responder profiles, the workspace's care settings, department skills and snippets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from groundswell.care import queries
from groundswell.care.actions._common import CareError, _locked_settings
from groundswell.care.hours import Week, to_json
from groundswell.care.models import CareSettings, DepartmentSkill, ResponderProfile, Snippet
from groundswell.listening.models import Topic
from groundswell.workspaces.models import Department, Membership, Workspace

# --- profiles, settings, snippets --------------------------------------------------------------------------


def ensure_profile(member: Membership) -> ResponderProfile:
    """The member's responder profile, created the first time from their enrolment (languages, and the
    listening topics named like the topics they chose) in the workspace's time zone."""
    profile = ResponderProfile.objects.filter(member=member).first()
    if profile is not None:
        return profile
    languages, topics = queries.seed_from_enrolment(member)
    with transaction.atomic():
        profile, created = ResponderProfile.objects.get_or_create(
            member=member, defaults={"workspace_id": member.workspace_id, "languages": languages}
        )
        if created and topics:
            profile.skills.set(topics)
    return profile


def update_profile(
    member: Membership,
    *,
    languages: list[str],
    week: Week,
    tz: str,
    skills: Iterable[Topic],
    paused: bool,
    now: dt.datetime | None = None,
) -> ResponderProfile:
    now = now or timezone.now()
    profile = ensure_profile(member)
    with transaction.atomic():
        profile.languages = list(languages)
        profile.week = to_json(week)
        profile.time_zone = "" if tz == member.workspace.timezone else tz
        profile.paused = paused
        profile.updated_at = now
        profile.save(update_fields=["languages", "week", "time_zone", "paused", "updated_at"])
        profile.skills.set(list(skills))
    return profile


def update_settings(
    workspace: Workspace, *, first_response_minutes: int, max_open_per_person: int, escalation_steps: int,
    step_minutes: int,
) -> CareSettings:  # fmt: skip
    with transaction.atomic():
        settings = _locked_settings(workspace.pk)
        settings.first_response_minutes = first_response_minutes
        settings.max_open_per_person = max_open_per_person
        settings.escalation_steps = escalation_steps
        settings.step_minutes = step_minutes
        settings.updated_at = timezone.now()
        settings.save()
    return settings


def add_department_skill(workspace: Workspace, department: Department, topic: Topic) -> DepartmentSkill:
    if department.workspace_id != workspace.pk or topic.workspace_id != workspace.pk:
        raise CareError("Pick a department and a topic of this workspace.")
    with transaction.atomic():
        skill, _ = DepartmentSkill.objects.get_or_create(
            department=department, topic=topic, defaults={"workspace": workspace}
        )
    return skill


def remove_department_skill(skill: DepartmentSkill) -> None:
    with transaction.atomic():
        DepartmentSkill.objects.filter(pk=skill.pk).delete()


def save_snippet(
    workspace: Workspace,
    by: Membership,
    *,
    title: str,
    body: str,
    language: str,
    topics: Iterable[Topic],
    snippet: Snippet | None = None,
) -> Snippet:
    """Create (or, with ``snippet``, change) an approved answer."""
    with transaction.atomic():
        if snippet is None:
            snippet = Snippet.objects.create(
                workspace=workspace, title=title.strip(), body=body.strip(), language=language, created_by=by
            )
        else:
            snippet.title, snippet.body, snippet.language = title.strip(), body.strip(), language
            snippet.save(update_fields=["title", "body", "language"])
        snippet.topics.set(list(topics))
    return snippet


def delete_snippet(snippet: Snippet) -> None:
    with transaction.atomic():
        Snippet.objects.filter(pk=snippet.pk).delete()
