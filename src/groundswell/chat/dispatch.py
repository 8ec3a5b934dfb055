"""Platform-neutral delivery: each message to each place is claimed in ``ChatMessage`` before it is sent.

The claim is a row unique on (installation, key, target): a second worker, a rerun of the same job or a
replayed signal finds the row and sends nothing. A message is sent at most once:

* transient failures the platform reports before posting (rate limited, service unavailable, connection
  refused) put the row in ``retrying`` with a backoff; ``retry_due_messages`` (a periodic task) claims due
  rows with a conditional update and tries again, up to :data:`MAX_ATTEMPTS`;
* a failure after which the platform may have posted (a read timeout) is not retried: the row fails with a
  message saying so, rather than risk a duplicate;
* a permanent refusal fails the row with the platform's reason, shown to admins on the chat page;
* an authentication failure fails the row and marks the installation ``failing`` with what to do
  ("Reinstall the Slack app"); nothing more is sent to it until it is reinstalled.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from groundswell.chat import actions
from groundswell.chat.errors import ChatAuthError, ChatError, PermanentChatError, TransientChatError
from groundswell.chat.models import (
    ChatIdentity,
    ChatInstallation,
    ChatMessage,
    InstallationState,
    MessageStatus,
)
from groundswell.chat.platforms import OutgoingMessage, Target, get_platform

log = logging.getLogger(__name__)

#: Seconds before attempt 2, 3, ... of a message that met a transient error.
BACKOFF_SECONDS = (30, 120, 600, 1800)
MAX_ATTEMPTS = len(BACKOFF_SECONDS) + 1
#: A row still "claimed" after this long: the worker died while sending (it may or may not have arrived).
STALE_CLAIM = dt.timedelta(minutes=10)
_ERROR_MAX = ChatMessage._meta.get_field("error").max_length or 300


def _short(text: str) -> str:
    return text if len(text) <= _ERROR_MAX else text[: _ERROR_MAX - 1] + "…"


def deliver(
    installation: ChatInstallation,
    target: Target,
    key: str,
    message: OutgoingMessage,
    *,
    now: dt.datetime | None = None,
) -> ChatMessage | None:
    """Claim (installation, key, target) and send ``message`` there.

    Returns the delivery row, or None when nothing was sent: already claimed (sent before or being sent), the
    installation not connected, no channel chosen, or the member does not want direct messages.
    """
    now = now or timezone.now()
    if installation.state != InstallationState.ACTIVE:
        return None
    if target.identity is None and not target.channel_id:
        return None
    if target.identity is not None and not target.identity.direct_messages:
        return None
    try:
        with transaction.atomic():
            row = ChatMessage.objects.create(
                workspace_id=installation.workspace_id,
                installation=installation,
                key=key[:64],
                target=target.key,
                member_id=target.identity.member_id if target.identity is not None else None,
                status=MessageStatus.CLAIMED,
                payload=message.as_dict(),
                created_at=now,
            )
    except IntegrityError:
        return None  # Another worker, or an earlier run, has it.
    _attempt(row, installation, target, message, now)
    return row


def _attempt(
    row: ChatMessage, installation: ChatInstallation, target: Target, message: OutgoingMessage, now: dt.datetime
) -> None:
    row.attempts += 1
    ChatMessage.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
    try:
        platform = get_platform(installation.platform)
        external_id = platform.send(installation, target, message)
    except KeyError:
        _fail(row, f"{installation.get_platform_display()} is not available on this server.")
    except ChatAuthError as exc:
        _fail(row, exc.message)
        hint = get_platform(installation.platform).reinstall_hint
        actions.mark_installation_failing(installation, f"{exc.message} {hint}")
    except TransientChatError as exc:
        if exc.maybe_sent:
            _fail(row, f"{exc.message} It may have arrived; it was not sent again, so nobody gets it twice.")
        elif row.attempts >= MAX_ATTEMPTS:
            _fail(row, f"{exc.message} (gave up after {row.attempts} attempts)")
        else:
            delay = BACKOFF_SECONDS[min(row.attempts - 1, len(BACKOFF_SECONDS) - 1)]
            if exc.retry_after is not None:
                delay = max(delay, int(exc.retry_after))
            row.status, row.error = MessageStatus.RETRYING, _short(exc.message)
            row.next_attempt_at = now + dt.timedelta(seconds=delay)
            ChatMessage.objects.filter(pk=row.pk).update(
                status=row.status, error=row.error, next_attempt_at=row.next_attempt_at
            )
    except (PermanentChatError, ChatError) as exc:
        _fail(row, exc.message)
    else:
        row.status, row.external_id, row.sent_at, row.error = MessageStatus.SENT, external_id[:256], timezone.now(), ""
        ChatMessage.objects.filter(pk=row.pk).update(
            status=row.status, external_id=row.external_id, sent_at=row.sent_at, error="", next_attempt_at=None
        )


def _fail(row: ChatMessage, error: str) -> None:
    log.info("chat message %s (%s) failed: %s", row.pk, row.key, error)
    row.status, row.error = MessageStatus.FAILED, _short(error)
    ChatMessage.objects.filter(pk=row.pk).update(status=row.status, error=row.error, next_attempt_at=None)


def _target_of(row: ChatMessage, installation: ChatInstallation) -> Target | None:
    kind, _, ref = row.target.partition(":")
    if kind == "channel":
        return Target(channel_id=ref)
    identity = (
        ChatIdentity.objects.filter(
            member_id=row.member_id, platform=installation.platform, member__is_active=True, direct_messages=True
        )
        .select_related("member")
        .first()
    )
    return Target.member(identity) if identity is not None else None


def retry_due_messages(now: dt.datetime | None = None, *, limit: int = 200) -> int:
    """Try again the messages whose backoff has passed (periodic). Each row is claimed with a conditional
    update, so two workers never send the same one. Returns how many were attempted."""
    now = now or timezone.now()
    due = list(
        ChatMessage.objects.filter(status=MessageStatus.RETRYING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    tried = 0
    for pk in due:
        if not ChatMessage.objects.filter(pk=pk, status=MessageStatus.RETRYING).update(
            status=MessageStatus.CLAIMED,
            next_attempt_at=now,  # while claimed: when it was claimed
        ):
            continue  # Another worker claimed it first.
        row = ChatMessage.objects.select_related("installation").get(pk=pk)
        installation = row.installation
        if installation.state != InstallationState.ACTIVE:
            _fail(row, f"Not sent: the {installation.get_platform_display()} connection is not active.")
            continue
        target = _target_of(row, installation)
        if target is None:
            _fail(row, "Not sent: the member unlinked their chat account or turned direct messages off.")
            continue
        _attempt(row, installation, target, OutgoingMessage.from_dict(row.payload), now)
        tried += 1
    return tried


def fail_stale_claims(now: dt.datetime | None = None) -> int:
    """Rows left "being sent" by a worker that died mid-send: mark them failed (never resent: at most once)."""
    now = now or timezone.now()
    cutoff = now - STALE_CLAIM
    stale = Q(next_attempt_at__isnull=True, created_at__lt=cutoff) | Q(next_attempt_at__lt=cutoff)
    return ChatMessage.objects.filter(stale, status=MessageStatus.CLAIMED).update(
        status=MessageStatus.FAILED,
        error="The worker stopped while sending this; it may or may not have arrived, so it was not sent again.",
    )
