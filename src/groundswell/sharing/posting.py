"""Posting a member's share through a network's API: scheduling, spreading colleagues' posts apart,
"send to ambassadors" staggering, and what the policy says before the member confirms.

:func:`schedule_post` records the share (its tracked short link) and adds the job to the outbox
(``networks.outbox.create_job``) in one transaction; the share keeps the link to its job
(``Share.outbound``). The share counts (rollups, points) only when the outbox announces the post went out
(``networks.signals.post_sent``, handled in ``sharing.receivers``), so a cancelled or failed post earns
nothing. The outbox itself delivers jobs and knows nothing about shares.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from groundswell.content.models import Item
from groundswell.networks import policy as posting_policy
from groundswell.networks.base import LinkCard
from groundswell.networks.models import AccountStatus, ConnectedAccount, OutboundPost, PostingPolicy, PostStatus
from groundswell.networks.outbox import (
    ACTIVE,
    PAST_SLACK,
    PostingError,
    _log,
    compose_text,
    create_job,
    network_label,
    too_long,
)
from groundswell.networks.registry import get_network
from groundswell.sharing.actions import ShareError, create_share, short_url
from groundswell.sharing.models import ShareMethod
from groundswell.workspaces.models import Membership

__all__ = [
    "PostingError",
    "ShareError",
    "StaggerResult",
    "cancel_post",
    "even_slots",
    "first_free_slot",
    "link_card",
    "preview_problems",
    "schedule_post",
    "spread_slot",
    "stagger_for_item",
]

#: "Spread it out": colleagues' posts of the same item keep at least this far apart.
SPREAD_MIN_GAP = dt.timedelta(minutes=10)


def link_card(item: Item, url: str) -> LinkCard:
    return LinkCard(url=url, title=item.display_title, description=item.description, image_url=item.image_url)


# --- choosing times ---------------------------------------------------------------------------------


def _taken_slots(item: Item, member: Membership, around: tuple[dt.datetime, dt.datetime]) -> list[dt.datetime]:
    start, end = around
    return sorted(
        OutboundPost.objects.filter(
            workspace_id=item.workspace_id,
            share__item=item,
            scheduled_at__gte=start - SPREAD_MIN_GAP,
            scheduled_at__lte=end + SPREAD_MIN_GAP,
        )
        .exclude(share__member=member)
        .exclude(status__in=(PostStatus.CANCELLED, PostStatus.FAILED))
        .values_list("scheduled_at", flat=True)
    )


def first_free_slot(
    start: dt.datetime, taken: Sequence[dt.datetime], gap: dt.timedelta = SPREAD_MIN_GAP
) -> dt.datetime:
    """The earliest time at or after ``start`` at least ``gap`` away from every time in ``taken``."""
    slot = start
    for other in sorted(taken):
        if other <= slot - gap:
            continue
        if other >= slot + gap:
            break
        slot = other + gap
    return slot


def spread_slot(item: Item, member: Membership, start: dt.datetime, policy: PostingPolicy) -> dt.datetime:
    """ "Spread it out": the first slot from ``start`` that keeps ``SPREAD_MIN_GAP`` away from colleagues'
    posts of the same item. The search covers the workspace's stagger window; when the window is full the
    slot is the first free one after it. Deterministic for the same data."""
    window_end = start + dt.timedelta(minutes=policy.stagger_minutes)
    taken = _taken_slots(item, member, (start, window_end + dt.timedelta(days=1)))
    return first_free_slot(start, taken)


def even_slots(start: dt.datetime, count: int, window: dt.timedelta) -> list[dt.datetime]:
    """``count`` times spread evenly over ``window`` from ``start`` (the first at ``start``)."""
    if count <= 0:
        return []
    step = window / count
    return [start + step * i for i in range(count)]


def counted_posts(member: Membership, network: str, start: dt.datetime, end: dt.datetime) -> int:
    """The member's posts of shares on ``network`` scheduled from ``start`` to ``end`` that count against the
    policy's caps (not cancelled, not failed)."""
    return (
        OutboundPost.objects.filter(
            workspace_id=member.workspace_id,
            share__member=member,
            share__network=network,
            scheduled_at__gte=start,
            scheduled_at__lt=end,
        )
        .exclude(status__in=posting_policy.NOT_COUNTED)
        .count()
    )


def _counter(member: Membership, network: str) -> Callable[[dt.datetime, dt.datetime], int]:
    return lambda start, end: counted_posts(member, network, start, end)


def preview_problems(
    *,
    member: Membership,
    item: Item,
    account: ConnectedAccount,
    caption: str,
    when: dt.datetime | None,
    now: dt.datetime | None = None,
) -> list[posting_policy.Problem]:
    """What the policy says about this post, for showing before the member confirms."""
    now = now or timezone.now()
    suggestions = [c.text for c in item.captions.all()]
    return posting_policy.check(
        member, account.network, caption, suggestions, when or now, counted=_counter(member, account.network)
    )


def _validate(member: Membership, item: Item, account: ConnectedAccount) -> None:
    if account.member_id != member.pk or account.workspace_id != member.workspace_id:
        raise PostingError("This connected account is not yours.")
    if account.status != AccountStatus.ACTIVE:
        raise PostingError(f"Your {network_label(account.network)} account needs reconnecting before we can post.")
    if item.workspace_id != member.workspace_id:
        raise PostingError("This item does not exist.")


def schedule_post(
    member: Membership,
    item: Item,
    account: ConnectedAccount,
    caption: str,
    when: dt.datetime | None,
    spread: bool,
    *,
    now: dt.datetime | None = None,
) -> OutboundPost:
    """Schedule a post of ``item`` on ``account`` (the member's own), at ``when`` (None: now).

    With ``spread`` the time is moved to the first free slot from ``when``/now that keeps colleagues' posts
    of the same item apart. Records the share (method "api") and the outbox job in one transaction; raises
    :class:`PostingError` with the policy's blocking problems, or :class:`ShareError` from sharing.
    """
    now = now or timezone.now()
    _validate(member, item, account)
    if when is not None and when < now - PAST_SLACK:
        raise PostingError("That time has passed. Pick a time in the future, or post now.")
    start = max(when or now, now)
    suggestions = [c.text for c in item.captions.all()]
    caption = caption.strip()
    with transaction.atomic():
        # One member schedules one post at a time: the caps below cannot be raced past.
        Membership.objects.select_for_update().filter(pk=member.pk).first()
        policy = posting_policy.get_policy(member.workspace)
        at = spread_slot(item, member, start, policy) if spread else start
        problems = posting_policy.blocking(
            posting_policy.check(
                member,
                account.network,
                caption,
                suggestions,
                at,
                counted=_counter(member, account.network),
                policy=policy,
            )
        )
        if problems:
            raise PostingError(" ".join(p.message for p in problems))
        text_caption = posting_policy.with_disclosure(caption, policy, member.workspace)
        share = create_share(
            member=member, item=item, network=account.network, caption=text_caption, now=now, method=ShareMethod.API
        )
        link = short_url(share)
        text = compose_text(text_caption, link)
        limit = too_long(account.network, text)
        if limit is not None:
            network = get_network(account.network)
            raise PostingError(network.too_long_message(network.count(text)))
        label = network_label(account.network)
        if at <= now + PAST_SLACK and not spread:
            note = f"Queued to post on {label} now as @{account.handle}."
        else:
            how = "Spread out: scheduled" if spread else "Scheduled"
            local = timezone.localtime(at, ZoneInfo(member.workspace.timezone))
            note = f"{how} for {local.strftime('%d %b %Y %H:%M')} on {label}."
        post = create_job(account, text, at, now=now, link=link_card(item, link), note=note)
        share.outbound = post
        share.save(update_fields=["outbound"])
    return post


@dataclass(frozen=True)
class StaggerResult:
    member: Membership
    account: ConnectedAccount
    at: dt.datetime
    post: OutboundPost | None = None
    error: str = ""


def stagger_for_item(
    item: Item,
    members_accounts: Sequence[tuple[Membership, ConnectedAccount]],
    start: dt.datetime,
    *,
    caption: str | None = None,
    now: dt.datetime | None = None,
) -> list[StaggerResult]:
    """Plan (and, with ``caption``, schedule) posts of ``item`` by many members, spread evenly over the
    workspace's stagger window from ``start``. Each member's post is scheduled on its own (a member whose
    post the policy blocks is reported, the others go ahead)."""
    if not members_accounts:
        return []
    policy = posting_policy.get_policy(item.workspace)
    slots = even_slots(start, len(members_accounts), dt.timedelta(minutes=policy.stagger_minutes))
    results: list[StaggerResult] = []
    for (member, account), at in zip(members_accounts, slots, strict=True):
        if caption is None:
            results.append(StaggerResult(member, account, at))
            continue
        try:
            post = schedule_post(member, item, account, caption, at, False, now=now)
        except (PostingError, ShareError) as exc:
            results.append(StaggerResult(member, account, at, error=str(exc)))
        else:
            results.append(StaggerResult(member, account, post.scheduled_at, post=post))
    return results


def cancel_post(member: Membership, post: OutboundPost) -> bool:
    """Cancel ``post`` if it is the member's and not yet being sent. True when it was cancelled."""
    share = getattr(post, "share", None)  # the reverse side of Share.outbound: absent for brand posts, replies
    if share is None or share.member_id != member.pk:
        raise PostingError("This is not your post.")
    with transaction.atomic():
        done = OutboundPost.objects.filter(pk=post.pk, status__in=ACTIVE).update(status=PostStatus.CANCELLED)
        if done:
            _log(post, "Cancelled by you. Nothing was posted.")
    post.refresh_from_db()
    return bool(done)
