"""Engagement sync: read likes, reposts, replies and impressions of the posts Groundswell made.

Every 15 minutes (``sync_tasks.py``) :func:`sync_engagement` asks each connected account's network for the
metrics of its recent posts, one ``metrics()`` call per account per batch of up to ``METRICS_BATCH``
remote ids, and for each post:

* stores an :class:`EngagementSnapshot` (the cumulative counts the network reported) when something changed
  since the latest snapshot, or when the latest is a day old: the snapshots are the post's time series;
* computes what is new against the post's *high-water marks* (the highest engagement total
  ``likes + reposts + replies`` and the highest impressions of any earlier snapshot);
* in the same transaction, announces the deltas with ``networks.signals.engagement_measured``: the sharing
  domain attributes them to the post's share (rollups of its member, department, location, network and item,
  and engagement points: ``sharing.engagement``). Networks knows nothing about shares, points or rollups.

**Decreases.** When a count goes down (an unlike, a deleted reply, a network correcting impressions), the
snapshot records the lower value but nothing is taken back: the delta is ``max(0, new - high-water mark)``,
so rollups never go negative, points already earned stay earned (the ledger is append-only), and an
engagement that disappears and comes back is not counted twice. Over a post's life the rollups therefore hold
exactly its highest engagement total and its highest impressions.

**Reach.** The first time a post reports impressions, the change says so (``first_measured``), so that the
share-time audience estimate can be replaced with measured impressions (``sharing.engagement``).

**Which posts.** Sent posts with a remote id whose account is connected (accounts needing reconnection are
skipped), except replies to customers (care keeps its own record of those): every round while younger than ``HORIZON``, then about once a day until ``LONG_TAIL``.

**Failures.** Expiring tokens are refreshed first (``networks.accounts.ensure_fresh``). ``AuthError`` puts the
account in reconnect state (``networks.accounts.mark_reconnect``);
``TransientError`` (timeouts, 5xx, 429) skips the account until the next round; other network errors skip
the batch. The network is never called inside a database transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import transaction
from django.db.models import F, Max, OuterRef, Q, Subquery
from django.utils import timezone

from groundswell.networks import registry
from groundswell.networks.accounts import ensure_fresh, mark_reconnect
from groundswell.networks.base import AuthError, Metrics, NetworkError, TransientError
from groundswell.networks.models import AccountStatus, ConnectedAccount, EngagementSnapshot, OutboundPost, PostStatus
from groundswell.networks.signals import engagement_measured

log = logging.getLogger(__name__)

#: Posts younger than this are synced every round.
HORIZON = dt.timedelta(days=30)
#: Older posts are synced about once a day until this age, then no more.
LONG_TAIL = dt.timedelta(days=90)
#: A snapshot is stored at least this often even when nothing changed (and old posts are fetched this often).
DAILY = dt.timedelta(days=1)
#: Remote ids per ``metrics()`` call.
METRICS_BATCH = 100
#: How often the periodic task runs.
SYNC_EVERY_SECONDS = 15 * 60


class _PostRow(NamedTuple):
    """A post to sync: a member's share or a brand post (what the post carried is not networks' business)."""

    pk: int
    account_id: int
    remote_id: str
    workspace_id: int
    timezone: str


@dataclass(frozen=True)
class Engagement:
    """What one new snapshot adds to a post (``engagement_measured`` sends a batch of these)."""

    post_id: int
    snapshot_id: int
    workspace_id: int
    timezone: str
    #: Likes + reposts + replies above the post's high-water mark (never negative).
    engagements: int
    #: Impressions above the post's high-water mark (never negative).
    impressions: int
    #: The first snapshot of the post that reports impressions.
    first_measured: bool


class Counted(NamedTuple):
    """What a receiver of ``engagement_measured`` counted: the deltas it attributed, and the points awarded."""

    engagements: int = 0
    impressions: int = 0
    points: int = 0


class _History(NamedTuple):
    at: dt.datetime
    likes: int
    reposts: int
    replies: int
    impressions: int | None
    high_engagements: int
    high_impressions: int | None


@dataclass
class SyncReport:
    accounts: int = 0
    calls: int = 0
    snapshots: int = 0
    engagements: int = 0
    impressions: int = 0
    points: int = 0
    reconnect: int = 0
    transient: int = 0
    failed: int = 0


def _due_posts(now: dt.datetime) -> list[_PostRow]:
    """Sent posts to sync now. One query."""
    last_fetched = Subquery(
        EngagementSnapshot.objects.filter(post=OuterRef("pk")).order_by("-fetched_at").values("fetched_at")[:1]
    )
    rows = (
        OutboundPost.objects.filter(
            status=PostStatus.SENT,
            sent_at__gte=now - LONG_TAIL,
            account__isnull=False,
            account__status=AccountStatus.ACTIVE,
        )
        .exclude(remote_id="")
        # Never a reply to a customer (care keeps its own record of those).
        .exclude(reply_to__has_key="uri")
        .annotate(last_fetched=last_fetched)
        .filter(Q(sent_at__gte=now - HORIZON) | Q(last_fetched__isnull=True) | Q(last_fetched__lte=now - DAILY))
        .order_by("account_id", "pk")
        .values_list("pk", "account_id", "remote_id", "workspace_id", "workspace__timezone")
    )
    return [_PostRow(*row) for row in rows]


def _history(post_ids: Sequence[int]) -> dict[int, _History]:
    """Latest snapshot and high-water marks of each post: two queries whatever the number of posts."""
    marks = {
        row["post_id"]: row
        for row in EngagementSnapshot.objects.filter(post_id__in=post_ids)
        .values("post_id")
        .annotate(
            last_id=Max("id"),
            high_engagements=Max(F("likes") + F("reposts") + F("replies")),
            high_impressions=Max("impressions"),
        )
        .order_by()
    }
    if not marks:
        return {}
    out: dict[int, _History] = {}
    latest = EngagementSnapshot.objects.filter(id__in=[m["last_id"] for m in marks.values()]).values_list(
        "post_id", "fetched_at", "likes", "reposts", "replies", "impressions"
    )
    for post_id, at, likes, reposts, replies, impressions in latest:
        mark = marks[post_id]
        out[post_id] = _History(
            at=at,
            likes=likes,
            reposts=reposts,
            replies=replies,
            impressions=impressions,
            high_engagements=int(mark["high_engagements"] or 0),
            high_impressions=None if mark["high_impressions"] is None else int(mark["high_impressions"]),
        )
    return out


def _clean(value: int | None) -> int:
    return max(0, int(value or 0))


def record_metrics(
    posts: Sequence[_PostRow],
    metrics: dict[str, Metrics],
    now: dt.datetime,
    *,
    memo: dict[Any, Any] | None = None,
) -> SyncReport:
    """Store snapshots for one batch of posts and announce what they add (``engagement_measured``), in one
    transaction. ``memo`` is kept across the batches of a round for the receivers (the rules they looked up)."""
    report = SyncReport()
    memo = {} if memo is None else memo
    wanted = [p for p in posts if p.remote_id in metrics]
    if not wanted:
        return report
    with transaction.atomic():
        # Lock the posts (in id order) so two concurrent syncs cannot both count the same increase.
        list(
            OutboundPost.objects.select_for_update()
            .filter(pk__in=[p.pk for p in wanted])
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        history = _history([p.pk for p in wanted])
        snapshots: list[EngagementSnapshot] = []
        changes: list[tuple[_PostRow, int, int, bool]] = []
        for post in wanted:
            m = metrics[post.remote_id]
            likes, reposts, replies = _clean(m.likes), _clean(m.reposts), _clean(m.replies)
            impressions = None if m.impressions is None else _clean(m.impressions)
            prev = history.get(post.pk)
            if (
                prev is not None
                and (prev.likes, prev.reposts, prev.replies, prev.impressions) == (likes, reposts, replies, impressions)
                and now - prev.at < DAILY
            ):
                continue
            high_engagements = prev.high_engagements if prev else 0
            high_impressions = prev.high_impressions if prev else None
            new_engagements = max(0, likes + reposts + replies - high_engagements)
            new_impressions = 0 if impressions is None else max(0, impressions - (high_impressions or 0))
            first_measured = impressions is not None and high_impressions is None
            snapshots.append(
                EngagementSnapshot(
                    post_id=post.pk,
                    fetched_at=now,
                    likes=likes,
                    reposts=reposts,
                    replies=replies,
                    impressions=impressions,
                )
            )
            changes.append((post, new_engagements, new_impressions, first_measured))
        if not snapshots:
            return report
        EngagementSnapshot.objects.bulk_create(snapshots)
        measured = [
            Engagement(
                post_id=post.pk,
                snapshot_id=snapshot.pk,
                workspace_id=post.workspace_id,
                timezone=post.timezone,
                engagements=new_engagements,
                impressions=new_impressions,
                first_measured=first_measured,
            )
            for (post, new_engagements, new_impressions, first_measured), snapshot in zip(
                changes, snapshots, strict=True
            )
        ]
        for _, counted in engagement_measured.send(sender=OutboundPost, changes=measured, at=now, memo=memo):
            if isinstance(counted, Counted):
                report.engagements += counted.engagements
                report.impressions += counted.impressions
                report.points += counted.points
        report.snapshots = len(snapshots)
    return report


def _chunks(rows: Sequence[_PostRow], size: int) -> Iterator[Sequence[_PostRow]]:
    for offset in range(0, len(rows), size):
        yield rows[offset : offset + size]


def sync_engagement(now: dt.datetime | None = None) -> SyncReport:
    """One round of the engagement sync (see the module docstring). Returns what it did."""
    now = now or timezone.now()
    report = SyncReport()
    by_account: dict[int, list[_PostRow]] = defaultdict(list)
    for post in _due_posts(now):
        by_account[post.account_id].append(post)
    if not by_account:
        return report
    accounts = {a.pk: a for a in ConnectedAccount.objects.filter(pk__in=list(by_account), status=AccountStatus.ACTIVE)}
    memo: dict[Any, Any] = {}
    for account_id, posts in by_account.items():
        account = accounts.get(account_id)
        if account is None:
            continue
        try:
            client = registry.get_client(account.network)
        except KeyError:
            continue
        if not client.reads_metrics(account.remote_id):
            continue
        report.accounts += 1
        try:
            account = ensure_fresh(account)  # refreshes an expiring token; AuthError marks it for reconnecting
        except AuthError as exc:
            log.info("engagement sync: %s needs reconnecting: %s", account, exc.message)
            report.reconnect += 1
            continue
        except NetworkError as exc:
            log.info("engagement sync: %s skipped this round: %s", account, exc.message)
            report.transient += 1
            continue
        tokens = account.tokens()
        for batch in _chunks(posts, METRICS_BATCH):
            report.calls += 1
            try:
                metrics = client.metrics(tokens, [p.remote_id for p in batch])
            except AuthError as exc:
                log.info("engagement sync: %s needs reconnecting: %s", account, exc.message)
                mark_reconnect(account, exc.message)
                report.reconnect += 1
                break
            except TransientError as exc:
                log.info("engagement sync: %s skipped this round: %s", account, exc.message)
                report.transient += 1
                break
            except NetworkError as exc:
                log.warning("engagement sync: metrics refused for %s: %s", account, exc.message)
                report.failed += 1
                continue
            except Exception:
                log.exception("engagement sync: metrics failed for %s", account)
                report.failed += 1
                break
            done = record_metrics(batch, metrics, now, memo=memo)
            report.snapshots += done.snapshots
            report.engagements += done.engagements
            report.impressions += done.impressions
            report.points += done.points
    return report
