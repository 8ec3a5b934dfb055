"""Replays: an inbound request whose signature we already accepted is refused, whatever the platform.

A signed request is valid for a clock window (Slack: five minutes either side). Inside the window an attacker
who captured one could send it again; each accepted signature is therefore remembered (its SHA-256 in
``SeenRequest``, unique) and a second one refused. Rows older than the window are pruned hourly.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from groundswell.chat.models import SeenRequest

#: Requests older or newer than this are refused before the replay check; rows older are pruned.
WINDOW = dt.timedelta(minutes=5)


def first_sight(platform: str, signature: str, *, now: dt.datetime | None = None) -> bool:
    """Remember ``signature``; False when it was seen before (a replay)."""
    digest = hashlib.sha256(f"{platform}:{signature}".encode()).hexdigest()
    try:
        with transaction.atomic():
            SeenRequest.objects.create(platform=platform, digest=digest, seen_at=now or timezone.now())
    except IntegrityError:
        return False
    return True


def prune_seen(now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    # Kept as long as a link-your-account token lives too (they are single use: chat.views.link).
    keep = max(2 * WINDOW, dt.timedelta(seconds=int(settings.CHAT_LINK_MAX_AGE_SECONDS)))
    return SeenRequest.objects.filter(seen_at__lt=now - keep).delete()[0]
