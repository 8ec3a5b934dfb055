"""The triage queue (ADR 0028): mentions that may need a reply, claimed and turned into a case or dismissed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from groundswell.care import queries
from groundswell.care.actions._common import CASE_INTENTS, MAX_NOTE, CareError
from groundswell.care.actions.intake import _open_case
from groundswell.care.models import Case, DismissReason, TriageItem, TriageStatus
from groundswell.care.routing import language_of
from groundswell.listening.enrichment import intent as intent_rules
from groundswell.listening.models import Intent, Mention, Post, TopicKind
from groundswell.workspaces.models import Membership

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
