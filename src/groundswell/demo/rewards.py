"""Demo data for fair recognition: leagues drawn week by week from the demo's history, and a few anti-gaming
findings (a self-click, a burst from one network range, a ring of three colleagues), all through the real
write layer (``write_clicks``, ``draw_week``, ``detect_rings``)."""

from __future__ import annotations

import datetime as dt
import random

from django.db.models import Count

from groundswell.lib.periods import local_day, period_start
from groundswell.links.ingest import ClickEvent, write_clicks
from groundswell.links.models import Click
from groundswell.links.visitor import NetworkHasher
from groundswell.rewards.leagues import draw_week
from groundswell.rewards.models import MemberVisitor
from groundswell.rewards.rings import detect_rings
from groundswell.sharing.models import Share
from groundswell.workspaces.models import Membership, Workspace

LEAGUE_WEEKS = 6
UA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15"


def _latest_share(member: Membership) -> Share | None:
    return Share.objects.filter(member=member).order_by("-created_at").first()


def add_rewards_demo(workspace: Workspace, members: list[Membership], now: dt.datetime, seed: int) -> int:
    """Returns how many clicks it wrote (added to the demo's click count)."""
    written = 0
    rng = random.Random(seed * 31 + 15)
    today = local_day(now, workspace.timezone)
    sharers = [m for m in members if _latest_share(m) is not None]
    rng.shuffle(sharers)
    day = now.astimezone(dt.UTC).date()
    if len(sharers) >= 5:
        # A self-click: the member's own browser (seen on their page views) clicks their link.
        selfish, share = sharers[0], _latest_share(sharers[0])
        assert share is not None
        own = f"demo-own-{selfish.pk}"
        MemberVisitor.objects.create(workspace=workspace, member=selfish, visitor_hash=own, day=day)
        written += write_clicks(
            [ClickEvent.new(code=share.code, clicked_at=now - dt.timedelta(hours=3), visitor_hash=own)]
        )

        # A burst: 14 clicks, 20 seconds apart, from one office network on one member's link.
        burst_share = _latest_share(sharers[1])
        assert burst_share is not None
        network = NetworkHasher()("203.0.113.40")
        start = now - dt.timedelta(hours=5)
        written += write_clicks(
            [
                ClickEvent.new(
                    code=burst_share.code,
                    clicked_at=start + dt.timedelta(seconds=20 * i),
                    visitor_hash=f"demo-burst-{i}",
                    user_agent=UA,
                    network_hash=network,
                )
                for i in range(14)
            ]
        )

        # A ring: three quiet colleagues whose clicks come only from each other's browsers.
        since = now - dt.timedelta(days=28)
        recent = dict(
            Click.objects.filter(workspace=workspace, clicked_at__gte=since, is_unique=True)
            .order_by()
            .values_list("share__member_id")
            .annotate(n=Count("id"))
        )
        quiet = sorted(sharers[2:], key=lambda m: (recent.get(m.pk, 0), m.pk))
        ring = quiet[:3]
        for m in ring:
            for k in range(3):
                MemberVisitor.objects.create(
                    workspace=workspace, member=m, visitor_hash=f"demo-ring-{m.pk}-{k}", day=day
                )
        for m in ring:
            ring_share = _latest_share(m)
            assert ring_share is not None
            written += write_clicks(
                [
                    ClickEvent.new(
                        code=ring_share.code,
                        clicked_at=now - dt.timedelta(hours=rng.randint(2, 40)),
                        visitor_hash=f"demo-ring-{c.pk}-{k}",
                        user_agent=UA,
                    )
                    for c in ring
                    if c != m
                    for k in range(3)
                ]
                + [ClickEvent.new(code=ring_share.code, clicked_at=now - dt.timedelta(hours=1), visitor_hash="x")]
            )
        detect_rings(workspace, today=today, now=now)

    # Leagues: draw the last weeks in order, so promotions and relegations follow the real history.
    this_week = period_start("w", today)
    for back in range(LEAGUE_WEEKS - 1, -1, -1):
        draw_week(workspace, this_week - dt.timedelta(days=7 * back))
    return written
