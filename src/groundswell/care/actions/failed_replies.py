"""Replies that did not go out. A reply that the outbox could not post is found by the periodic
:func:`notify_failed_replies`, one that waits too long by :func:`notify_stuck_replies` (the responder is
told once per job either way), and fixed with :func:`retry_reply` or :func:`mark_reply_posted_by_hand` (which
cancel a stuck job first)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone

from groundswell.care import queries
from groundswell.care.actions._common import (
    BATCH,
    MAX_REPLY,
    MAX_URL,
    RECONNECT_STUCK_AFTER,
    CareError,
    _log,
    _mail,
    _url,
)
from groundswell.care.actions.replies import _chosen_option, _target, can_answer
from groundswell.care.models import FIXABLE, NOT_POSTED, POSTED_VIA, CareSettings, Case, CaseEvent, EventKind, ReplyVia
from groundswell.networks import outbox
from groundswell.networks.models import AccountStatus, PostStatus
from groundswell.workspaces.models import Membership, Role

# --- replies that did not go out ----------------------------------------------------------------------------

NOT_POSTED_YET = "The answer was not posted, so the customer has not had it yet."
_FIXED_MEANWHILE = "Someone dealt with this answer meanwhile: reload the page."
_CANCELLED_STUCK = "The attempt that was waiting was cancelled."


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
