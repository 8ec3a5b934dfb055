"""Counting many demo events at once, as the product counts them one at a time.

The product's write function ``learning.actions.complete_lesson`` awards points with ``award_points`` and
writes a rollup batch per lesson completed: about ten queries each, a good part of the demo build. Here the
points go through ``rewards.actions.award_points_batch`` (in the given order, so diminishing returns and daily
caps come out exactly as one by one) and all rollups through one ``RollupBatch``: a fixed number of queries.
``test_demo_rollups_match_raw_rows`` checks they agree with the ledger.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from groundswell.analytics.rollups import Delta, RollupBatch
from groundswell.rewards.actions import Claim, award_points_batch
from groundswell.workspaces.models import Membership


@dataclass(frozen=True)
class Event:
    """One event that may earn ``action`` points (``claim``), with the rollup delta it counts besides them."""

    member: Membership
    claim: Claim
    delta: Delta | None = None
    network: str | None = None
    item_id: int | None = None


def count_events(action: str, events: Sequence[Event], batch: RollupBatch | None = None) -> dict[str, int]:
    """Award the points of ``events`` in order and add them and their deltas to ``batch`` (written here unless
    the caller passes its own). Returns the points per claim key."""
    points = award_points_batch(action, [e.claim for e in events])
    rollup = batch or RollupBatch()
    for event in events:
        member, claim = event.member, event.claim
        if event.delta is not None:
            rollup.add(
                workspace_id=claim.workspace_id,
                member_id=member.pk,
                department_id=member.department_id,
                location_id=member.location_id,
                day=claim.day,
                network=event.network,
                item_id=event.item_id,
                delta=event.delta,
            )
        if points.get(claim.key):
            rollup.add(
                workspace_id=claim.workspace_id,
                member_id=member.pk,
                department_id=member.department_id,
                location_id=member.location_id,
                day=claim.day,
                delta=Delta(points=points[claim.key]),
            )
    if batch is None:
        rollup.write()
    return points
