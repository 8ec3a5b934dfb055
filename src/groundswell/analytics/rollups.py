"""Accumulate counter deltas for a batch of events, then write them with additive upserts.

Called inside the transaction that writes the events themselves, so rollups and raw rows never
disagree. A member's first share in a period raises that period's ``active_members`` for the
workspace, their department and their location.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from groundswell.analytics.models import Dimension, ItemDay, MemberPeriod, SegmentPeriod
from groundswell.lib.periods import starts_for
from groundswell.lib.upsert import additive_upsert

COUNTERS = (
    "shares",
    "clicks",
    "unique_clicks",
    "bot_clicks",
    "reach",
    "points",
    "engagements",
    "impressions",
    "measured_reach",
)


@dataclass
class Delta:
    shares: int = 0
    clicks: int = 0
    unique_clicks: int = 0
    bot_clicks: int = 0
    reach: int = 0
    points: int = 0
    engagements: int = 0
    impressions: int = 0
    measured_reach: int = 0

    def add(self, other: Delta) -> None:
        # Spelled out: this runs for every event in a click batch (dataclasses.fields() is slow).
        self.shares += other.shares
        self.clicks += other.clicks
        self.unique_clicks += other.unique_clicks
        self.bot_clicks += other.bot_clicks
        self.reach += other.reach
        self.points += other.points
        self.engagements += other.engagements
        self.impressions += other.impressions
        self.measured_reach += other.measured_reach

    def values(self) -> list[int]:
        return [
            self.shares,
            self.clicks,
            self.unique_clicks,
            self.bot_clicks,
            self.reach,
            self.points,
            self.engagements,
            self.impressions,
            self.measured_reach,
        ]


def _as_date(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


class RollupBatch:
    def __init__(self) -> None:
        self.members: dict[tuple[int, int, str, dt.date], Delta] = defaultdict(Delta)
        self.segments: dict[tuple[int, str, dt.date, str, str], Delta] = defaultdict(Delta)
        self.active: dict[tuple[int, str, dt.date, str, str], int] = defaultdict(int)
        self.items: dict[tuple[int, int, dt.date, str], Delta] = defaultdict(Delta)
        self.member_segments: dict[int, tuple[int | None, int | None]] = {}

    def add(
        self,
        *,
        workspace_id: int,
        member_id: int,
        department_id: int | None,
        location_id: int | None,
        day: dt.date,
        delta: Delta,
        network: str | None = None,
        item_id: int | None = None,
    ) -> None:
        self.member_segments[member_id] = (department_id, location_id)
        for period, start in starts_for(day):
            self.members[(workspace_id, member_id, period, start)].add(delta)
            self.segments[(workspace_id, period, start, Dimension.ALL, "")].add(delta)
            if department_id:
                self.segments[(workspace_id, period, start, Dimension.DEPARTMENT, str(department_id))].add(delta)
            if location_id:
                self.segments[(workspace_id, period, start, Dimension.LOCATION, str(location_id))].add(delta)
            if network:
                self.segments[(workspace_id, period, start, Dimension.NETWORK, network)].add(delta)
        if item_id is not None and network is not None:
            self.items[(workspace_id, item_id, day, network)].add(delta)

    def write(self) -> None:
        member_rows = [[*key, *delta.values()] for key, delta in self.members.items()]
        returned = additive_upsert(
            MemberPeriod,
            ("workspace", "member", "period", "start"),
            COUNTERS,
            member_rows,
            returning=("workspace", "member", "period", "start", "shares"),
        )
        for workspace_id, member_id, period, start, shares in returned:
            start = _as_date(start)
            delta = self.members[(workspace_id, member_id, period, start)]
            if delta.shares > 0 and shares == delta.shares:
                # This batch holds the member's first share(s) of the period.
                department_id, location_id = self.member_segments[member_id]
                self.active[(workspace_id, period, start, Dimension.ALL, "")] += 1
                if department_id:
                    self.active[(workspace_id, period, start, Dimension.DEPARTMENT, str(department_id))] += 1
                if location_id:
                    self.active[(workspace_id, period, start, Dimension.LOCATION, str(location_id))] += 1
        segment_rows = [[*key, *delta.values(), self.active.get(key, 0)] for key, delta in self.segments.items()]
        additive_upsert(
            SegmentPeriod,
            ("workspace", "period", "start", "dimension", "key"),
            (*COUNTERS, "active_members"),
            segment_rows,
        )
        item_rows = [[*key, *delta.values()] for key, delta in self.items.items()]
        additive_upsert(ItemDay, ("workspace", "item", "day", "network"), COUNTERS, item_rows)
