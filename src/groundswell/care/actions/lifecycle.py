"""A case after it is answered or abandoned: resolving, closing, reassigning, releasing an offboarded member's cases."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from groundswell.care import queries
from groundswell.care.actions._common import (
    ERASED,
    MAX_NOTE,
    CareError,
    _due,
    _locked_settings,
    _log,
    _mail,
    _needs,
    _url,
)
from groundswell.care.actions.failed_replies import NOT_POSTED_YET
from groundswell.care.actions.intake import _local, route_waiting
from groundswell.care.actions.replies import can_answer
from groundswell.care.models import UNANSWERED, Case, CaseStatus, EventKind
from groundswell.care.routing import schedules_for
from groundswell.workspaces.models import Membership


def resolve_case(case: Case, member: Membership, *, now: dt.datetime | None = None) -> Case:
    """The customer's question is settled."""
    now = now or timezone.now()
    if not can_answer(case, member):
        raise CareError("This case is assigned to someone else.")
    with transaction.atomic():
        if queries.with_post(Case.objects.filter(pk=case.pk)).get().reply_not_posted:
            raise CareError(f"{NOT_POSTED_YET} Post it again, or record that you posted it yourself, first.")
        if not Case.objects.filter(pk=case.pk, status=CaseStatus.ANSWERED).update(
            status=CaseStatus.RESOLVED, resolved_at=now
        ):
            raise CareError("Only an answered case can be marked resolved.")
        case.refresh_from_db()
        _log(case, EventKind.RESOLVED, now, actor=member, member_id=case.assignee_id)
    return case


def acknowledge_case(case: Case, member: Membership, *, via: str = "", now: dt.datetime | None = None) -> bool:
    """The assignee says they have the case in hand (a button in Slack or Teams, or the case page).

    Logged once per assignment, so the team queue and the case's history show that someone is on it; the
    escalation timer keeps running (the customer is still waiting for an answer, not for an acknowledgement).
    False when this assignee had already acknowledged it.
    """
    now = now or timezone.now()
    with transaction.atomic():
        claimed = Case.objects.filter(
            pk=case.pk, assignee=member, status__in=UNANSWERED, acknowledged_at__isnull=True
        ).update(acknowledged_at=now)
        if not claimed:
            fresh = Case.objects.filter(pk=case.pk).values("assignee_id", "status").first()
            if fresh is None or fresh["assignee_id"] != member.pk:
                raise CareError("This case is assigned to someone else.")
            if fresh["status"] not in UNANSWERED:
                raise CareError("This case is already answered or closed.")
            return False
        case.refresh_from_db()
        _log(case, EventKind.ACKNOWLEDGED, now, actor=member, member_id=member.pk, note=f"from {via}" if via else "")
    return True


def close_case(case: Case, admin: Membership, note: str, *, now: dt.datetime | None = None) -> Case:
    """An admin closes a case that needs no answer (spam, answered elsewhere), saying why."""
    now = now or timezone.now()
    note = note.strip()
    if not note:
        raise CareError("Say why the case is closed, for the log.")
    if len(note) > MAX_NOTE:
        raise CareError(f"Keep the reason under {MAX_NOTE} characters.")
    with transaction.atomic():
        if not Case.objects.filter(pk=case.pk, status__in=[*UNANSWERED, CaseStatus.ANSWERED]).update(
            status=CaseStatus.CLOSED, resolved_at=now, escalate_at=None
        ):
            raise CareError("This case is already resolved or closed.")
        case.refresh_from_db()
        _log(case, EventKind.CLOSED, now, actor=admin, note=note)
    route_waiting(now, workspace_id=case.workspace_id)
    return case


def reassign_case(case: Case, admin: Membership, to: Membership, *, now: dt.datetime | None = None) -> Case:
    """An admin gives an unanswered case to a member of their choice (themselves included)."""
    now = now or timezone.now()
    if to.workspace_id != case.workspace_id or not to.is_active:
        raise CareError("Pick an active member of this workspace.")
    with transaction.atomic():
        settings = _locked_settings(case.workspace_id)
        locked = Case.objects.select_for_update().select_related("workspace").get(pk=case.pk)
        if locked.status not in UNANSWERED:
            raise CareError("This case was answered or closed meanwhile.")
        if locked.assignee_id == to.pk:
            raise CareError(f"{to.display_name} has this case already.")
        values = {
            "status": CaseStatus.ASSIGNED,
            "assignee_id": to.pk,
            "assigned_at": now,
            "acknowledged_at": None,
            "escalate_at": _due(
                schedules_for(queries.responders(locked.workspace), _needs(locked)),
                now,
                settings.first_response_minutes,
            ),
        }
        for name, value in values.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(values))
        _log(locked, EventKind.REASSIGNED, now, actor=admin, member_id=to.pk, note="Reassigned by an admin.")
        _mail(
            "assigned.txt",
            "A customer is waiting for an answer",
            [to.user.email],
            {"case": locked, "member": to, "url": _url(locked), "due": _local(locked.escalate_at, to)},
        )
    return locked


# --- offboarding ------------------------------------------------------------------------------------------


def release_cases_of(member: Membership, *, reason: str = "", now: dt.datetime | None = None) -> int:
    """A deactivated member's unanswered cases go back to the queue (a ``queued`` line in each case's log,
    without their name) and are routed at once to whoever is on shift and free (``route_waiting``); the
    earlier assignees, them included, are not picked again. Returns how many cases were released.

    Idempotent: a second call finds none. Does nothing while the member is active (reactivated meanwhile),
    except with ``reason`` :data:`ERASED`: privacy's erasure clears the member from their cases, and a case
    left "assigned" to nobody would wait for its escalation timer, so it goes back to the queue whatever the
    member's state (the deactivation's own receiver may not have run: it runs after the commit)."""
    from groundswell.workspaces.signals import DeactivationReason

    now = now or timezone.now()
    if reason == ERASED:
        note = "Back in the queue: the assignee's data was erased."
    else:
        why = DeactivationReason(reason).label if reason in DeactivationReason.values else "is no longer a member"
        note = f"Back in the queue: the assignee {why}."
    released = 0
    with transaction.atomic():
        if reason != ERASED and Membership.objects.filter(pk=member.pk, is_active=True).exists():
            return 0
        _locked_settings(member.workspace_id)  # routing of this workspace waits for us
        for case in Case.objects.filter(assignee=member, status=CaseStatus.ASSIGNED).order_by("opened_at", "pk"):
            if not Case.objects.filter(pk=case.pk, assignee=member, status=CaseStatus.ASSIGNED).update(
                status=CaseStatus.NEW, assignee=None, acknowledged_at=None, escalate_at=None
            ):
                continue
            _log(case, EventKind.QUEUED, now, member_id=member.pk, note=note)
            released += 1
    if released:
        route_waiting(now, workspace_id=member.workspace_id)
    return released
