"""The write layer for shares."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from groundswell.analytics.rollups import Delta, RollupBatch
from groundswell.content.models import Item
from groundswell.lib.periods import local_day
from groundswell.networks.mastodon.intent import normalise_instance
from groundswell.networks.registry import NETWORKS, ShareContext
from groundswell.policy.actions import needs_acknowledgement
from groundswell.rewards.actions import Claim, award_points, award_points_batch
from groundswell.rewards.models import Action, PointsEntry
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

    A share link (``intent``) is counted as a share started at once (the share rollups), but earns nothing yet:
    its points come when its short link gets its first human click (:func:`confirm_first_clicks`, called by
    the click ingest). A post made through a network's API counts, and earns, only when the outbox has posted
    it (:func:`record_share`), so a cancelled or failed post earns nothing. ADR 0034.
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
            batch = RollupBatch()
            _count_share(batch, share, local_day(now, member.workspace.timezone))
            batch.write()
    return share


def _count_share(batch: RollupBatch, share: Share, day: dt.date) -> None:
    member = share.member
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


def record_share(share: Share, when: dt.datetime) -> None:
    """Count a post Groundswell made for the member (the outbox confirmed it): the share rollups, the share
    points, and the share marked confirmed.

    Call exactly once per share, inside the transaction that makes it count (points are idempotent by key,
    rollup increments are not).
    """
    member = share.member
    day = local_day(when, member.workspace.timezone)
    batch = RollupBatch()
    _count_share(batch, share, day)
    award_points(
        member=member,
        action=Action.SHARE,
        key=share_points_key(share.pk),
        day=day,
        rollup=batch,
        at=when,
        note=f"Posted for you on {NETWORKS[share.network].label if share.network in NETWORKS else share.network}. ",
    )
    Share.objects.filter(pk=share.pk, confirmed_at__isnull=True).update(confirmed_at=when)
    batch.write()


def share_points_key(share_id: int) -> str:
    """The ledger key of a share's points: one award per share, whichever event confirms it."""
    return f"share:{share_id}"


FIRST_CLICK_REASON = "Your share link got its first click from a person. "


@dataclass(frozen=True)
class FirstClick:
    """The first human click (not a bot, not screened out as gaming) seen for a share link in a click batch."""

    share_id: int
    workspace_id: int
    member_id: int
    day: dt.date
    at: dt.datetime


def confirm_first_clicks(firsts: list[FirstClick]) -> dict[int, int]:
    """Confirm share links that got their first human click, and award their share points, in the caller's
    transaction (the click batch's: a database that blinks loses neither). Returns the points per share id.

    Each share is claimed with a conditional update (still unconfirmed, a share link): a replay or a
    concurrent batch claims nothing, so the points are paid exactly once; the ledger key
    ``share:<id>`` makes sure of it. Posts made through the API are confirmed by the outbox instead.
    """
    claimed = [
        f
        for f in firsts
        if Share.objects.filter(pk=f.share_id, confirmed_at__isnull=True, method=ShareMethod.INTENT).update(
            confirmed_at=f.at
        )
        == 1
    ]
    if not claimed:
        return {}
    paid = set(
        PointsEntry.objects.filter(key__in=[share_points_key(f.share_id) for f in claimed]).values_list(
            "key", flat=True
        )
    )
    claims = [
        Claim(
            key=share_points_key(f.share_id),
            workspace_id=f.workspace_id,
            member_id=f.member_id,
            day=f.day,
            at=f.at,
            note=FIRST_CLICK_REASON,
        )
        for f in claimed
        if share_points_key(f.share_id) not in paid
    ]
    awarded = award_points_batch(Action.SHARE, claims)
    return {f.share_id: awarded.get(share_points_key(f.share_id), 0) for f in claimed}


def set_mastodon_instance(member: Membership, value: str) -> str:
    """Save the member's Mastodon server from the share composer (the profile's rule: a host name, stored in
    its IDNA form). Raises :class:`ShareError` with a message for the member."""
    value = value.strip()
    if not value:
        raise ShareError("Enter your Mastodon server, for example mastodon.social.")
    try:
        instance = normalise_instance(value)
    except ValueError as exc:
        raise ShareError(str(exc)) from None
    Membership.objects.filter(pk=member.pk).update(mastodon_instance=instance)
    member.mastodon_instance = instance
    return instance
