"""Engagement on a share's post, attributed by sharing: networks' engagement sync measures what each new
snapshot adds to a post (``networks.signals.engagement_measured``), and this receiver credits the post's share.

In the sync's transaction, the deltas go to the rollups (``engagements``, ``impressions``) of the share's
member, department, location, network and item on the day of the sync (in the workspace's time zone), and
engagement points go to the ledger (the rule's points per new engagement, within the daily cap), keyed
``engagement:<post id>:<snapshot id>`` so the same snapshot never pays twice. The first time a post reports
impressions, its share-time audience estimate is added to ``measured_reach`` on the *share's* day, so goals can
replace the estimate with measured impressions (``reach - measured_reach + impressions``; see
``goals.progress.reach_value``). A post without a share (a brand post) counts nothing here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, NamedTuple

from django.db.models import Sum

from groundswell.analytics.rollups import Delta, RollupBatch
from groundswell.lib.periods import local_day
from groundswell.networks.sync import Counted, Engagement
from groundswell.rewards.actions import Rule, rule_for
from groundswell.rewards.models import Action, PointsEntry
from groundswell.sharing.models import Share


class _ShareRow(NamedTuple):
    member_id: int
    department_id: int | None
    location_id: int | None
    network: str
    item_id: int
    reach_estimate: int | None
    created_at: dt.datetime


def _shares(post_ids: Sequence[int]) -> dict[int, _ShareRow]:
    """The share each post carried, by post id. One query."""
    rows = Share.objects.filter(outbound_id__in=post_ids).values_list(
        "outbound_id",
        "member_id",
        "member__department_id",
        "member__location_id",
        "network",
        "item_id",
        "reach_estimate",
        "created_at",
    )
    return {outbound_id: _ShareRow(*rest) for outbound_id, *rest in rows}  # type: ignore[arg-type]


def _earned_today(workspace_id: int, member_ids: set[int], day: dt.date) -> dict[int, int]:
    rows = (
        PointsEntry.objects.filter(
            workspace_id=workspace_id, member_id__in=member_ids, action=Action.ENGAGEMENT, day=day
        )
        .order_by()
        .values_list("member_id")
        .annotate(total=Sum("points"))
    )
    return {member_id: int(total or 0) for member_id, total in rows}


def engagement_points(rule: Rule, engagements: int, already_today: int) -> int:
    """``rule.points`` per engagement, within what is left of the daily cap."""
    points = rule.points * max(0, engagements)
    if rule.daily_cap is None:
        return points
    return max(0, min(points, rule.daily_cap - already_today))


def on_engagement_measured(
    sender: Any, changes: Sequence[Engagement], at: dt.datetime, memo: dict[Any, Any], **kwargs: Any
) -> Counted:
    """Credit the shares of the measured posts (rollups, points), capped per member and day across the batch."""
    now = at
    shares = _shares([c.post_id for c in changes])
    rules: dict[tuple[int, dt.date], Rule | None] = memo.setdefault("sharing.engagement.rules", {})
    earned: dict[tuple[int, dt.date], int] = {}
    wanted_caps: dict[tuple[int, dt.date], set[int]] = defaultdict(set)
    for change in changes:
        share = shares.get(change.post_id)
        if change.engagements and share is not None:
            wanted_caps[(change.workspace_id, local_day(now, change.timezone))].add(share.member_id)
    for (workspace_id, day), member_ids in wanted_caps.items():
        for member_id, total in _earned_today(workspace_id, member_ids, day).items():
            earned[(member_id, day)] = total
    entries: list[PointsEntry] = []
    batch = RollupBatch()
    engagements = impressions = awarded = 0
    for change in changes:
        share = shares.get(change.post_id)
        if share is None:  # a brand post: the snapshot is all there is to keep
            continue
        day = local_day(now, change.timezone)
        points = 0
        if change.engagements:
            rule_key = (change.workspace_id, day)
            if rule_key not in rules:
                rules[rule_key] = rule_for(change.workspace_id, Action.ENGAGEMENT, day)
            rule = rules[rule_key]
            if rule is not None:
                points = engagement_points(rule, change.engagements, earned.get((share.member_id, day), 0))
            if points > 0:
                earned[(share.member_id, day)] = earned.get((share.member_id, day), 0) + points
                entries.append(
                    PointsEntry(
                        workspace_id=change.workspace_id,
                        member_id=share.member_id,
                        action=Action.ENGAGEMENT,
                        points=points,
                        day=day,
                        key=f"engagement:{change.post_id}:{change.snapshot_id}",
                        created_at=now,
                    )
                )
        dims: dict[str, Any] = {
            "workspace_id": change.workspace_id,
            "member_id": share.member_id,
            "department_id": share.department_id,
            "location_id": share.location_id,
            "network": share.network,
            "item_id": share.item_id,
        }
        if change.engagements or change.impressions or points:
            batch.add(
                day=day,
                delta=Delta(engagements=change.engagements, impressions=change.impressions, points=points),
                **dims,
            )
        if change.first_measured and share.reach_estimate:
            # Counted where the estimate was counted: the share's day.
            batch.add(
                day=local_day(share.created_at, change.timezone),
                delta=Delta(measured_reach=share.reach_estimate),
                **dims,
            )
        engagements += change.engagements
        impressions += change.impressions
        awarded += points
    PointsEntry.objects.bulk_create(entries)
    batch.write()
    return Counted(engagements=engagements, impressions=impressions, points=awarded)
