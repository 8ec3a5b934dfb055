"""The write layer of customer care: one transaction per action, named for what it does.

Routing and escalation of a workspace run with its :class:`CareSettings` row locked, so two cases routed
at once cannot both go to the last free responder, and an escalation is claimed with a conditional update
(it happens once however many workers run the periodic task). Raises :class:`CareError` with a message for
the person using the page.

The ingest pipeline of listening calls :func:`open_cases_for` with the mentions it just stored. A reply that
the outbox could not post is found by the periodic :func:`notify_failed_replies`, one that waits too long by
:func:`notify_stuck_replies` (the responder is told once per job either way), and fixed with
:func:`retry_reply` or :func:`mark_reply_posted_by_hand` (which cancel a stuck job first).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from zoneinfo import ZoneInfo

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Min, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from groundswell.analytics.rollups import RollupBatch
from groundswell.care import queries
from groundswell.care.hours import Week, add_staffed, shift_end, staffed_minutes, to_json
from groundswell.care.models import (
    FIXABLE,
    NOT_POSTED,
    POSTED_VIA,
    UNANSWERED,
    CareSettings,
    Case,
    CaseEvent,
    CaseStatus,
    DepartmentSkill,
    DismissReason,
    EventKind,
    ReplyVia,
    ResponderProfile,
    Snippet,
    TriageItem,
    TriageStatus,
)
from groundswell.care.routing import Needs, Responder, choose, language_of, next_step, schedules_for
from groundswell.lib.periods import local_day
from groundswell.listening.enrichment import intent as intent_rules
from groundswell.listening.models import Intent, Mention, Post, Topic, TopicKind
from groundswell.networks import outbox
from groundswell.networks.base import ReplyTarget
from groundswell.networks.models import AccountStatus, OutboundPost, PostStatus
from groundswell.rewards.actions import award_points
from groundswell.rewards.models import Action
from groundswell.workspaces.models import Department, Membership, Role, Workspace

log = logging.getLogger(__name__)

CASE_INTENTS = (Intent.QUESTION, Intent.COMPLAINT)
MAX_REPLY = 3000
MAX_NOTE = 500
MAX_URL = 2000
BATCH = 500
#: A reply whose account needs reconnecting is "stuck" this long after it was scheduled: the responder is told
#: and can post it another way. (Any reply still not out after the workspace's first-response target is stuck
#: too, whatever it waits for: the network failing with long back-off, say.) Wall-clock time: the network does
#: not keep office hours.
RECONNECT_STUCK_AFTER = dt.timedelta(minutes=30)
#: ``release_cases_of(reason=ERASED)``: the member's data is being erased (privacy), whatever their state.
ERASED = "erased"


class CareError(ValueError):
    """What cannot be done, in words for the member."""


def _log(case: Case, kind: str, at: dt.datetime, *, actor: Membership | None = None, member_id: int | None = None,
         note: str = "") -> None:  # fmt: skip
    CaseEvent.objects.create(
        workspace_id=case.workspace_id, case=case, kind=kind, actor=actor, member_id=member_id, note=note[:500], at=at
    )


def _locked_settings(workspace_id: int) -> CareSettings:
    """The workspace's settings row, created if needed and locked until the transaction ends."""
    CareSettings.objects.get_or_create(workspace_id=workspace_id)
    return CareSettings.objects.select_for_update().get(workspace_id=workspace_id)


def _due(schedules: Sequence[tuple[Week, str]], start: dt.datetime, minutes: int) -> dt.datetime:
    """``minutes`` staffed minutes after ``start``; wall-clock minutes when nobody works in the next weeks."""
    return add_staffed(schedules, start, minutes) or start + dt.timedelta(minutes=minutes)


def _needs(case: Case) -> Needs:
    return Needs(language=case.language, topic_id=case.topic_id)


def _url(case: Case, name: str = "care:case") -> str:
    kwargs: dict[str, object] = {"ws": case.workspace.slug}
    if name == "care:case":
        kwargs["case_id"] = case.pk
    return django_settings.SITE_URL + reverse(name, kwargs=kwargs)


def _mail(template: str, subject: str, to: list[str], context: dict[str, object]) -> None:
    to = [a for a in to if a]
    if not to:
        return
    message = EmailMessage(subject, render_to_string(f"care/email/{template}", context), None, to)
    transaction.on_commit(lambda: message.send(fail_silently=False))


# --- opening and routing ---------------------------------------------------------------------------


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
            values = {"status": CaseStatus.ASSIGNED, "assignee_id": take.pk, "assigned_at": now, "escalate_at": due}
            for name, value in values.items():
                setattr(case, name, value)
            case.save(update_fields=list(values))
            _log(case, EventKind.ASSIGNED, now, actor=take, member_id=take.pk, note="Taken from triage to answer.")
    return case


# --- triage (ADR 0028) -----------------------------------------------------------------------------------


def open_triage_for(mentions: Iterable[Mention], *, now: dt.datetime | None = None) -> list[TriageItem]:
    """Put in the triage queue each post among ``mentions`` that mentions the brand, comes from outside the
    company, did not become a case and is not confidently something that needs no reply; record the others as
    dismissed automatically, with the reason (nothing is dropped without a trace). Returns the queued items.

    The classifier orders the queue (``intent.reply_priority``), it does not gate it: a complaint it called
    "other" is still seen by a person. Idempotent (a post has at most one item); near-duplicates are left out
    like they are for cases. Called with the mentions ingest stored, after :func:`open_cases_for`."""
    now = now or timezone.now()
    rows = (
        Mention.objects.filter(
            pk__in=[m.pk for m in mentions],
            topic__kind=TopicKind.BRAND,
            post__duplicate_of__isnull=True,
            post__care_case__isnull=True,
            post__triage_item__isnull=True,
        )
        .exclude(post__intent__in=CASE_INTENTS)
        .select_related("topic", "post", "post__source")
        .order_by("post_id", "topic_id")
    )
    by_post: dict[int, Mention] = {}
    for m in rows:
        by_post.setdefault(m.post_id, m)
    if not by_post:
        return []
    own = queries.company_handles({m.post.workspace_id for m in by_post.values()})
    items = []
    for m in by_post.values():
        post = m.post
        item = TriageItem(
            workspace_id=post.workspace_id,
            post=post,
            topic=m.topic,
            language=language_of(post.lang),
            intent=post.intent,
            priority=intent_rules.reply_priority(
                post.text, lang=post.lang, sentiment=post.sentiment, intent=post.intent
            ),
            created_at=now,
        )
        if queries.is_from_company(post, own.get(post.workspace_id, {})):
            _decided_automatically(item, now, DismissReason.OWN, "Posted from one of the company's own accounts.")
        elif intent_rules.needs_no_reply(post.text, lang=post.lang, sentiment=post.sentiment):
            _decided_automatically(item, now, DismissReason.PRAISE, "Praise with no problem word, no negative tone "
                                   "and no question: needs no reply.")  # fmt: skip
        items.append(item)
    if not items:
        return []
    with transaction.atomic():
        TriageItem.objects.bulk_create(items, ignore_conflicts=True)  # a concurrent run may have queued one
    queued = [i.post_id for i in items if i.status == TriageStatus.OPEN]
    return list(TriageItem.objects.filter(post_id__in=queued, status=TriageStatus.OPEN).order_by("post_id"))


def _decided_automatically(item: TriageItem, now: dt.datetime, reason: str, note: str) -> None:
    item.status, item.reason, item.note, item.decided_at, item.automatic = (
        TriageStatus.DISMISSED, reason, note, now, True
    )  # fmt: skip


def open_missed_triage(*, now: dt.datetime | None = None, days: int = 2, limit: int = 500) -> int:
    """Queue recent brand mentions that have neither a case nor a triage item (a safety net behind ingest)."""
    now = now or timezone.now()
    missed = list(
        Mention.objects.filter(
            topic__kind=TopicKind.BRAND,
            post__published_at__gte=now - dt.timedelta(days=days),
            post__duplicate_of__isnull=True,
            post__care_case__isnull=True,
            post__triage_item__isnull=True,
        )
        .exclude(intent__in=CASE_INTENTS)
        .order_by("post_id")
        .values_list("pk", flat=True)[:limit]
    )
    return len(open_triage_for(Mention.objects.filter(pk__in=missed), now=now)) if missed else 0


def _claim_triage(item: TriageItem, member: Membership, now: dt.datetime, **values: object) -> None:
    """Decide an open item, once: a colleague who decided first wins (conditional update)."""
    if item.workspace_id != member.workspace_id:
        raise CareError("This post is not in your workspace's triage queue.")
    if not TriageItem.objects.filter(pk=item.pk, status=TriageStatus.OPEN).update(
        decided_by=member, decided_at=now, **values
    ):
        raise CareError("A colleague has already dealt with this post.")


def case_from_triage(
    item: TriageItem, member: Membership, intent: str, *, answer: bool = False, now: dt.datetime | None = None
) -> Case:
    """Make a case of a triaged post, as a question or a complaint (the member's correction of the classifier,
    kept on the case). With ``answer`` the member takes it to answer now; otherwise it is routed as usual."""
    now = now or timezone.now()
    if intent not in CASE_INTENTS:
        raise CareError("Say whether the customer asks something or complains.")
    with transaction.atomic():
        _claim_triage(item, member, now, status=TriageStatus.CASE)
        post = Post.objects.get(pk=item.post_id)
        label = Intent(intent).label
        case = _open_case(
            post, item.topic, intent, now, note=f"{label} (from triage, by {member.display_name})", actor=member,
            take=member if answer else None,
        )  # fmt: skip
        if case is None:  # opened by ingest meanwhile: point at that one
            case = Case.objects.get(post=post)
        TriageItem.objects.filter(pk=item.pk).update(case=case)
    return case


def dismiss_triage(
    item: TriageItem, member: Membership, reason: str, note: str = "", *, now: dt.datetime | None = None
) -> TriageItem:
    """Take a post out of the triage queue without a case, with the reason (and a note for "another reason")."""
    now = now or timezone.now()
    note = note.strip()
    if reason not in DismissReason.values or reason == DismissReason.OWN:
        raise CareError("Pick a reason.")
    if reason == DismissReason.OTHER and not note:
        raise CareError("Say why, for the record.")
    if len(note) > MAX_NOTE:
        raise CareError(f"Keep the note under {MAX_NOTE} characters.")
    with transaction.atomic():
        _claim_triage(item, member, now, status=TriageStatus.DISMISSED, reason=reason, note=note)
    item.refresh_from_db()
    return item


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
            Case.objects.filter(pk=case.pk).update(status=CaseStatus.NEW, assignee=None, escalate_at=None)
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
    _mail(
        "assigned.txt",
        "A customer is waiting for an answer",
        [assignee.user.email],
        {"case": case, "member": assignee, "url": _url(case), "due": _local(case.escalate_at, assignee)},
    )
    return chosen


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
            ).update(status=CaseStatus.NEW, assignee=None, escalations=level + 1, escalate_at=None)  # fmt: skip
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
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.ESCALATED, assignee=None, escalate_at=None)
    case.status = CaseStatus.ESCALATED
    _log(case, EventKind.ESCALATED, now, note=why)
    admins = Membership.objects.filter(workspace_id=case.workspace_id, is_active=True, role=Role.ADMIN)
    _mail(
        "escalated.txt",
        "A customer case needs an admin",
        list(admins.values_list("user__email", flat=True)),
        {"case": case, "why": why, "url": _url(case)},
    )


# --- answering -------------------------------------------------------------------------------------------


def can_answer(case: Case, member: Membership) -> bool:
    """The assignee, or an admin (escalated or not)."""
    return case.assignee_id == member.pk or member.is_admin


def record_reply(
    case: Case,
    member: Membership,
    text: str,
    *,
    via: str = ReplyVia.COPY,
    outbound: OutboundPost | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """The member answered the customer (posted it themselves after copying it out, or Groundswell posts it:
    ``outbound``, see :func:`post_reply`): the first response is recorded (time, in staffed minutes), the
    reply kept, and ``Action.ANSWER`` points awarded once."""
    now = now or timezone.now()
    text = text.strip()
    if not text:
        raise CareError("Write the answer first.")
    if len(text) > MAX_REPLY:
        raise CareError(f"Keep the answer under {MAX_REPLY} characters.")
    if not can_answer(case, member):
        raise CareError("This case is assigned to someone else.")
    with transaction.atomic():
        found = queries.responders(member.workspace)
        minutes = staffed_minutes(schedules_for(found, _needs(case)), case.opened_at, now)
        updated = Case.objects.filter(pk=case.pk, status__in=UNANSWERED).update(
            status=CaseStatus.ANSWERED,
            assignee=member,
            first_response_at=now,
            first_response_minutes=round(minutes, 1),
            responder=member,
            reply_text=text,
            reply_via=via,
            reply_outbound=outbound,
            awaiting_delivery=outbound is not None,
            escalate_at=None,
        )
        if not updated:
            raise CareError("This case was already answered.")
        case.refresh_from_db()
        _log(case, EventKind.REPLIED, now, actor=member, member_id=member.pk, note=ReplyVia(via).label)
        rollup = RollupBatch()
        award_points(
            member=member,
            action=Action.ANSWER,
            key=f"answer:{case.pk}",
            day=local_day(now, member.workspace.timezone),
            rollup=rollup,
            reason="Answered a customer",
            at=now,
        )
        rollup.write()
    route_waiting(now, workspace_id=case.workspace_id)  # a slot is free again
    return case


def _chosen_option(
    case: Case, member: Membership, account_id: int, now: dt.datetime, *, otherwise: str
) -> queries.ReplyOption:
    """The reply option (member's account or brand account on shift) with ``account_id``, or a
    :class:`CareError` that says what to do instead (``otherwise``)."""
    network = queries.reply_network(case)
    if not network:
        raise CareError(f"Groundswell cannot post replies on this network: {otherwise} instead.")
    options = queries.reply_options(case, member, now)
    if not options:
        label = outbox.network_label(network)
        raise CareError(f"Connect your {label} account (Accounts page) to post from it, or {otherwise}.")
    chosen = next((o for o in options if o.account.pk == account_id), None)
    if chosen is None:
        raise CareError("Pick one of the accounts offered.")
    return chosen


def post_reply(
    case: Case,
    member: Membership,
    text: str,
    account_id: int,
    *,
    now: dt.datetime | None = None,
) -> Case:
    """Post the answer under the customer's post from one of the member's reply options (their connected
    account on that network, or the brand account while they steward it), through the outbox, and record
    it as the first response (:func:`record_reply`, in the same transaction: posting and recording happen
    together or not at all)."""
    now = now or timezone.now()
    text = text.strip()
    if not can_answer(case, member):
        raise CareError("This case is assigned to someone else.")
    chosen = _chosen_option(case, member, account_id, now, otherwise="copy the answer out")
    if not text:
        raise CareError("Write the answer first.")
    with transaction.atomic():
        try:
            posted = outbox.schedule_reply(chosen.account, text, _target(case), now=now)
        except outbox.PostingError as exc:
            raise CareError(str(exc)) from exc
        return record_reply(
            case, member, text, via=ReplyVia.BRAND if chosen.brand else ReplyVia.ACCOUNT, outbound=posted, now=now
        )


# --- replies that did not go out ----------------------------------------------------------------------------

NOT_POSTED_YET = "The answer was not posted, so the customer has not had it yet."
_FIXED_MEANWHILE = "Someone dealt with this answer meanwhile: reload the page."
_CANCELLED_STUCK = "The attempt that was waiting was cancelled."


def _target(case: Case) -> ReplyTarget:
    return ReplyTarget(uri=case.post.external_id, url=case.post.url, root_uri=case.post.thread_root)


def _failed_case(case: Case, member: Membership) -> Case:
    """The case, locked until the transaction ends, when ``member`` may fix its reply and the reply did not go
    out or is stuck (and was not posted by hand since)."""
    locked = queries.with_post(Case.objects.select_for_update(of=("self",)).filter(pk=case.pk)).get()
    if not can_answer(locked, member):
        raise CareError("Only the colleague who answered this case, or a program admin, can do this.")
    if locked.status not in FIXABLE:
        raise CareError("This case is closed: it needs no answer any more.")
    if not locked.reply_not_posted:
        raise CareError("This answer is not stuck: it is on its way, posted, or already recorded as posted by hand.")
    return locked


def _cancel_stuck(case: Case) -> bool:
    """Cancel the stuck job of the case's reply before it is posted another way; True when there was one to
    cancel (False: the job already ended failed or cancelled).

    The outbox's cancel (``outbox.cancel_reply``) is one conditional update on an active status, and a worker
    claims a job with one conditional update on an active status too: whichever comes first wins, so a cancelled
    job is never sent, and a job being sent is not cancelled (then :class:`CareError`, and the caller's
    transaction rolls back)."""
    job = case.reply_outbound
    if job is None or job.status in NOT_POSTED:
        return False
    if job.status in outbox.ACTIVE and outbox.cancel_reply(job, "the answer is being posted another way."):
        return True
    job.refresh_from_db(fields=["status"])
    if job.status == PostStatus.SENT:
        raise CareError("The answer was posted meanwhile: the customer has it. Reload the page.")
    raise CareError("Groundswell is posting the answer right now: reload the page in a minute to see if it went out.")


def _settle_failure(case_id: int, outbound_id: int | None, now: dt.datetime) -> Case | None:
    """Claim the failure of job ``outbound_id`` of the case for the log (one conditional update: a failure is
    logged and told once, however many sweeps run). The case, or None when someone else claimed it."""
    claimed = Case.objects.filter(pk=case_id, awaiting_delivery=True, reply_outbound_id=outbound_id).update(
        awaiting_delivery=False
    )
    if not claimed:
        return None
    case = queries.with_post(Case.objects.filter(pk=case_id)).select_related("workspace").get()
    _log(
        case, EventKind.REPLY_FAILED, now, member_id=case.responder_id, note=queries.reply_failure(case.reply_outbound)
    )
    return case


def notify_failed_replies(now: dt.datetime | None = None, *, limit: int = BATCH) -> int:
    """Tell the responder (one e-mail per failed job) when the outbox job of a case's reply ended failed or
    cancelled; clear the watch of replies that went out. Returns how many failures it told.

    A sweep over the cases ``awaiting_delivery`` rather than a signal from the outbox: jobs are cancelled in
    several places (the outbox, disconnecting an account, privacy's leave and erase) and a sweep sees every
    one of them, present and future, without networks knowing about care. Each failure is claimed with a
    conditional update (:func:`_settle_failure`) before the e-mail is queued in the same transaction, so a
    second run, or two workers at once, send nothing more. A failure that the responder fixed before the
    sweep saw it (posted again, or by hand) is logged then and not e-mailed."""
    now = now or timezone.now()
    rows = list(
        Case.objects.filter(awaiting_delivery=True)
        .filter(Q(reply_outbound__isnull=True) | Q(reply_outbound__status__in=(PostStatus.SENT, *NOT_POSTED)))
        .order_by("pk")
        .values_list("pk", "workspace_id", "reply_outbound_id", "reply_outbound__status", "reply_stuck_at")[:limit]
    )
    told = 0
    for pk, ws, outbound_id, status, stuck_at in rows:
        if outbound_id is None or status == PostStatus.SENT:
            # Posted; or the job is gone (only with its workspace), and with it anything to post again.
            cleared = Case.objects.filter(pk=pk, awaiting_delivery=True, reply_outbound_id=outbound_id).update(
                awaiting_delivery=False
            )
            if cleared and status == PostStatus.SENT and stuck_at is not None:
                # The responder was told it was stuck: the log says it went out after all.
                CaseEvent.objects.create(workspace_id=ws, case_id=pk, kind=EventKind.POSTED_LATE, at=now,
                                         note="It went out after all: the customer has it.")  # fmt: skip
            continue
        with transaction.atomic():
            case = _settle_failure(pk, outbound_id, now)
            if case is None:
                continue  # another sweep got there first, or the reply was fixed meanwhile
            # One notice per job: a job the responder was told is stuck and that then failed is logged only.
            if case.status in FIXABLE and case.reply_via in POSTED_VIA and case.reply_stuck_at is None:
                _tell_failure(case)
                told += 1
    return told


def notify_stuck_replies(now: dt.datetime | None = None, *, limit: int = BATCH) -> int:
    """Tell the responder (one e-mail per job) when the outbox job of a case's reply is stuck: not out
    :data:`RECONNECT_STUCK_AFTER` after it was scheduled while its account needs reconnecting (the outbox
    holds such jobs with no end), or not out after the workspace's first-response target whatever the reason
    (the network failing again and again, with long back-off). Returns how many it told.

    Like :func:`notify_failed_replies`, a sweep over the cases ``awaiting_delivery``; each job is claimed with
    one conditional update (``reply_stuck_at`` empty → now, for that job) in the transaction that logs it and
    queues the e-mail, so two sweeps tell once. The job is left as it is: it still goes out when the account is
    reconnected or the network recovers (the sweep then logs it, and the case shows it posted), unless the
    responder posts the answer another way first (:func:`retry_reply`, :func:`mark_reply_posted_by_hand`
    cancel it)."""
    now = now or timezone.now()
    default = CareSettings._meta.get_field("first_response_minutes").get_default()
    shortest = CareSettings.objects.aggregate(m=Min("first_response_minutes"))["m"]
    waited = min(RECONNECT_STUCK_AFTER, dt.timedelta(minutes=min(default, shortest or default)))
    rows = list(
        Case.objects.filter(
            awaiting_delivery=True,
            reply_stuck_at__isnull=True,
            reply_via__in=POSTED_VIA,
            status__in=FIXABLE,
            reply_outbound__status__in=outbox.ACTIVE,
            reply_outbound__scheduled_at__lte=now - waited,
        )
        .order_by("reply_outbound__scheduled_at", "pk")
        .values_list(
            "pk", "workspace_id", "reply_outbound_id", "reply_outbound__scheduled_at", "reply_outbound__account__status"
        )[:limit]
    )
    if not rows:
        return 0
    targets = dict(
        CareSettings.objects.filter(workspace_id__in={r[1] for r in rows}).values_list(
            "workspace_id", "first_response_minutes"
        )
    )
    told = 0
    for pk, ws, outbound_id, scheduled_at, account_status in rows:
        waiting = now - scheduled_at
        reconnect = account_status == AccountStatus.RECONNECT
        if waiting < dt.timedelta(minutes=targets.get(ws, default)) and not (
            reconnect and waiting >= RECONNECT_STUCK_AFTER
        ):
            continue
        with transaction.atomic():
            if not Case.objects.filter(
                pk=pk, awaiting_delivery=True, reply_outbound_id=outbound_id, reply_stuck_at__isnull=True
            ).update(reply_stuck_at=now):
                continue  # another sweep got there first, or the reply was fixed meanwhile
            case = queries.with_post(Case.objects.filter(pk=pk)).select_related("workspace").get()
            if case.reply_outbound is None or case.reply_outbound.status not in outbox.ACTIVE:
                transaction.set_rollback(True)  # being sent, or ended, since we looked: the next sweep sees
                continue
            why = "Waiting for the account to be reconnected." if reconnect else "Waiting for the network."
            _log(case, EventKind.REPLY_STUCK, now, member_id=case.responder_id, note=why)
            _tell_stuck(case)
            told += 1
    return told


def _reply_recipients(case: Case) -> tuple[Membership | None, list[str]]:
    """Who is told about the case's reply: the responder, or the program admins when the responder left or was
    erased (the responder then None)."""
    responder = case.responder if case.responder is not None and case.responder.is_active else None
    if responder is not None:
        return responder, [responder.user.email]
    admins = Membership.objects.filter(workspace_id=case.workspace_id, is_active=True, role=Role.ADMIN)
    return None, list(admins.values_list("user__email", flat=True))


def _tell_stuck(case: Case) -> None:
    """E-mail the responder (or the admins) that the answer has not gone out yet, what it waits for, and where to
    reconnect the account when that is the cause."""
    responder, to = _reply_recipients(case)
    path = queries.reconnect_path(case, responder)
    _mail(
        "reply_stuck.txt",
        "Your answer to a customer has not been posted yet",
        to,
        {
            "case": case,
            "member": responder,
            "why": queries.reply_failure(case.reply_outbound),
            "url": _url(case),
            "reconnect_url": django_settings.SITE_URL + path if path else "",
        },
    )


def _tell_failure(case: Case) -> None:
    """E-mail the responder (the program admins when the responder left or was erased) with a link."""
    responder, to = _reply_recipients(case)
    _mail(
        "reply_failed.txt",
        "Your answer to a customer was not posted",
        to,
        {"case": case, "member": responder, "why": queries.reply_failure(case.reply_outbound), "url": _url(case)},
    )


def retry_reply(
    case: Case,
    member: Membership,
    text: str,
    account_id: int,
    *,
    now: dt.datetime | None = None,
) -> Case:
    """Post an answer that did not go out (or is stuck) again, with ``text`` (the earlier answer, perhaps
    edited) from one of ``member``'s reply options now. A stuck job is cancelled first (:func:`_cancel_stuck`).

    A new outbox job with a new idempotency key (for the network this is a new post; the failed job keeps its
    key, its log and its status, as history); the case points at the new job and waits for its outcome like a
    first reply. The responder's first response is not rewritten: ``first_response_at`` and
    ``first_response_minutes`` keep the time of the first attempt, because the target measures how quickly a
    colleague took the customer on (what routing and escalation act on), and the delay of the network is in
    the case log (not posted, posted again) and the job's ``sent_at``. No points either: ``Action.ANSWER`` was
    awarded once with the first answer (key ``answer:<case>``), and the responder stays whoever answered
    first, also when an admin posts it again."""
    now = now or timezone.now()
    text = text.strip()
    with transaction.atomic():
        locked = _failed_case(case, member)
        chosen = _chosen_option(locked, member, account_id, now, otherwise="post it yourself")
        if not text:
            raise CareError("Write the answer first.")
        if len(text) > MAX_REPLY:
            raise CareError(f"Keep the answer under {MAX_REPLY} characters.")
        old = locked.reply_outbound_id
        cancelled = _cancel_stuck(locked)  # first: the stuck job must never go out as well
        try:
            posted = outbox.schedule_reply(chosen.account, text, _target(locked), now=now)
        except outbox.PostingError as exc:
            raise CareError(str(exc)) from exc  # rolls the cancel back too
        if not cancelled:
            _settle_failure(locked.pk, old, now)
        via = ReplyVia.BRAND if chosen.brand else ReplyVia.ACCOUNT
        if not Case.objects.filter(pk=locked.pk, reply_outbound_id=old).update(
            reply_outbound=posted, reply_via=via, reply_text=text, reply_url="", awaiting_delivery=True,
            reply_stuck_at=None,
        ):  # fmt: skip
            raise CareError(_FIXED_MEANWHILE)  # rolls the new job back too
        locked.refresh_from_db()
        # The log keeps no handle or link: its lines stay when a member's data is erased.
        note = ReplyVia(via).label + (f". {_CANCELLED_STUCK}" if cancelled else "")
        _log(locked, EventKind.RETRIED, now, actor=member, member_id=locked.responder_id, note=note)
    return locked


def mark_reply_posted_by_hand(case: Case, member: Membership, url: str = "", *, now: dt.datetime | None = None) -> Case:
    """The answer that did not go out (or is stuck) was posted by hand (copied out and replied on the network):
    record it (``reply_via`` copy, and ``url``, the reply's address, when given). A stuck job is cancelled first
    (:func:`_cancel_stuck`); the failed or cancelled job stays as history; the first response and the points stay
    as they were (see :func:`retry_reply`)."""
    now = now or timezone.now()
    url = url.strip()
    if len(url) > MAX_URL:
        raise CareError(f"Keep the link under {MAX_URL} characters.")
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise CareError("Give the address of your reply (https://…), or leave it empty.") from None
    with transaction.atomic():
        locked = _failed_case(case, member)
        old = locked.reply_outbound_id
        cancelled = _cancel_stuck(locked)  # first: the stuck job must never go out as well
        if not cancelled:
            _settle_failure(locked.pk, old, now)
        if not Case.objects.filter(pk=locked.pk, reply_outbound_id=old).update(
            reply_via=ReplyVia.COPY, reply_url=url, awaiting_delivery=False, reply_stuck_at=None
        ):
            raise CareError(_FIXED_MEANWHILE)
        locked.refresh_from_db()
        note = "With the link to the reply." if url else "Without a link."
        if cancelled:
            note += f" {_CANCELLED_STUCK}"
        _log(locked, EventKind.BY_HAND, now, actor=member, member_id=locked.responder_id, note=note)
    return locked


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
                status=CaseStatus.NEW, assignee=None, escalate_at=None
            ):
                continue
            _log(case, EventKind.QUEUED, now, member_id=member.pk, note=note)
            released += 1
    if released:
        route_waiting(now, workspace_id=member.workspace_id)
    return released
