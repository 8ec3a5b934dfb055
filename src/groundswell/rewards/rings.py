"""Rings: members whose clicks come mostly from a small closed group of colleagues who click each other.

Run weekly-ish by a periodic task over the last ``WINDOW_DAYS`` days of unique human clicks. A click is a
colleague's when its visitor hash was seen on that colleague's own signed-in page views (``MemberVisitor``).

For each member with at least ``MIN_CLICKS`` unique clicks, the share from colleagues is computed. Members
with at least ``MIN_COLLEAGUE_SHARE`` are linked to the colleagues who clicked them; a connected group of
2 to ``MAX_RING`` such members, none of whom is clicked by a colleague outside the group, is a ring. Their
colleague clicks have already paid points: those are reversed by one negative ledger line per member (with
the reason), and a finding shows the admin the evidence. Dismissing it pays the points back.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Max, Min, Sum
from django.utils import timezone

from groundswell.links.models import Click
from groundswell.rewards.actions import adjust_points
from groundswell.rewards.antigaming import RULE_TEXT
from groundswell.rewards.models import Finding, FindingKind, FindingStatus, MemberVisitor, PointsEntry
from groundswell.workspaces.models import Membership, Workspace

WINDOW_DAYS = 28
MIN_CLICKS = 5
MIN_COLLEAGUE_SHARE = 0.6
MAX_RING = 6


def _components(graph: dict[int, set[int]]) -> list[set[int]]:
    seen: set[int] = set()
    out: list[set[int]] = []
    for start in graph:
        if start in seen:
            continue
        group: set[int] = set()
        stack = [start]
        while stack:
            node = stack.pop()
            if node in group:
                continue
            group.add(node)
            stack.extend(graph.get(node, set()) - group)
        seen |= group
        out.append(group)
    return out


def find_rings(workspace: Workspace, now: dt.datetime) -> list[tuple[set[int], dict[int, dict[int, int]]]]:
    """The rings of the workspace: (member ids, {member: {colleague: clicks}}). Reads only, three queries."""
    since = now - dt.timedelta(days=WINDOW_DAYS)
    clicks = Click.objects.filter(workspace=workspace, clicked_at__gte=since, is_unique=True, is_bot=False)
    totals = dict(clicks.order_by().values_list("share__member_id").annotate(n=Count("id")))
    owners: dict[str, set[int]] = defaultdict(set)
    for visitor_hash, member_id in MemberVisitor.objects.filter(workspace=workspace).values_list(
        "visitor_hash", "member_id"
    ):
        owners[visitor_hash].add(member_id)
    by_colleague: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    colleague_clicks = (
        clicks.filter(visitor_hash__in=MemberVisitor.objects.filter(workspace=workspace).values("visitor_hash"))
        .order_by()
        .values_list("share__member_id", "visitor_hash")
        .annotate(n=Count("id"))
    )
    for member_id, visitor_hash, n in colleague_clicks:
        for colleague in owners.get(visitor_hash, set()) - {member_id}:
            by_colleague[member_id][colleague] += n
    suspects = {
        m
        for m, per in by_colleague.items()
        if totals.get(m, 0) >= MIN_CLICKS and sum(per.values()) / totals[m] >= MIN_COLLEAGUE_SHARE
    }
    graph: dict[int, set[int]] = {m: set() for m in suspects}
    for m in suspects:
        for colleague in by_colleague[m]:
            if colleague in suspects:
                graph[m].add(colleague)
                graph[colleague].add(m)
    rings = []
    for group in _components(graph):
        closed = all(set(by_colleague[m]) <= group for m in group)
        if 2 <= len(group) <= MAX_RING and closed:
            rings.append((group, {m: dict(by_colleague[m]) for m in group}))
    return rings


@transaction.atomic
def detect_rings(workspace: Workspace, *, today: dt.date, now: dt.datetime | None = None) -> list[Finding]:
    """Record a finding per ring member and reverse the points their colleague clicks earned since the last
    time. Idempotent per member and day; members whose ring finding an admin dismissed are left alone."""
    now = now or timezone.now()
    findings: list[Finding] = []
    since = now - dt.timedelta(days=WINDOW_DAYS)
    for group, per_member in find_rings(workspace, now):
        names = dict(Membership.objects.filter(pk__in=group).values_list("pk", "display_name"))
        previous = Finding.objects.filter(workspace=workspace, kind=FindingKind.RING, member_id__in=group)
        dismissed = set(
            previous.filter(status=FindingStatus.DISMISSED, last_at__gte=since).values_list("member_id", flat=True)
        )
        covered_until = dict(previous.values_list("member_id").annotate(last=Max("last_at")))
        for member_id in sorted(group - dismissed):
            key = f"ring:{member_id}:{today.isoformat()}"
            if Finding.objects.filter(workspace=workspace, key=key).exists():
                continue
            hashes = MemberVisitor.objects.filter(workspace=workspace, member_id__in=set(per_member[member_id]))
            ring_clicks = Click.objects.filter(
                workspace=workspace,
                share__member_id=member_id,
                is_unique=True,
                is_bot=False,
                clicked_at__gte=since,
                visitor_hash__in=hashes.values("visitor_hash"),
            )
            covered = covered_until.get(member_id)
            if covered is not None:
                ring_clicks = ring_clicks.filter(clicked_at__gt=covered)  # reversed by an earlier finding
            stats = ring_clicks.aggregate(n=Count("id"), first=Min("clicked_at"), last=Max("clicked_at"))
            if not stats["n"]:
                continue
            keys = [f"click:{uid}" for uid in ring_clicks.values_list("uid", flat=True)]
            paid = (
                PointsEntry.objects.filter(workspace=workspace, member_id=member_id, key__in=keys).aggregate(
                    s=Sum("points")
                )["s"]
                or 0
            )
            finding = Finding.objects.create(
                workspace=workspace,
                member_id=member_id,
                kind=FindingKind.RING,
                key=key,
                events=stats["n"],
                points_reversed=paid,
                first_at=stats["first"],
                last_at=stats["last"],
                evidence={
                    "rule": RULE_TEXT[FindingKind.RING],
                    "window_days": WINDOW_DAYS,
                    "group": sorted(names.get(m, "?") for m in group),
                    "colleague_clicks": {names.get(c, "?"): n for c, n in sorted(per_member[member_id].items())},
                },
            )
            if paid:
                adjust_points(
                    member=Membership.objects.get(pk=member_id),
                    points=-paid,
                    reason=f"Clicks from a closed group of colleagues ({stats['n']}) do not earn points: "
                    "an admin can review this.",
                    author=None,
                    key=f"finding:{finding.pk}:reversed",
                    day=today,
                )
            findings.append(finding)
    return findings
