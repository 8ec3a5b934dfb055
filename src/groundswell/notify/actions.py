"""The write layer of notifications: subscribing a device, choosing channels, and ``notify``.

``notify(member, kind, title, body, url)`` decides the channel in the caller's transaction (cheap reads) and
enqueues the sending as a task after the commit: nothing is sent inside a request, and nothing is sent for a
change that rolled back. Push falls back to e-mail when the member has no live subscription left.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone

from groundswell.notify import push
from groundswell.notify.models import (
    EMAIL_BY_DEFAULT,
    Channel,
    Kind,
    NotificationPreference,
    PushSubscription,
    endpoint_digest,
)
from groundswell.workspaces.models import Membership

__all__ = ["Channel", "Kind", "notify", "notify_many"]


class NotifyError(ValueError):
    """Input a member sent that cannot be stored (shown to them as a 400 with the message)."""


def _has_subscription(member_ids: Iterable[int]) -> set[int]:
    return set(PushSubscription.objects.filter(member_id__in=list(member_ids)).values_list("member_id", flat=True))


def default_channel(kind: str, *, subscribed: bool) -> str:
    """Without a choice: push once the member enabled a device, else the e-mail that existed before push."""
    if subscribed and push.push_enabled():
        return Channel.PUSH
    return Channel.EMAIL if kind in EMAIL_BY_DEFAULT else Channel.OFF


def channels_for(member: Membership) -> dict[str, str]:
    """The member's channel for every kind (their choice, else the default). Two queries."""
    chosen = dict(NotificationPreference.objects.filter(member=member).values_list("kind", "channel"))
    subscribed = bool(_has_subscription([member.pk]))
    return {kind: chosen.get(kind) or default_channel(kind, subscribed=subscribed) for kind in Kind.values}


def set_channel(member: Membership, kind: str, channel: str) -> NotificationPreference:
    if kind not in Kind.values:
        raise NotifyError(f"Unknown kind of notification: {kind!r}.")
    if channel not in Channel.values:
        raise NotifyError(f"Unknown channel: {channel!r} (push, email or off).")
    pref, _ = NotificationPreference.objects.update_or_create(
        member=member,
        kind=kind,
        defaults={"workspace_id": member.workspace_id, "channel": channel, "updated_at": timezone.now()},
    )
    return pref


def subscribe(member: Membership, *, endpoint: str, p256dh: str, auth: str, device: str = "") -> PushSubscription:
    """Store (or refresh) the browser subscription ``endpoint`` for ``member``; NotifyError on bad input."""
    if not push.push_enabled():
        raise NotifyError("Push notifications are not set up on this server; e-mail is used instead.")
    for name, value, size in (("p256dh", p256dh, 65), ("auth", auth, 16)):
        if not push.key_has_size(value, size):
            raise NotifyError(f"The subscription's {name} key is not valid.")
    try:
        push.check_endpoint(endpoint)
    except ValueError as exc:
        raise NotifyError(str(exc)) from None
    digest = endpoint_digest(endpoint)
    values = {"workspace_id": member.workspace_id, "endpoint": endpoint, "p256dh": p256dh, "auth": auth,
              "device": device[:120]}  # fmt: skip
    try:
        with transaction.atomic():
            sub, _ = PushSubscription.objects.update_or_create(member=member, endpoint_sha256=digest, defaults=values)
    except IntegrityError:  # the same browser subscribed twice at once: the other request stored it
        sub = PushSubscription.objects.get(member=member, endpoint_sha256=digest)
    return sub


def unsubscribe(member: Membership, *, subscription_id: int | None = None, endpoint: str = "") -> int:
    """Remove one of the member's devices (by id from the device list, or by endpoint from the browser)."""
    mine = PushSubscription.objects.filter(member=member)
    if subscription_id is not None:
        return mine.filter(pk=subscription_id).delete()[0]
    return mine.filter(endpoint_sha256=endpoint_digest(endpoint)).delete()[0]


def notify(member: Membership, kind: str, title: str, body: str, url: str, *, email_body: str = "") -> str:
    """Tell ``member`` about something, by the channel they chose for ``kind``; returns the channel used.

    ``url`` is a path or absolute URL on this site that the notification opens. ``email_body`` replaces the
    plain e-mail built from ``body`` and ``url`` (the domains keep their own wording for e-mail)."""
    return notify_many([member], kind, title, body, url, email_body=email_body).get(member.pk, Channel.OFF)


def notify_many(
    members: Sequence[Membership] | Iterable[int],
    kind: str,
    title: str,
    body: str,
    url: str,
    *,
    email_body: str = "",
) -> dict[int, str]:
    """``notify`` for many members at once (a new item, a contest's entrants): three queries in all."""
    from groundswell.notify import tasks

    ids = [m if isinstance(m, int) else m.pk for m in members]
    if not ids:
        return {}
    live = list(Membership.objects.filter(pk__in=ids, is_active=True).values_list("pk", "user__email"))
    chosen = dict(
        NotificationPreference.objects.filter(member_id__in=[pk for pk, _ in live], kind=kind).values_list(
            "member_id", "channel"
        )
    )
    subscribed = _has_subscription(pk for pk, _ in live)
    decided: dict[int, str] = {}
    for pk, email in live:
        channel = chosen.get(pk) or default_channel(kind, subscribed=pk in subscribed)
        if channel == Channel.PUSH and not (pk in subscribed and push.push_enabled()):
            channel = Channel.EMAIL  # no device (or push is off on this server): e-mail instead
        if channel == Channel.EMAIL and not email:
            channel = Channel.OFF
        decided[pk] = channel
    message = {"kind": kind, "title": title[:200], "body": body[:500], "url": url, "email_body": email_body}
    pushes = [pk for pk, c in decided.items() if c == Channel.PUSH]
    emails = [pk for pk, c in decided.items() if c == Channel.EMAIL]
    if pushes or emails:
        transaction.on_commit(lambda: tasks.enqueue_all(pushes, emails, message))
    return decided
