"""Sending, always in the background: one task per member and channel, push retried on transient errors."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from groundswell.notify import push
from groundswell.notify.models import PushSubscription
from groundswell.workspaces.models import Membership

log = logging.getLogger(__name__)

#: Seconds before attempt 2, 3, ... of a push that met a transient error.
BACKOFF_SECONDS = (30, 120, 600, 1800, 3600)


def absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else settings.SITE_URL + url


def enqueue_all(pushes: list[int], emails: list[int], message: dict[str, str]) -> None:
    for pk in pushes:
        send_push.enqueue(pk, message)
    for pk in emails:
        send_email.enqueue(pk, message)


@task()
def send_email(member_id: int, message: dict[str, str]) -> bool:
    member = Membership.objects.select_related("user", "workspace").filter(pk=member_id, is_active=True).first()
    if member is None or not member.user.email:
        return False
    settings_url = absolute(reverse("notify:settings", kwargs={"ws": member.workspace.slug}))
    body = message.get("email_body") or render_to_string(
        "notify/email.txt",
        {"member": member, "message": message, "url": absolute(message["url"]), "settings_url": settings_url},
    )
    EmailMessage(message["title"], body, None, [member.user.email]).send(fail_silently=False)
    return True


def _retry(member_id: int, message: dict[str, str], attempt: int, only: list[int], delivered: int) -> None:
    delay = BACKOFF_SECONDS[min(attempt - 1, len(BACKOFF_SECONDS) - 1)]
    again: Any = send_push
    if send_push.get_backend().supports_defer:
        again = send_push.using(run_after=timezone.now() + dt.timedelta(seconds=delay))
    again.enqueue(member_id, message, attempt=attempt + 1, only=only, delivered_before=delivered)


@task()
def send_push(
    member_id: int, message: dict[str, str], attempt: int = 1, only: list[int] | None = None, delivered_before: int = 0
) -> str:
    """Push ``message`` to each of the member's devices. A device the push service dropped (404/410) is deleted;
    one that failed for a transient reason is tried again later (``PUSH_MAX_ATTEMPTS``). When no device got it
    and none is left to try, the message goes by e-mail. Returns what happened (for the task's result)."""
    subs = PushSubscription.objects.filter(member_id=member_id, member__is_active=True)
    if only is not None:
        subs = subs.filter(pk__in=only)
    payload = {"title": message["title"], "body": message["body"], "url": absolute(message["url"]),
               "kind": message["kind"]}  # fmt: skip
    delivered, transient = delivered_before, []
    for sub in subs:
        try:
            push.send(sub.as_info(), payload)
        except push.PushError as exc:
            if exc.gone:
                sub.delete()
            elif exc.transient:
                transient.append(sub.pk)
            log.info("push to subscription %s failed: %s", sub.pk, exc)
            continue
        delivered += 1
        PushSubscription.objects.filter(pk=sub.pk).update(last_sent_at=timezone.now())
    if transient and attempt < settings.PUSH_MAX_ATTEMPTS:
        _retry(member_id, message, attempt, transient, delivered)
        return f"delivered {delivered}, retrying {len(transient)}"
    if delivered == 0:
        send_email.enqueue(member_id, message)
        return "e-mailed instead"
    return f"delivered {delivered}"
