"""Engagement sync: read likes, reposts, replies and impressions of the posts Groundswell made.

Every 15 minutes (``sync_tasks.py``) :func:`sync_engagement` asks each connected account's network for the
metrics of its recent posts, one ``metrics()`` call per account per batch of up to ``METRICS_BATCH``
remote ids, and for each post:

* stores an :class:`EngagementSnapshot` (the cumulative counts the network reported) when something changed
  since the latest snapshot, or when the latest is a day old: the snapshots are the post's time series;
* computes what is new against the post's *high-water marks* (the highest engagement total
  ``likes + reposts + replies`` and the highest impressions of any earlier snapshot);
* in the same transaction, adds those deltas to the rollups (``engagements``, ``impressions``) of the
  share's member, department, location, network and item on the day of the sync (in the workspace's time
  zone), and awards engagement points through the ledger (the rule's points per new engagement, within the
  daily cap), keyed ``engagement:<post id>:<snapshot id>`` so the same snapshot never pays twice.

**Decreases.** When a count goes down (an unlike, a deleted reply, a network correcting impressions), the
snapshot records the lower value but nothing is taken back: the delta is ``max(0, new - high-water mark)``,
so rollups never go negative, points already earned stay earned (the ledger is append-only), and an
engagement that disappears and comes back is not counted twice. Over a post's life the rollups therefore hold
exactly its highest engagement total and its highest impressions.

**Reach.** The first time a post reports impressions, its share-time audience estimate is added to
``measured_reach`` on the *share's* day, so goals can replace the estimate with measured impressions
(``reach - measured_reach + impressions``; see ``goals.progress.reach_value``).

**Which posts.** Sent posts with a remote id whose account is connected (accounts needing reconnection are
skipped): every round while younger than ``HORIZON``, then about once a day until ``LONG_TAIL``.

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
from django.db.models import F, Max, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from groundswell.analytics.rollups import Delta, RollupBatch
from groundswell.lib.periods import local_day
from groundswell.networks import registry
from groundswell.networks.accounts import ensure_fresh, mark_reconnect
from groundswell.networks.base import AuthError, Metrics, NetworkError, TransientError
from groundswell.networks.models import AccountStatus, ConnectedAccount, EngagementSnapshot, OutboundPost, PostStatus
from groundswell.rewards.actions import Rule, rule_for
from groundswell.rewards.models import Action, PointsEntry

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
    """A post to sync. A brand post (on a workspace-owned account) has no share: its snapshots are kept for
    the stewards to see, with no rollups or points (nobody's share earned them)."""

    pk: int
    account_id: int
    remote_id: str
    workspace_id: int
    member_id: int | None
    department_id: int | None
    location_id: int | None
    timezone: str
    network: str | None
    item_id: int | None
    reach_estimate: int | None
    shared_at: dt.datetime | None


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
    """Sent posts to sync now, with what the rollups need about their share. One query."""
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
        # Members' shares and brand posts; never a reply to a customer (care keeps its own record of those).
        .exclude(share__isnull=True, reply_to__has_key="uri")
        .exclude(share__isnull=True, account__member__isnull=False)
        .annotate(last_fetched=last_fetched)
        .filter(Q(sent_at__gte=now - HORIZON) | Q(last_fetched__isnull=True) | Q(last_fetched__lte=now - DAILY))
        .order_by("account_id", "pk")
        .values_list(
            "pk",
            "account_id",
            "remote_id",
            "workspace_id",
            "share__member_id",
            "share__member__department_id",
            "share__member__location_id",
            "workspace__timezone",
            "share__network",
            "share__item_id",
            "share__reach_estimate",
            "share__created_at",
        )
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


def _clean(value: int | None) -> int:
    return max(0, int(value or 0))


def record_metrics(
    posts: Sequence[_PostRow],
    metrics: dict[str, Metrics],
    now: dt.datetime,
    *,
    rules: dict[tuple[int, dt.date], Rule | None] | None = None,
) -> SyncReport:
    """Store snapshots, rollup deltas and points for one batch of posts, in one transaction."""
    report = SyncReport()
    rules = {} if rules is None else rules
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

        # Points: the rule in force on the sync day, capped per member and day across the whole batch.
        earned: dict[tuple[int, dt.date], int] = {}
        wanted_caps: dict[tuple[int, dt.date], set[int]] = defaultdict(set)
        for post, new_engagements, _, _ in changes:
            if new_engagements and post.member_id is not None:
                wanted_caps[(post.workspace_id, local_day(now, post.timezone))].add(post.member_id)
        for (workspace_id, day), member_ids in wanted_caps.items():
            for member_id, total in _earned_today(workspace_id, member_ids, day).items():
                earned[(member_id, day)] = total
        entries: list[PointsEntry] = []
        batch = RollupBatch()
        for (post, new_engagements, new_impressions, first_measured), snapshot in zip(changes, snapshots, strict=True):
            if post.member_id is None:  # a brand post: the snapshot is all there is to keep
                continue
            day = local_day(now, post.timezone)
            points = 0
            if new_engagements:
                rule_key = (post.workspace_id, day)
                if rule_key not in rules:
                    rules[rule_key] = rule_for(post.workspace_id, Action.ENGAGEMENT, day)
                rule = rules[rule_key]
                if rule is not None:
                    points = engagement_points(rule, new_engagements, earned.get((post.member_id, day), 0))
                if points > 0:
                    earned[(post.member_id, day)] = earned.get((post.member_id, day), 0) + points
                    entries.append(
                        PointsEntry(
                            workspace_id=post.workspace_id,
                            member_id=post.member_id,
                            action=Action.ENGAGEMENT,
                            points=points,
                            day=day,
                            key=f"engagement:{post.pk}:{snapshot.pk}",
                            created_at=now,
                        )
                    )
            dims: dict[str, Any] = {
                "workspace_id": post.workspace_id,
                "member_id": post.member_id,
                "department_id": post.department_id,
                "location_id": post.location_id,
                "network": post.network,
                "item_id": post.item_id,
            }
            if new_engagements or new_impressions or points:
                batch.add(
                    day=day,
                    delta=Delta(engagements=new_engagements, impressions=new_impressions, points=points),
                    **dims,
                )
            if first_measured and post.reach_estimate and post.shared_at is not None:
                # Counted where the estimate was counted: the share's day.
                batch.add(
                    day=local_day(post.shared_at, post.timezone),
                    delta=Delta(measured_reach=post.reach_estimate),
                    **dims,
                )
            report.engagements += new_engagements
            report.impressions += new_impressions
            report.points += points
        PointsEntry.objects.bulk_create(entries)
        batch.write()
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
    rules: dict[tuple[int, dt.date], Rule | None] = {}
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
            done = record_metrics(batch, metrics, now, rules=rules)
            report.snapshots += done.snapshots
            report.engagements += done.engagements
            report.impressions += done.impressions
            report.points += done.points
    return report
