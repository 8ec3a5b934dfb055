"""The write layer for shares."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from groundswell.analytics.rollups import Delta, RollupBatch
from groundswell.content.models import Item
from groundswell.lib.periods import local_day
from groundswell.networks.registry import NETWORKS, ShareContext
from groundswell.policy.actions import needs_acknowledgement
from groundswell.rewards.actions import award_points
from groundswell.rewards.models import Action
from groundswell.sharing.models import Share, ShareMethod
from groundswell.workspaces.models import Membership

MAX_CAPTION = 3000


class ShareError(ValueError):
    """A share that cannot be made, with a message for the employee."""


def short_url(share: Share) -> str:
    return f"{settings.SITE_URL}/{share.code}"


def share_context(share: Share) -> ShareContext:
    return ShareContext(
        text=share.caption,
        url=short_url(share),
        title=share.item.display_title,
        mastodon_instance=share.member.mastodon_instance,
    )


def intent_url(share: Share) -> str:
    return NETWORKS[share.network].intent_url(share_context(share))


def check_share(*, member: Membership, item: Item, network: str, caption: str, now: dt.datetime) -> None:
    if item.workspace_id != member.workspace_id:
        raise ShareError("This item does not exist.")
    pending = needs_acknowledgement(member)
    if pending is not None:
        raise ShareError(
            f"Please read and acknowledge the social media policy (version {pending.number}) before sharing."
        )
    if not item.is_live(now):
        raise ShareError("This item is not open for sharing (it is not published, not started yet, or expired).")
    plugin = NETWORKS.get(network)
    if plugin is None:
        raise ShareError(f"Unknown network {network!r}. Choose one of: {', '.join(NETWORKS)}.")
    if len(caption) > MAX_CAPTION:
        raise ShareError(f"A caption can be at most {MAX_CAPTION} characters.")
    ctx = ShareContext(
        text=caption,
        url=f"{settings.SITE_URL}/XXXXXXX",
        title=item.display_title,
        mastodon_instance=member.mastodon_instance,
    )
    problem = plugin.validate(ctx)
    if problem:
        raise ShareError(problem)


def create_share(
    *,
    member: Membership,
    item: Item,
    network: str,
    caption: str,
    now: dt.datetime | None = None,
    method: str = ShareMethod.INTENT,
) -> Share:
    """Record a share with its own short link.

    A share link (``intent``) counts at once: rollups and points in the same transaction. A post made through
    a network's API counts only when the outbox has posted it (``record_share``), so a cancelled or failed
    post earns nothing.
    """
    now = now or timezone.now()
    caption = caption.strip()
    check_share(member=member, item=item, network=network, caption=caption, now=now)
    with transaction.atomic():
        share = Share.objects.create(
            workspace_id=member.workspace_id,
            item=item,
            member=member,
            network=network,
            caption=caption,
            method=method,
            reach_estimate=member.audience_size,
            created_at=now,
        )
        if method == ShareMethod.INTENT:
            record_share(share, now)
    return share


def record_share(share: Share, when: dt.datetime) -> None:
    """Count ``share``: the share rollups (shares, estimated reach) and the share points.

    Call exactly once per share, inside the transaction that makes it count (points are idempotent by key,
    rollup increments are not).
    """
    member = share.member
    day = local_day(when, member.workspace.timezone)
    batch = RollupBatch()
    batch.add(
        workspace_id=member.workspace_id,
        member_id=member.pk,
        department_id=member.department_id,
        location_id=member.location_id,
        day=day,
        network=share.network,
        item_id=share.item_id,
        delta=Delta(shares=1, reach=share.reach_estimate),
    )
    award_points(member=member, action=Action.SHARE, key=f"share:{share.pk}", day=day, rollup=batch, at=when)
    batch.write()
