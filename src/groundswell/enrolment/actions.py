"""The write layer of enrolment: open and close calls for interest, join, decline, leave.

Every change of a member's answer appends an :class:`EnrolmentEvent` in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone

from groundswell.content.models import Topic
from groundswell.enrolment import queries
from groundswell.enrolment.mail import call_email
from groundswell.enrolment.models import (
    CHOICE_ORDER,
    CallEmail,
    CallForInterest,
    ChoiceKind,
    Comfort,
    Enrolment,
    EnrolmentChoice,
    EnrolmentEvent,
    Hours,
    Status,
)
from groundswell.lib.periods import local_day
from groundswell.workspaces.models import Membership, Workspace

#: The answers as saved, in the history (JSON).
Snapshot = dict[str, Any]

MAX_TITLE = 160
MAX_MESSAGE = 4000
MAX_DEADLINE_DAYS = 180


class EnrolmentError(ValueError):
    """A change that cannot be made, with a message for the person who tried."""


# --- Calls for interest ---------------------------------------------------------------------------


def check_call(workspace: Workspace, *, title: str, message: str, deadline: dt.date) -> tuple[str, str]:
    """The cleaned title and message, or EnrolmentError (shared by the preview and ``open_call``)."""
    title, message = " ".join(title.split()), message.strip()
    if not title:
        raise EnrolmentError("Give the call a short title.")
    if len(title) > MAX_TITLE:
        raise EnrolmentError(f"Keep the title under {MAX_TITLE} characters.")
    if not message:
        raise EnrolmentError("Write a short message: why you are asking and what volunteers will do.")
    if len(message) > MAX_MESSAGE:
        raise EnrolmentError(f"Keep the message under {MAX_MESSAGE} characters.")
    today = local_day(timezone.now(), workspace.timezone)
    if deadline < today:
        raise EnrolmentError("The deadline is in the past: pick today or a later day.")
    if deadline > today + dt.timedelta(days=MAX_DEADLINE_DAYS):
        raise EnrolmentError(f"Pick a deadline within {MAX_DEADLINE_DAYS} days.")
    return title, message


def open_call(
    *, workspace: Workspace, by: Membership, title: str, message: str, deadline: dt.date, send_email: bool = True
) -> CallForInterest:
    """Open a call (one at a time) and, after commit, start emailing the members in batches."""
    title, message = check_call(workspace, title=title, message=message, deadline=deadline)
    with transaction.atomic():
        # Lock the workspace row so two admins cannot open two calls at once.
        Workspace.objects.select_for_update().filter(pk=workspace.pk).first()
        if queries.open_call(workspace) is not None:
            raise EnrolmentError("A call for interest is already open: close it before opening another.")
        call = CallForInterest.objects.create(
            workspace=workspace, title=title, message=message, opened_by=by, deadline=deadline
        )
        if send_email:
            from groundswell.enrolment.tasks import send_call_emails

            transaction.on_commit(lambda: send_call_emails.enqueue(call.pk))
    return call


def close_call(call: CallForInterest) -> CallForInterest:
    """Close a call now (idempotent). Answers stay; anyone can still join from the page."""
    with transaction.atomic():
        CallForInterest.objects.filter(pk=call.pk, closed_at__isnull=True).update(closed_at=timezone.now())
    call.refresh_from_db(fields=["closed_at"])
    return call


# --- A member's answer ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Answers:
    activities: Sequence[str]
    networks: Sequence[str] = ()
    topic_ids: Sequence[int] = ()
    hours: str = Hours.UNDER_ONE
    comfort: str = Comfort.BEGINNER
    languages: Sequence[str] = ()
    show_to_manager: bool = False


def _clean_values(kind: str, values: Iterable[str], what: str) -> list[str]:
    allowed = CHOICE_ORDER[kind]
    chosen = set(values)
    unknown = sorted(chosen - set(allowed))
    if unknown:
        raise EnrolmentError(f"Unknown {what}: {', '.join(unknown)[:200]}.")
    return [v for v in allowed if v in chosen]


def _topics(workspace: Workspace, topic_ids: Sequence[int]) -> list[Topic]:
    ids = set(topic_ids)
    topics = list(Topic.objects.filter(workspace=workspace, pk__in=ids))
    if len(topics) != len(ids):
        raise EnrolmentError("Some of those topics do not exist in this workspace.")
    return topics


def _locked_enrolment(member: Membership) -> Enrolment | None:
    return Enrolment.objects.select_for_update().filter(member=member).first()


def _snapshot(enrolment: Enrolment, *, activities: list[str], networks: list[str], languages: list[str]) -> Snapshot:
    return {
        "activities": activities,
        "networks": networks,
        "languages": languages,
        "topics": sorted(t.name for t in enrolment.topics.all()),
        "hours": enrolment.hours,
        "comfort": enrolment.comfort,
        "show_to_manager": enrolment.show_to_manager,
    }


def _record(enrolment: Enrolment, previous: str, call: CallForInterest | None, snapshot: Snapshot) -> None:
    EnrolmentEvent.objects.create(
        workspace_id=enrolment.workspace_id,
        member_id=enrolment.member_id,
        call=call,
        status=enrolment.status,
        previous_status=previous,
        snapshot=snapshot,
        at=enrolment.updated_at,
    )


def join(member: Membership, answers: Answers) -> Enrolment:
    """Join (or change one's answers): at least one activity; everything else optional."""
    activities = _clean_values(ChoiceKind.ACTIVITY, answers.activities, "activity")
    if not activities:
        raise EnrolmentError("Pick at least one thing you would like to do.")
    networks = _clean_values(ChoiceKind.NETWORK, answers.networks, "network")
    languages = _clean_values(ChoiceKind.LANGUAGE, answers.languages, "language")
    if answers.hours not in Hours.values:
        raise EnrolmentError("Pick how much time you have per week.")
    if answers.comfort not in Comfort.values:
        raise EnrolmentError("Pick how comfortable you feel.")
    workspace = member.workspace
    call = queries.open_call(workspace)
    now = timezone.now()
    with transaction.atomic():
        topics = _topics(workspace, answers.topic_ids)
        enrolment = _locked_enrolment(member) or _create(member)
        previous = enrolment.status
        before = _current_snapshot(enrolment) if previous == Status.JOINED else None
        enrolment.status = Status.JOINED
        enrolment.hours = answers.hours
        enrolment.comfort = answers.comfort
        enrolment.show_to_manager = answers.show_to_manager
        if previous != Status.JOINED or enrolment.joined_at is None:
            enrolment.joined_at = now
        if call is not None:
            enrolment.answered_call = call
        enrolment.updated_at = now
        enrolment.save()
        enrolment.topics.set(topics)
        EnrolmentChoice.objects.filter(enrolment=enrolment).delete()
        EnrolmentChoice.objects.bulk_create(
            EnrolmentChoice(enrolment=enrolment, kind=kind, value=value)
            for kind, values in (
                (ChoiceKind.ACTIVITY, activities),
                (ChoiceKind.NETWORK, networks),
                (ChoiceKind.LANGUAGE, languages),
            )
            for value in values
        )
        snapshot = _snapshot(enrolment, activities=activities, networks=networks, languages=languages)
        if snapshot != before:
            _record(enrolment, previous, call, snapshot)
    return enrolment


def _create(member: Membership) -> Enrolment:
    """A new, not-yet-saved-as-joined row (status is set by the caller). Race-safe: one per member."""
    try:
        with transaction.atomic():
            return Enrolment.objects.create(workspace_id=member.workspace_id, member=member, status="")
    except IntegrityError:
        enrolment = _locked_enrolment(member)
        assert enrolment is not None
        return enrolment


def _current_snapshot(enrolment: Enrolment) -> Snapshot:
    return _snapshot(
        enrolment,
        activities=enrolment.activities,
        networks=enrolment.networks,
        languages=enrolment.languages,
    )


def _set_status(member: Membership, status: str) -> Enrolment:
    call = queries.open_call(member.workspace)
    with transaction.atomic():
        enrolment = _locked_enrolment(member) or _create(member)
        previous = enrolment.status
        if status == Status.LEFT and previous != Status.JOINED:
            raise EnrolmentError("You have not joined, so there is nothing to leave.")
        changed_call = call is not None and enrolment.answered_call_id != call.pk
        if previous == status and not changed_call:
            return enrolment  # nothing new: no history line, no nagging
        enrolment.status = status
        # Leaving or declining withdraws the permission to be shown by name (it was about taking part).
        enrolment.show_to_manager = False
        if call is not None:
            enrolment.answered_call = call
        enrolment.updated_at = timezone.now()
        enrolment.save()
        _record(enrolment, previous, call, {})
    return enrolment


def decline(member: Membership) -> Enrolment:
    """ "Not now": recorded so the member is not asked again for this call. A member who had joined leaves."""
    existing = Enrolment.objects.filter(member=member).values_list("status", flat=True).first()
    return _set_status(member, Status.LEFT if existing == Status.JOINED else Status.DECLINED)


def leave(member: Membership) -> Enrolment:
    """Leave the program (any time). The answers are kept for the member, no longer used for staffing."""
    return _set_status(member, Status.LEFT)


def set_min_group_size(workspace: Workspace, size: int) -> Workspace:
    if not 2 <= size <= 100:
        raise EnrolmentError("The minimum group size must be between 2 and 100.")
    with transaction.atomic():
        Workspace.objects.filter(pk=workspace.pk).update(min_group_size=size)
    workspace.min_group_size = size
    return workspace


# --- Emailing a call ------------------------------------------------------------------------------


def email_call_batch(call: CallForInterest, *, limit: int) -> int:
    """Email up to ``limit`` members who have not had this call's email yet; returns how many were sent.

    Each recipient is claimed (a unique ``CallEmail`` row) before the message goes out, so a retry or a
    second worker never emails anyone twice. A failed send gives the claim back and stops the batch.
    """
    if call.closed_at is not None or queries.open_call(call.workspace) != call:
        return 0
    sent = 0
    with get_connection() as connection:
        for member in list(queries.email_recipients(call)[:limit]):
            try:
                with transaction.atomic():
                    claim = CallEmail.objects.create(call=call, member=member)
            except IntegrityError:
                continue  # another worker got there first
            try:
                call_email(call, member, connection=connection).send()
            except Exception:
                CallEmail.objects.filter(pk=claim.pk).delete()
                raise
            sent += 1
    return sent
