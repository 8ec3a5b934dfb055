"""Answering a case: recording a reply and posting it through the outbox."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from groundswell.analytics.rollups import RollupBatch
from groundswell.care import queries
from groundswell.care.actions._common import MAX_REPLY, CareError, _log, _needs
from groundswell.care.actions.intake import route_waiting
from groundswell.care.hours import staffed_minutes
from groundswell.care.models import UNANSWERED, Case, CaseStatus, EventKind, ReplyVia
from groundswell.care.routing import schedules_for
from groundswell.lib.periods import local_day
from groundswell.networks import outbox
from groundswell.networks.base import ReplyTarget
from groundswell.networks.models import OutboundPost
from groundswell.rewards.actions import award_points
from groundswell.rewards.models import Action
from groundswell.workspaces.models import Membership

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


def _target(case: Case) -> ReplyTarget:
    return ReplyTarget(uri=case.post.external_id, url=case.post.url, root_uri=case.post.thread_root)
