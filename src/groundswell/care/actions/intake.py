"""Opening cases from mentions, routing them to a responder, and escalating the overdue ones.

Routing and escalation of a workspace run with its :class:`CareSettings` row locked, so two cases routed
at once cannot both go to the last free responder, and an escalation is claimed with a conditional update
(it happens once however many workers run the periodic task). The ingest pipeline of listening calls
:func:`open_cases_for` with the mentions it just stored."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from zoneinfo import ZoneInfo

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from groundswell.care import queries
from groundswell.care.actions._common import BATCH, CASE_INTENTS, _due, _locked_settings, _log, _mail, _needs, _url
from groundswell.care.hours import shift_end
from groundswell.care.models import CareSettings, Case, CaseStatus, EventKind, ResponderProfile
from groundswell.care.routing import Needs, Responder, choose, language_of, next_step, schedules_for
from groundswell.listening.models import Mention, Post, Topic, TopicKind
from groundswell.notify import actions as notify
from groundswell.workspaces.models import Membership, Role, Workspace

# --- opening ---------------------------------------------------------------------------


def open_missed_cases(*, now: dt.datetime | None = None, days: int = 2, limit: int = 500) -> int:
    """Open cases for recent brand questions and complaints that have none (a safety net behind ingest)."""
    now = now or timezone.now()
    missed = list(
        Mention.objects.filter(
            topic__kind="brand",
            intent__in=("question", "complaint"),
            post__published_at__gte=now - dt.timedelta(days=days),
            post__duplicate_of__isnull=True,
            post__care_case__isnull=True,
        )
        .order_by("post_id")
        .values_list("pk", flat=True)[:limit]
    )
    if not missed:
        return 0
    return len(open_cases_for(Mention.objects.filter(pk__in=missed), now=now))


def open_cases_for(mentions: Iterable[Mention], *, now: dt.datetime | None = None) -> list[Case]:
    """Open a case for each post among ``mentions`` that asks or complains about the brand, and route it.

    Called by the ingest pipeline with the mentions it stored (inside or after its transaction). Idempotent:
    a post has at most one case, so calling again with the same mentions opens nothing. Near-duplicates
    (``Post.duplicate_of``) open no case. The case's topic (for skills) is the post's first non-brand topic,
    else its brand topic."""
    now = now or timezone.now()
    ids = [m.pk for m in mentions]
    rows = (
        Mention.objects.filter(pk__in=ids, post__duplicate_of__isnull=True, post__care_case__isnull=True)
        .select_related("topic", "post")
        .order_by("post_id", "topic__kind", "topic_id")
    )
    by_post: dict[int, list[Mention]] = defaultdict(list)
    for m in rows:
        by_post[m.post_id].append(m)
    opened: list[Case] = []
    for found in by_post.values():
        post = found[0].post
        if post.intent not in CASE_INTENTS or not any(m.topic.kind == TopicKind.BRAND for m in found):
            continue
        case = _open_case(post, _case_topic(found), post.intent, now, note=f"{post.get_intent_display()}")
        if case is not None:
            opened.append(case)
    return opened


def _case_topic(found: Sequence[Mention]) -> Topic:
    """A case's topic (for skills): the post's first non-brand topic, else its brand topic."""
    others = [m.topic for m in found if m.topic.kind != TopicKind.BRAND]
    return others[0] if others else next(m.topic for m in found if m.topic.kind == TopicKind.BRAND)


def _open_case(
    post: Post,
    topic: Topic | None,
    intent: str,
    now: dt.datetime,
    *,
    note: str,
    actor: Membership | None = None,
    take: Membership | None = None,
) -> Case | None:
    """Open the case of ``post`` (None when it has one already) and route it, or give it to ``take`` (a member
    who answers it themselves), in one transaction."""
    with transaction.atomic():
        settings = _locked_settings(post.workspace_id)
        case, created = Case.objects.get_or_create(
            post=post,
            defaults={
                "workspace_id": post.workspace_id,
                "topic": topic,
                "language": language_of(post.lang),
                "intent": intent,
                "opened_at": now,
            },
        )
        if not created:
            return None
        workspace = Workspace.objects.get(pk=post.workspace_id)
        found_responders = queries.responders(workspace)
        case.sla_due_at = _due(schedules_for(found_responders, _needs(case)), now, settings.first_response_minutes)
        case.save(update_fields=["sla_due_at"])
        about = f" about {topic.name}" if topic is not None else ""
        _log(case, EventKind.OPENED, now, actor=actor, note=f"{note}{about}")
        if take is None:
            _route(case, settings, found_responders, now, kind=EventKind.ASSIGNED)
        else:
            due = _due(schedules_for(found_responders, _needs(case)), now, settings.first_response_minutes)
            values = {
                "status": CaseStatus.ASSIGNED,
                "assignee_id": take.pk,
                "assigned_at": now,
                "acknowledged_at": None,
                "escalate_at": due,
            }
            for name, value in values.items():
                setattr(case, name, value)
            case.save(update_fields=list(values))
            _log(case, EventKind.ASSIGNED, now, actor=take, member_id=take.pk, note="Taken from triage to answer.")
    return case


# --- routing -----------------------------------------------------------------------------------------------


def _route(
    case: Case,
    settings: CareSettings,
    found: list[Responder],
    now: dt.datetime,
    *,
    kind: str,
    exclude: frozenset[int] = frozenset(),
    note: str = "",
) -> Responder | None:
    """Assign ``case`` (status new, settings locked) to the best responder, or leave it queued."""
    needs = Needs(language=case.language, topic_id=case.topic_id, exclude=exclude)
    chosen = choose(found, needs, now, settings.max_open_per_person)
    if chosen is None:
        if case.status != CaseStatus.NEW:
            Case.objects.filter(pk=case.pk).update(
                status=CaseStatus.NEW, assignee=None, acknowledged_at=None, escalate_at=None
            )
            case.status, case.assignee_id, case.escalate_at = CaseStatus.NEW, None, None
        if kind == EventKind.ASSIGNED:
            _log(case, EventKind.QUEUED, now, note="Nobody who can answer it is on shift and free.")
        return None
    minutes = settings.first_response_minutes if case.escalations == 0 else settings.step_minutes
    escalate_at = _due(schedules_for(found, _needs(case)), now, minutes)
    # The assignee's shift ends first: the case moves on then rather than wait for them overnight.
    off_at = shift_end(chosen.week, chosen.tz, now)
    values = {
        "status": CaseStatus.ASSIGNED,
        "assignee_id": chosen.member_id,
        "assigned_at": now,
        "acknowledged_at": None,
        "escalate_at": min(escalate_at, off_at) if off_at is not None else escalate_at,
    }
    for name, value in values.items():
        setattr(case, name, value)
    case.save(update_fields=list(values))
    profile, _ = ResponderProfile.objects.get_or_create(
        member_id=chosen.member_id, defaults={"workspace_id": case.workspace_id, "time_zone": ""}
    )
    ResponderProfile.objects.filter(pk=profile.pk).update(last_assigned_at=now)
    _log(case, EventKind.REASSIGNED if kind == EventKind.REASSIGNED else EventKind.ASSIGNED, now,
         member_id=chosen.member_id, note=note)  # fmt: skip
    assignee = Membership.objects.select_related("user", "workspace").get(pk=chosen.member_id)
    case.workspace = assignee.workspace
    context = {"case": case, "member": assignee, "url": _url(case), "due": _local(case.escalate_at, assignee)}
    notify.notify(assignee, notify.Kind.CASE_ROUTED, "A customer is waiting for an answer", _ask(case, context),
                  _url(case), email_body=render_to_string("care/email/assigned.txt", context))  # fmt: skip
    return chosen


def _ask(case: Case, context: dict[str, object]) -> str:
    due = f" Please answer by {context['due']}." if context["due"] else ""
    return f"{case.post.text[:140]}{due}"


def _local(moment: dt.datetime | None, member: Membership) -> str:
    if moment is None:
        return ""
    return timezone.localtime(moment, ZoneInfo(member.workspace.timezone)).strftime("%a %d %b %H:%M")


def route_waiting(now: dt.datetime | None = None, *, workspace_id: int | None = None) -> int:
    """Assign the cases waiting in the queue to whoever is on shift and free now (oldest first)."""
    now = now or timezone.now()
    waiting = Case.objects.filter(status=CaseStatus.NEW)
    if workspace_id is not None:
        waiting = waiting.filter(workspace_id=workspace_id)
    by_workspace: dict[int, list[int]] = defaultdict(list)
    for pk, ws in waiting.order_by("opened_at", "pk").values_list("pk", "workspace_id")[:BATCH]:
        by_workspace[ws].append(pk)
    assigned = 0
    for ws, pks in by_workspace.items():
        with transaction.atomic():
            settings = _locked_settings(ws)
            workspace = Workspace.objects.get(pk=ws)
            found = queries.responders(workspace)
            if not found:
                continue
            for case in Case.objects.filter(pk__in=pks, status=CaseStatus.NEW).order_by("opened_at", "pk"):
                chosen = _route(case, settings, found, now, kind="retry", exclude=queries.earlier_assignees(case))
                if chosen is None:
                    continue
                assigned += 1
                found = [
                    replace(r, open_cases=r.open_cases + 1, recent_cases=r.recent_cases + 1, last_assigned_at=now)
                    if r.member_id == chosen.member_id
                    else r
                    for r in found
                ]
    return assigned


# --- escalation ------------------------------------------------------------------------------------------


def escalate_overdue(now: dt.datetime | None = None) -> int:
    """Move every assigned case that nobody answered in time one step on: to the next candidate (the previous
    assignee is told and released), or after the last step to the program admins (e-mail, and the admins'
    queue shows it). Also hands to the admins the queued cases whose first-response target passed while
    everyone able to answer was busy. Each step is claimed with a conditional update: it happens once."""
    now = now or timezone.now()
    due = list(
        Case.objects.filter(status=CaseStatus.ASSIGNED, first_response_at__isnull=True, escalate_at__lte=now)
        .order_by("escalate_at", "pk")
        .values_list("pk", "workspace_id", "assignee_id", "escalations")[:BATCH]
    )
    done = 0
    for pk, ws, assignee_id, level in due:
        with transaction.atomic():
            settings = _locked_settings(ws)
            claimed = Case.objects.filter(
                pk=pk, status=CaseStatus.ASSIGNED, assignee_id=assignee_id, escalations=level,
                first_response_at__isnull=True,
            ).update(status=CaseStatus.NEW, assignee=None, acknowledged_at=None, escalations=level + 1, escalate_at=None)  # fmt: skip
            if not claimed:
                continue  # answered meanwhile, or another worker escalated it first
            case = Case.objects.select_related("workspace", "post").get(pk=pk)
            previous = Membership.objects.select_related("user").filter(pk=assignee_id).first()
            if previous is not None:
                _mail(
                    "released.txt",
                    "A customer case moved on to a colleague",
                    [previous.user.email],
                    {"case": case, "member": previous, "minutes": settings.first_response_minutes},
                )
            chosen = None
            if next_step(level, settings.escalation_steps) == "reassign":
                found = queries.responders(case.workspace)
                chosen = _route(
                    case,
                    settings,
                    found,
                    now,
                    kind=EventKind.REASSIGNED,
                    exclude=queries.earlier_assignees(case),
                    note="Not answered in time: moved to the next person.",
                )
            if chosen is None:
                _to_admins(case, now, "Not answered in time by anyone on shift.")
            done += 1
    for pk in Case.objects.filter(status=CaseStatus.NEW, sla_due_at__lte=now).values_list("pk", flat=True)[:BATCH]:
        with transaction.atomic():
            if Case.objects.filter(pk=pk, status=CaseStatus.NEW, sla_due_at__lte=now).update(
                status=CaseStatus.ESCALATED
            ):
                case = Case.objects.select_related("workspace", "post").get(pk=pk)
                _to_admins(case, now, "Waited past the first-response target: everyone able to answer was busy.")
                done += 1
    return done


def _to_admins(case: Case, now: dt.datetime, why: str) -> None:
    Case.objects.filter(pk=case.pk).update(
        status=CaseStatus.ESCALATED, assignee=None, acknowledged_at=None, escalate_at=None
    )
    case.status = CaseStatus.ESCALATED
    _log(case, EventKind.ESCALATED, now, note=why)
    admins = Membership.objects.filter(workspace_id=case.workspace_id, is_active=True, role=Role.ADMIN)
    _mail(
        "escalated.txt",
        "A customer case needs an admin",
        list(admins.values_list("user__email", flat=True)),
        {"case": case, "why": why, "url": _url(case)},
    )
