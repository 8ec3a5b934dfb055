"""Anti-gaming: clicks that must not earn points, found while a click batch is written (links/ingest.py).

Three rules run at ingest, on the batch plus what is already stored, in a constant number of queries:

* **self-click**: the click's visitor hash was seen on the link owner's own signed-in page views
  (``MemberVisitor``, recorded by ``rewards.middleware``; the same HMAC of IP + user agent + day);
* **repeated visitor**: one visitor (hash) earning unique clicks on more than ``REPEAT_LIMIT`` of one
  member's shares on one day — the unique flag stops repeats on one share, this stops a friend clicking all;
* **burst**: at least ``BURST_CLICKS`` human clicks within ``BURST_MINUTES`` from one network range (an HMAC
  of the /24 or /48, never the address) on one member's links: the clicks from the burst earn nothing.

Rings of colleagues are found later, over weeks of clicks, by ``rings.detect_rings`` (a periodic task).

Flagged clicks are still stored and counted as clicks; they only earn no points. Each rule writes a
``Finding`` per member and window with the evidence (counts, times, shortened hashes) for the admin, who can
confirm it or dismiss it (the points withheld are then paid by an adjustment: actions.decide_finding).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count

from groundswell.links.models import Click, UniqueVisit
from groundswell.rewards.models import Finding, FindingKind, FindingStatus, MemberVisitor

REPEAT_LIMIT = 3
BURST_CLICKS = 10
BURST_MINUTES = 10
MAX_SAMPLES = 20

RULE_TEXT = {
    FindingKind.SELF_CLICK: "The click came from the same browser and network the person uses to sign in here.",
    FindingKind.REPEAT_VISITOR: (
        f"One visitor clicked more than {REPEAT_LIMIT} of this person's links on one day; "
        f"only the first {REPEAT_LIMIT} earn points."
    ),
    FindingKind.BURST: (
        f"{BURST_CLICKS} or more clicks within {BURST_MINUTES} minutes from one network range on this person's links."
    ),
    FindingKind.RING: (
        "Most of this person's clicks came from a small group of colleagues who mostly click each other's links."
    ),
}


def short(value: str) -> str:
    """A shortened hash for the evidence: enough to tell visitors apart, nothing to recover."""
    return value[:10]


@dataclass(frozen=True)
class ScreenedClick:
    """A human click of the batch, as the screen needs it."""

    uid: str
    workspace_id: int
    member_id: int
    clicked_at: dt.datetime
    day: dt.date
    visitor_hash: str
    network_hash: str
    is_unique: bool
    points: int  # what it would earn at the rule's full value (for "points withheld")


@dataclass
class _Pending:
    workspace_id: int
    member_id: int
    kind: str
    events: int = 0
    withheld: int = 0
    first_at: dt.datetime | None = None
    last_at: dt.datetime | None = None
    samples: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def add(self, click: ScreenedClick) -> None:
        self.events += 1
        self.withheld += click.points
        self.first_at = click.clicked_at if self.first_at is None else min(self.first_at, click.clicked_at)
        self.last_at = click.clicked_at if self.last_at is None else max(self.last_at, click.clicked_at)
        if len(self.samples) < MAX_SAMPLES:
            sample = {"at": click.clicked_at.isoformat(), "visitor": short(click.visitor_hash)}
            if click.network_hash:
                sample["network"] = short(click.network_hash)
            self.samples.append(sample)


def screen_clicks(clicks: list[ScreenedClick]) -> set[str]:
    """The uids of unique clicks that earn no points; writes or extends the findings. Call after the batch's
    unique visits are claimed and before its clicks are inserted (stored clicks are the burst history)."""
    if not clicks:
        return set()
    flagged: dict[str, str] = {}
    pending: dict[str, _Pending] = {}

    def flag(click: ScreenedClick, kind: str, key: str, **extra: Any) -> None:
        if click.uid in flagged:
            return
        flagged[click.uid] = kind
        entry = pending.get(key)
        if entry is None:
            entry = pending[key] = _Pending(click.workspace_id, click.member_id, kind, extra=extra)
        entry.add(click)

    unique = [c for c in clicks if c.is_unique]
    _self_clicks(unique, flag)
    _bursts(clicks, flag)
    _repeats(unique, flagged, flag)
    _write_findings(pending)
    return set(flagged)


def _self_clicks(unique: list[ScreenedClick], flag: Any) -> None:
    hashes = {c.visitor_hash for c in unique}
    if not hashes:
        return
    owners: dict[str, set[int]] = defaultdict(set)
    workspaces = {c.workspace_id for c in unique}
    known = MemberVisitor.objects.filter(workspace_id__in=workspaces, visitor_hash__in=hashes)
    for visitor_hash, member_id in known.values_list("visitor_hash", "member_id"):
        owners[visitor_hash].add(member_id)
    for click in unique:
        if click.member_id in owners.get(click.visitor_hash, ()):
            flag(click, FindingKind.SELF_CLICK, f"self:{click.member_id}:{click.day.isoformat()}")


def _repeats(unique: list[ScreenedClick], flagged: dict[str, str], flag: Any) -> None:
    """Count each visitor's unique visits to a member's links from ``UniqueVisit`` (indexed by visitor hash;
    the hash includes the day, so these are that day's visits). The batch's own visits are already claimed
    there, so they are taken off first and counted in order."""
    if not unique:
        return
    stored = (
        # Filtered on the visitor hash only, so the database walks that index (not all visits to the shares).
        UniqueVisit.objects.filter(visitor_hash__in={c.visitor_hash for c in unique})
        .order_by()
        .values_list("share__member_id", "visitor_hash")
        .annotate(n=Count("id"))
        .filter(n__gt=REPEAT_LIMIT)  # only pairs that went over the limit, so the answer stays small
    )
    seen: dict[tuple[int, str], int] = {(m, h): n for m, h, n in stored}
    if not seen:
        return
    for click in unique:
        pair = (click.member_id, click.visitor_hash)
        if pair in seen:
            seen[pair] -= 1
    for click in sorted(unique, key=lambda c: c.clicked_at):
        pair = (click.member_id, click.visitor_hash)
        if pair not in seen:
            continue
        seen[pair] += 1
        if seen[pair] > REPEAT_LIMIT and click.uid not in flagged:
            flag(
                click,
                FindingKind.REPEAT_VISITOR,
                f"repeat:{click.member_id}:{short(click.visitor_hash)}:{click.day.isoformat()}",
                limit=REPEAT_LIMIT,
            )


def _bursts(clicks: list[ScreenedClick], flag: Any) -> None:
    ranged = [c for c in clicks if c.network_hash]
    if not ranged:
        return
    window = dt.timedelta(minutes=BURST_MINUTES)
    earliest = min(c.clicked_at for c in ranged) - window
    latest = max(c.clicked_at for c in ranged)
    timelines: dict[tuple[int, str], list[dt.datetime]] = defaultdict(list)
    stored = Click.objects.filter(
        network_hash__in={c.network_hash for c in ranged},
        clicked_at__gte=earliest,
        clicked_at__lte=latest,
        share__member_id__in={c.member_id for c in ranged},
        is_bot=False,
    ).values_list("share__member_id", "network_hash", "clicked_at")
    for member_id, network_hash, clicked_at in stored:
        timelines[(member_id, network_hash)].append(clicked_at)
    for click in ranged:
        timelines[(click.member_id, click.network_hash)].append(click.clicked_at)
    for times in timelines.values():
        times.sort()
    for click in ranged:
        if not click.is_unique:
            continue
        times = timelines[(click.member_id, click.network_hash)]
        in_window = bisect.bisect_right(times, click.clicked_at) - bisect.bisect_right(times, click.clicked_at - window)
        if in_window >= BURST_CLICKS:
            flag(
                click,
                FindingKind.BURST,
                f"burst:{click.member_id}:{short(click.network_hash)}:{click.day.isoformat()}",
                threshold=BURST_CLICKS,
                window_minutes=BURST_MINUTES,
                network=short(click.network_hash),
            )


def _write_findings(pending: dict[str, _Pending]) -> None:
    """Create or extend one finding per key (rows locked, so concurrent batches add up exactly)."""
    if not pending:
        return
    fresh = [
        Finding(  # type: ignore[misc]
            workspace_id=p.workspace_id,
            member_id=p.member_id,
            kind=p.kind,
            key=key,
            first_at=p.first_at,
            last_at=p.last_at,
            evidence={"rule": RULE_TEXT[FindingKind(p.kind)], "samples": [], **p.extra},
        )
        for key, p in sorted(pending.items())
    ]
    # Inserted and locked in one order (key, then pk), so concurrent batches cannot deadlock on findings.
    Finding.objects.bulk_create(fresh, ignore_conflicts=True)
    workspace_ids = {p.workspace_id for p in pending.values()}
    locked = Finding.objects.select_for_update().filter(workspace_id__in=workspace_ids, key__in=list(pending))
    for finding in locked.order_by("pk"):
        p = pending[finding.key]
        assert p.first_at is not None and p.last_at is not None
        finding.events += p.events
        finding.points_withheld += p.withheld
        finding.first_at = min(finding.first_at, p.first_at)
        finding.last_at = max(finding.last_at, p.last_at)
        samples = list(finding.evidence.get("samples", []))
        finding.evidence = {**finding.evidence, "samples": (samples + p.samples)[:MAX_SAMPLES]}
        if finding.status == FindingStatus.DISMISSED:
            finding.status = FindingStatus.OPEN  # new evidence after a dismissal: the admin looks again
        finding.save(update_fields=["events", "points_withheld", "first_at", "last_at", "evidence", "status"])
