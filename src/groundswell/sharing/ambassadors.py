"""Sending an item to the ambassadors who opted in to auto-posting, staggered over the policy's window.

Only accounts whose owner turned on ``auto_post`` are used ("ask, don't order"); each member sees the post in
"My scheduled posts" and can cancel it before it goes out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction

from groundswell.content.models import Item
from groundswell.content.targeting import targeting_q
from groundswell.networks import policy as posting_policy
from groundswell.networks.models import AccountStatus, ConnectedAccount, PostingPolicy
from groundswell.sharing.actions import ShareError
from groundswell.sharing.models import Share
from groundswell.sharing.posting import PostingError, StaggerResult, schedule_post, stagger_for_item
from groundswell.workspaces.models import Membership

#: Staggered posts start this long after the admin confirms (time to look at "My scheduled posts").
SEND_DELAY = dt.timedelta(minutes=5)


def caption_for(item: Item, network: str) -> str:
    """The item's suggested caption for ``network``, else its first general caption, else its title."""
    captions = [c for c in item.captions.all() if c.text.strip()]
    for wanted in (network, ""):
        for c in captions:
            if c.network == wanted:
                return c.text
    return item.display_title


@dataclass
class Ambassadors:
    """Who would post ``item``: opted-in, active accounts of active members the item is aimed at."""

    ready: list[tuple[Membership, ConnectedAccount]] = field(default_factory=list)
    #: Accounts skipped because the member already has a post (or share) of the item on that network.
    already: list[tuple[Membership, ConnectedAccount]] = field(default_factory=list)
    #: Opted-in accounts that need reconnecting first.
    reconnect: int = 0


def _has_post(item: Item, member: Membership, network: str) -> bool:
    # Any share of the item on that network: posted, scheduled, shared by link, or cancelled by the member.
    return Share.objects.filter(item=item, member=member, network=network).exists()


def find_ambassadors(item: Item) -> Ambassadors:
    found = Ambassadors()
    accounts = (
        ConnectedAccount.objects.filter(
            workspace_id=item.workspace_id,
            auto_post=True,
            member__workspace_id=item.workspace_id,
            member__is_active=True,
        )
        .select_related("member__workspace")
        .order_by("member__display_name", "member_id", "network", "pk")
    )
    shared = set(Share.objects.filter(item=item).values_list("member_id", "network"))
    aimed: dict[int, bool] = {}
    for account in accounts:
        member = account.member
        assert member is not None  # filtered on the member above: never a workspace-owned account
        if member.pk not in aimed:
            aimed[member.pk] = Item.objects.filter(pk=item.pk).filter(targeting_q(member)).exists()
        if not aimed[member.pk]:
            continue
        if account.status != AccountStatus.ACTIVE:
            found.reconnect += 1
        elif (member.pk, account.network) in shared:
            found.already.append((member, account))
        else:
            found.ready.append((member, account))
    return found


def send_to_item_ambassadors(
    item: Item, ambassadors: Ambassadors, now: dt.datetime
) -> tuple[list[StaggerResult], list[tuple[Membership, ConnectedAccount]]]:
    """Schedule one post per ready account, spread evenly over the stagger window from ``now`` +
    :data:`SEND_DELAY`. Each member's post is scheduled in its own transaction, with the member locked and
    "already has a post of this item" checked again, so a double submit does not post twice. Returns the
    results (posts, or the policy's reason for skipping) and the accounts found to have a post already."""
    plan = stagger_for_item(item, ambassadors.ready, now + SEND_DELAY)  # no caption: the slots only
    results: list[StaggerResult] = []
    already = list(ambassadors.already)
    for slot in plan:
        member, account = slot.member, slot.account
        try:
            with transaction.atomic():
                Membership.objects.select_for_update().filter(pk=member.pk).first()
                if _has_post(item, member, account.network):
                    already.append((member, account))
                    continue
                post = schedule_post(member, item, account, caption_for(item, account.network), slot.at, False, now=now)
        except (PostingError, ShareError) as exc:
            results.append(StaggerResult(member, account, slot.at, error=str(exc)))
        else:
            results.append(StaggerResult(member, account, post.scheduled_at, post=post))
    return results, already


def caption_blocked(item: Item, policy: PostingPolicy, caption: str) -> bool:
    if policy.unchanged_caption != PostingPolicy.UnchangedCaption.BLOCK:
        return False
    mine = posting_policy.normalise(caption)
    return any(mine == posting_policy.normalise(c.text) for c in item.captions.all())
