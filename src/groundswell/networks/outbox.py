"""The posting outbox: posts Groundswell makes on a member's or the workspace's behalf, delivered exactly once.

The outbox delivers jobs and knows nothing about what they are for. :func:`create_job` adds one (sharing's
``posting.schedule_post`` for a member's share, :func:`schedule_account_post` for a brand post,
:func:`schedule_reply` for a reply); when a job is sent, the ``networks.signals.post_sent`` signal
announces it inside the same transaction (sharing counts the share then). Delivery (:func:`deliver_due`) claims each due job with one conditional
UPDATE, so two workers never send the same job, then calls the network *outside* any transaction and
records the outcome. A job carries an idempotency key for its whole life; when an attempt may have reached
the network (a timeout after sending, a worker that died mid-send) the next attempt first asks the network
whether the post is already there (``find_existing``) and never publishes twice.

Every transition adds an :class:`OutboundPostLog` line the member can read.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import secrets
import time
import uuid
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from groundswell.networks import accounts, registry
from groundswell.networks import policy as posting_policy
from groundswell.networks.base import (
    AuthError,
    LinkCard,
    NetworkClient,
    PermanentError,
    PostRequest,
    RemotePost,
    ReplyTarget,
    TokenSet,
    TransientError,
)
from groundswell.networks.models import (
    AccountStatus,
    ConnectedAccount,
    OutboundPost,
    OutboundPostLog,
    PostStatus,
)
from groundswell.networks.signals import post_sent

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 30.0
BACKOFF_CAP_SECONDS = 3600.0
#: How long a claimed job may stay "sending" before another worker assumes the sender died.
SENDING_LEASE = dt.timedelta(minutes=10)
#: A time this far in the past still counts as "now" (the form took a while to submit).
PAST_SLACK = dt.timedelta(minutes=2)
DELIVERY_BATCH = 50
ACTIVE = (PostStatus.SCHEDULED, PostStatus.RETRYING)

_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"


class PostingError(ValueError):
    """A post that cannot be scheduled, with a message for the member."""


# --- keys and text ---------------------------------------------------------------------------------


def new_idempotency_key() -> str:
    """A 13-character TID (base32-sortable: microsecond timestamp and a random clock id), usable as a
    Bluesky record key, an Idempotency-Key header or a marker to look for before retrying."""
    value = (time.time_ns() // 1000) << 10 | secrets.randbits(10)
    value &= (1 << 63) - 1
    chars = []
    for _ in range(13):
        chars.append(_TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def fallback_key() -> str:
    return uuid.uuid4().hex


def compose_text(caption: str, link: str) -> str:
    caption = caption.strip()
    return f"{caption}\n\n{link}" if caption else link


# --- scheduling --------------------------------------------------------------------------------------


def _log(post: OutboundPost, message: str, level: str = "info", at: dt.datetime | None = None) -> None:
    OutboundPostLog.objects.create(post=post, message=message[:500], level=level, at=at or timezone.now())


def network_label(key: str) -> str:
    return registry.label(key)


def create_job(
    account: ConnectedAccount,
    text: str,
    at: dt.datetime,
    *,
    now: dt.datetime,
    link: LinkCard | None = None,
    reply_to: ReplyTarget | None = None,
    note: str,
) -> OutboundPost:
    """Add a job to the outbox: post ``text`` (with ``link``'s card, or as a reply under ``reply_to``) from
    ``account`` at ``at``, with a fresh idempotency key and ``note`` as its first log line. Delivery is
    started after the commit when the job is due now. Call inside the caller's transaction."""
    post = OutboundPost.objects.create(
        workspace_id=account.workspace_id,
        account=account,
        text=text,
        link_url=link.url if link else "",
        link_title=link.title[:300] if link else "",
        link_description=link.description if link else "",
        link_image_url=link.image_url if link else "",
        reply_to={"uri": reply_to.uri, "url": reply_to.url, "root_uri": reply_to.root_uri} if reply_to else {},
        idempotency_key=new_idempotency_key(),
        status=PostStatus.SCHEDULED,
        scheduled_at=at,
        next_attempt_at=at,
        created_at=now,
    )
    _log(post, note, at=now)
    if at <= now + PAST_SLACK:
        _enqueue_delivery()
    return post


def too_long(network: str, text: str) -> int | None:
    """The network's length limit when ``text`` exceeds it (counted by the network's rule), else None."""
    known = registry.NETWORKS.get(network)
    if known is None or not known.max_length:
        return None
    return known.max_length if known.count(text) > known.max_length else None


def schedule_account_post(
    account: ConnectedAccount,
    text: str,
    link_url: str,
    when: dt.datetime | None,
    *,
    now: dt.datetime | None = None,
) -> OutboundPost:
    """Schedule ``text`` (and optionally a link card for ``link_url``) on a workspace-owned account.

    A brand post is no member's share: no tracked link, no share points, no rollups. It goes through the
    same outbox (idempotency key, claim, retries, reconnect state) as members' posts. The policy's blocked
    words and the network's length limit are checked again here, because the policy may have changed
    since the post was drafted. Raises :class:`PostingError`.
    """
    now = now or timezone.now()
    if not account.is_workspace_owned:
        raise PostingError("This account is not one of the company's accounts.")
    if account.status != AccountStatus.ACTIVE:
        raise PostingError(f"The {network_label(account.network)} account needs reconnecting before we can post.")
    if when is not None and when < now - PAST_SLACK:
        raise PostingError("That time has passed. Pick a time in the future, or post now.")
    at = max(when or now, now)
    text = text.strip()
    link_url = link_url.strip()
    with transaction.atomic():
        policy = posting_policy.get_policy(account.workspace)
        word = posting_policy.find_blocked(text, policy)
        if word is not None:
            raise PostingError(f"The post contains “{word}”, which your program does not allow. Please remove it.")
        full = compose_text(text, link_url) if link_url and link_url not in text else text
        limit = too_long(account.network, full)
        if limit is not None:
            raise PostingError(
                f"{network_label(account.network)} allows {limit} characters including the link; "
                f"this post has {registry.get_network(account.network).count(full)}."
            )
        label = network_label(account.network)
        if at <= now + PAST_SLACK:
            note = f"Queued to post on {label} now as @{account.handle}."
        else:
            local = timezone.localtime(at, ZoneInfo(account.workspace.timezone))
            note = f"Scheduled for {local.strftime('%d %b %Y %H:%M')} on {label} as @{account.handle}."
        # The link is in the text; its card is the network's to build (no title or image of ours).
        post = create_job(account, full, at, now=now, link=LinkCard(url=link_url) if link_url else None, note=note)
    return post


def can_reply(network: str) -> bool:
    """Groundswell can post replies on ``network`` (its plug-in supports ``PostRequest.reply_to``)."""
    client = _client_or_none(network)
    return client is not None and client.can_reply


def schedule_reply(
    account: ConnectedAccount,
    text: str,
    target: ReplyTarget,
    *,
    now: dt.datetime | None = None,
) -> OutboundPost:
    """Schedule ``text`` as a reply under ``target``, now, from ``account`` (a member's own or a
    workspace-owned account; the caller checks who may use it).

    A reply is no share (no tracked link, no share points): it goes through the same outbox (idempotency
    key, claim, retries, reconnect state) as every other post. The policy's blocked words and the network's
    length limit are checked here. Raises :class:`PostingError`.
    """
    now = now or timezone.now()
    label = network_label(account.network)
    if not can_reply(account.network):
        raise PostingError(f"Groundswell cannot post replies on {label}; copy the answer out instead.")
    if account.status != AccountStatus.ACTIVE:
        raise PostingError(f"The {label} account @{account.handle} needs reconnecting before we can post.")
    text = text.strip()
    if not text:
        raise PostingError("Write the answer first.")
    with transaction.atomic():
        policy = posting_policy.get_policy(account.workspace)
        word = posting_policy.find_blocked(text, policy)
        if word is not None:
            raise PostingError(f"The answer contains “{word}”, which your program does not allow. Please remove it.")
        limit = too_long(account.network, text)
        if limit is not None:
            raise PostingError(
                f"{label} allows {limit} characters; this answer has {registry.get_network(account.network).count(text)}."
            )
        post = create_job(
            account, text, now, now=now, reply_to=target, note=f"Queued to reply on {label} now as @{account.handle}."
        )
    return post


def cancel_account_post(post: OutboundPost, reason: str) -> bool:
    """Cancel a waiting post on a workspace-owned account. True when it was cancelled (not yet sending)."""
    if post.account is not None and not post.account.is_workspace_owned:
        raise PostingError("This is a member's post.")
    with transaction.atomic():
        done = OutboundPost.objects.filter(pk=post.pk, status__in=ACTIVE).update(status=PostStatus.CANCELLED)
        if done:
            _log(post, f"Cancelled: {reason} Nothing was posted.")
    post.refresh_from_db()
    return bool(done)


def cancel_reply(post: OutboundPost, reason: str) -> bool:
    """Cancel a reply (``reply_to``, no share) that has not gone out yet: the member posts the answer another way.
    True when it was cancelled.

    One conditional update on an active status, as a worker's :func:`claim` is: of a cancel and a claim at the
    same moment exactly one succeeds, so a cancelled reply is never sent, and one being sent is not cancelled
    (False). The reason replaces the last error (a reply held for a reconnection waits for nothing any more)."""
    if not post.reply_to:
        raise PostingError("This is not a reply.")
    message = f"Cancelled: {reason}"
    with transaction.atomic():
        done = OutboundPost.objects.filter(pk=post.pk, status__in=ACTIVE).update(
            status=PostStatus.CANCELLED, last_error=message[:500]
        )
        if done:
            _log(post, f"{message} Nothing was posted.")
    post.refresh_from_db()
    return bool(done)


def _client_or_none(key: str) -> NetworkClient | None:
    try:
        return registry.get_client(key)
    except (KeyError, ImportError):
        return None


def _enqueue_delivery() -> None:
    from groundswell.networks.tasks import deliver_due_posts

    transaction.on_commit(lambda: deliver_due_posts.enqueue())


# --- delivering ----------------------------------------------------------------------------------------


def backoff_seconds(attempts: int, retry_after: float | None = None, *, rng: random.Random | None = None) -> float:
    """Seconds to wait after ``attempts`` failed attempts: 30 s·2^(n-1) plus up to 20 % jitter, capped at
    an hour, and never sooner than the network's Retry-After."""
    base = BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1)
    jitter = (rng or random).uniform(0, 0.2) * base
    delay = min(BACKOFF_CAP_SECONDS, base + jitter)
    return max(delay, float(retry_after or 0))


def _fresh_tokens(account: ConnectedAccount) -> TokenSet:
    """The account's tokens, refreshed first when they are about to expire (AuthError: reconnect)."""
    return accounts.ensure_fresh(account).tokens()


def _request(post: OutboundPost) -> PostRequest:
    card = (
        LinkCard(
            url=post.link_url, title=post.link_title, description=post.link_description, image_url=post.link_image_url
        )
        if post.link_url
        else None
    )
    return PostRequest(
        text=post.text, link=card, idempotency_key=post.idempotency_key, reply_to=reply_target(post.reply_to)
    )


def reply_target(value: object) -> ReplyTarget | None:
    """The ``OutboundPost.reply_to`` JSON as a :class:`ReplyTarget` (None for a top-level post)."""
    if not isinstance(value, dict) or not value.get("uri"):
        return None
    return ReplyTarget(
        uri=str(value["uri"]), url=str(value.get("url") or ""), root_uri=str(value.get("root_uri") or "")
    )


def recover_stale(now: dt.datetime) -> int:
    """Jobs left "sending" past their lease (the sender died): they may have been posted, so look first."""
    stale = list(
        OutboundPost.objects.filter(status=PostStatus.SENDING, next_attempt_at__lte=now).values_list("pk", flat=True)
    )
    recovered = 0
    for pk in stale:
        with transaction.atomic():
            n = OutboundPost.objects.filter(pk=pk, status=PostStatus.SENDING, next_attempt_at__lte=now).update(
                status=PostStatus.RETRYING, maybe_accepted=True
            )
            if n:
                OutboundPostLog.objects.create(
                    post_id=pk,
                    level="warning",
                    at=now,
                    message="The last attempt was interrupted; we will check whether it was posted before trying again.",
                )
                recovered += 1
    return recovered


def claim(pk: int, now: dt.datetime) -> bool:
    """Take job ``pk`` for sending; True for exactly one caller."""
    with transaction.atomic():
        # Only the row's own columns in the WHERE: a join would turn this into "id IN (subquery)", which
        # PostgreSQL does not re-check after waiting for a concurrent claim (both would win).
        n = OutboundPost.objects.filter(pk=pk, status__in=ACTIVE, next_attempt_at__lte=now).update(
            status=PostStatus.SENDING, attempts=F("attempts") + 1, next_attempt_at=now + SENDING_LEASE
        )
        if n == 1:
            OutboundPostLog.objects.create(post_id=pk, at=now, message="Sending…")
    return n == 1


def due_ids(now: dt.datetime, limit: int = DELIVERY_BATCH) -> list[int]:
    return list(
        OutboundPost.objects.filter(status__in=ACTIVE, next_attempt_at__lte=now, account__status=AccountStatus.ACTIVE)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def deliver_due(now: dt.datetime | None = None, *, limit: int = DELIVERY_BATCH) -> int:
    """Send every due job this caller manages to claim. Returns how many it sent or settled."""
    now = now or timezone.now()
    recover_stale(now)
    handled = 0
    for pk in due_ids(now, limit):
        if not claim(pk, now):
            continue  # another worker has it
        post = OutboundPost.objects.select_related("account").get(pk=pk)
        try:
            send(post, now)
        except Exception:  # never leave a job "sending" because of a bug: the lease expiry recovers it
            log.exception("delivering outbound post %s failed unexpectedly", pk)
        handled += 1
    return handled


def send(post: OutboundPost, now: dt.datetime) -> None:
    """One attempt at ``post`` (already claimed). Talks to the network outside any transaction."""
    account = post.account
    if account is None:
        _finish_failed(post, now, "The connected account was removed, so the post could not be sent.")
        return
    label = network_label(account.network)
    try:
        client = registry.get_client(account.network)
    except (KeyError, ImportError):
        _finish_failed(post, now, f"Posting to {label} is not available on this server.")
        return
    request = _request(post)
    try:
        tokens = _fresh_tokens(account)
        remote: RemotePost | None = None
        if post.maybe_accepted:
            remote = client.find_existing(tokens, request)
            if remote is not None:
                _finish_sent(post, now, remote, label, found=True)
                return
            _log(post, f"Checked {label}: the earlier attempt did not arrive. Posting now.", at=now)
        remote = client.publish(tokens, request)
    except AuthError as exc:
        _finish_auth(post, account, now, label, exc.message)
    except TransientError as exc:
        _finish_transient(post, now, label, exc.message, exc.retry_after, exc.accepted)
    except PermanentError as exc:
        _finish_failed(post, now, f"{label} refused the post: {exc.message}")
    except Exception as exc:  # unknown state: the network may have it; look before trying again
        log.exception("unexpected error posting outbound post %s", post.pk)
        _finish_transient(post, now, label, f"Unexpected error ({type(exc).__name__}).", None, True)
    else:
        _finish_sent(post, now, remote, label, found=False)


def _finish_sent(post: OutboundPost, now: dt.datetime, remote: RemotePost, label: str, *, found: bool) -> None:
    with transaction.atomic():
        updated = OutboundPost.objects.filter(pk=post.pk, status=PostStatus.SENDING).update(
            status=PostStatus.SENT,
            remote_id=remote.remote_id[:300],
            remote_url=remote.url[:2000],
            sent_at=now,
            last_error="",
            maybe_accepted=False,
        )
        if updated == 1:
            # Exactly once per job: what the post was for counts from the moment it is really on the network.
            post_sent.send(sender=OutboundPost, post=post, at=now)
        if post.account_id:
            ConnectedAccount.objects.filter(pk=post.account_id).update(last_used_at=now)
        what = f"Found on {label}: the earlier attempt had gone through." if found else f"Posted on {label}."
        _log(post, what, at=now)


def _finish_transient(
    post: OutboundPost, now: dt.datetime, label: str, message: str, retry_after: float | None, accepted: bool
) -> None:
    post.refresh_from_db(fields=["attempts", "maybe_accepted"])
    maybe = post.maybe_accepted or accepted
    if post.attempts >= MAX_ATTEMPTS:
        tail = (
            f" It may have reached {label}: please check your profile before posting it yourself."
            if maybe
            else " Nothing was posted."
        )
        _finish_failed(
            post, now, f"{label} kept failing after {post.attempts} attempts ({message}).{tail}", maybe=maybe
        )
        return
    wait = backoff_seconds(post.attempts, retry_after)
    with transaction.atomic():
        OutboundPost.objects.filter(pk=post.pk, status=PostStatus.SENDING).update(
            status=PostStatus.RETRYING,
            next_attempt_at=now + dt.timedelta(seconds=wait),
            maybe_accepted=maybe,
            last_error=message[:500],
        )
        note = " It may have gone through; we will check before trying again." if accepted else ""
        _log(post, f"{label} did not answer properly: {message}{note} Next try in {_human(wait)}.", "warning", now)


def _finish_auth(post: OutboundPost, account: ConnectedAccount, now: dt.datetime, label: str, message: str) -> None:
    reconnect = f"{label} no longer accepts Groundswell's access ({message}). Reconnect to send your scheduled post."
    with transaction.atomic():
        OutboundPost.objects.filter(pk=post.pk, status=PostStatus.SENDING).update(
            status=PostStatus.RETRYING,
            next_attempt_at=now,  # goes out as soon as the account is reconnected
            attempts=F("attempts") - 1,  # not the network's fault: does not use up an attempt
            last_error=reconnect[:500],
        )
        _log(post, reconnect, "warning", now)
    accounts.mark_reconnect(account, reconnect)


def _finish_failed(post: OutboundPost, now: dt.datetime, message: str, *, maybe: bool | None = None) -> None:
    with transaction.atomic():
        values: dict[str, object] = {"status": PostStatus.FAILED, "last_error": message[:500]}
        if maybe is not None:
            values["maybe_accepted"] = maybe
        OutboundPost.objects.filter(pk=post.pk, status=PostStatus.SENDING).update(**values)
        _log(post, message, "error", now)


def _human(seconds: float) -> str:
    if seconds < 90:
        return f"{round(seconds)} seconds"
    if seconds < 5400:
        return f"{round(seconds / 60)} minutes"
    return f"{seconds / 3600:.1f} hours"
