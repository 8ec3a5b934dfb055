"""Engagement sync: snapshots as a time series, deltas counted once, rollups, points, failures, query bounds."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groundswell.analytics.models import Dimension, ItemDay, MemberPeriod, SegmentPeriod
from groundswell.conftest import make_member
from groundswell.content.models import Item
from groundswell.goals.models import Goal
from groundswell.goals.progress import goal_progress
from groundswell.lib.periods import period_start
from groundswell.networks import crypto, registry, sync
from groundswell.networks.base import AuthError, Metrics, NetworkClient, TokenSet, TransientError
from groundswell.networks.models import AccountStatus, ConnectedAccount, EngagementSnapshot, OutboundPost, PostStatus
from groundswell.rewards.models import Action, PointsEntry, PointsRule
from groundswell.sharing.actions import create_share, record_share
from groundswell.sharing.models import Share, ShareMethod
from groundswell.workspaces.models import Membership, Workspace

T0 = dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.UTC)


class FakeClient(NetworkClient):
    key = "linkedin"
    label = "LinkedIn"

    def __init__(self) -> None:
        self.counts: dict[str, Metrics] = {}
        self.calls: list[list[str]] = []
        self.error: Exception | None = None

    def metrics(self, tokens: TokenSet, remote_ids: list[str]) -> dict[str, Metrics]:
        self.calls.append(list(remote_ids))
        if self.error is not None:
            raise self.error
        return {r: self.counts[r] for r in remote_ids if r in self.counts}


@pytest.fixture(autouse=True)
def _keys(settings: Any) -> Iterator[None]:
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    crypto.reset_keys()
    yield
    crypto.reset_keys()


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeClient:
    client = FakeClient()
    monkeypatch.setattr(registry, "get_client", lambda key: client)
    return client


def connect(member: Membership, handle: str = "bob") -> ConnectedAccount:
    return ConnectedAccount.objects.create(
        workspace_id=member.workspace_id,
        member=member,
        network="linkedin",
        remote_id=f"urn:{handle}",
        handle=handle,
        access_token="secret-token",
    )


def post(account: ConnectedAccount, item: Item, remote_id: str, sent_at: dt.datetime = T0) -> OutboundPost:
    member = account.member
    share = create_share(member=member, item=item, network="linkedin", caption="", now=sent_at, method=ShareMethod.API)
    sent = OutboundPost.objects.create(
        workspace_id=member.workspace_id,
        account=account,
        text="Look",
        idempotency_key=uuid.uuid4().hex,
        status=PostStatus.SENT,
        scheduled_at=sent_at,
        next_attempt_at=sent_at,
        remote_id=remote_id,
        sent_at=sent_at,
    )
    Share.objects.filter(pk=share.pk).update(outbound=sent)
    record_share(share, sent_at)  # what post_sent does: the share counts and earns now
    return sent


@pytest.fixture
def item_t0(item: Item) -> Item:
    item.published_at = T0 - dt.timedelta(days=200)
    item.save(update_fields=["published_at"])
    return item


def member_total(member: Membership, field: str, period: str = "a") -> int:
    row = MemberPeriod.objects.filter(member=member, period=period).values_list(field, flat=True).first()
    return int(row or 0)


def engagement_points(member: Membership) -> int:
    total = PointsEntry.objects.filter(member=member, action=Action.ENGAGEMENT).aggregate(s=Sum("points"))["s"]
    return int(total or 0)


@pytest.mark.django_db
def test_time_series_grows_and_deltas_count_once(bob: Membership, item_t0: Item, fake: FakeClient) -> None:
    account = connect(bob)
    p = post(account, item_t0, "r1")
    fake.counts["r1"] = Metrics(likes=3, reposts=1, replies=0, impressions=100)

    report = sync.sync_engagement(T0 + dt.timedelta(minutes=15))
    assert (report.snapshots, report.engagements, report.impressions, report.points) == (1, 4, 100, 4)
    # Same counts 15 minutes later: nothing stored, nothing counted again.
    assert sync.sync_engagement(T0 + dt.timedelta(minutes=30)).snapshots == 0
    fake.counts["r1"] = Metrics(likes=5, reposts=1, replies=2, impressions=250)
    assert sync.sync_engagement(T0 + dt.timedelta(minutes=45)).engagements == 4
    # Unchanged for a day: one snapshot a day keeps the series going, with nothing new to count.
    report = sync.sync_engagement(T0 + dt.timedelta(days=1, minutes=50))
    assert (report.snapshots, report.engagements, report.impressions, report.points) == (1, 0, 0, 0)

    series = list(EngagementSnapshot.objects.filter(post=p).values_list("likes", "reposts", "replies", "impressions"))
    assert series == [(3, 1, 0, 100), (5, 1, 2, 250), (5, 1, 2, 250)]
    assert member_total(bob, "engagements") == 8
    assert member_total(bob, "impressions") == 250
    assert engagement_points(bob) == 8
    assert len(fake.calls) == 4 and fake.calls[0] == ["r1"]


@pytest.mark.django_db
def test_rollups_equal_the_sum_of_deltas(
    bob: Membership, carol: Membership, item_t0: Item, fake: FakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    PointsRule.objects.filter(action=Action.ENGAGEMENT).update(daily_cap=None)
    b, c = connect(bob), connect(carol, "carol")
    post(b, item_t0, "b1"), post(b, item_t0, "b2"), post(c, item_t0, "c1")
    steps = [
        {"b1": Metrics(likes=2), "b2": Metrics(replies=1, impressions=40), "c1": Metrics(reposts=3)},
        {"b1": Metrics(likes=4, reposts=1), "b2": Metrics(replies=1, impressions=90), "c1": Metrics(reposts=3)},
        {"b1": Metrics(likes=4, reposts=1), "b2": Metrics(replies=6, impressions=95), "c1": Metrics(reposts=7)},
    ]
    engagements = impressions = 0
    for i, counts in enumerate(steps):
        fake.counts = counts
        report = sync.sync_engagement(T0 + dt.timedelta(hours=i + 1))
        engagements += report.engagements
        impressions += report.impressions
    assert (engagements, impressions) == (5 + 6 + 7, 95)

    everyone = SegmentPeriod.objects.get(period="a", dimension=Dimension.ALL)
    assert (everyone.engagements, everyone.impressions, everyone.points - 3 * 10) == (18, 95, 18)
    network = SegmentPeriod.objects.get(period="m", dimension=Dimension.NETWORK, key="linkedin")
    assert (network.engagements, network.impressions) == (18, 95)
    department = SegmentPeriod.objects.get(period="m", dimension=Dimension.DEPARTMENT, key=str(bob.department_id))
    assert department.engagements == 18  # bob and carol are both in sales
    location = SegmentPeriod.objects.get(period="m", dimension=Dimension.LOCATION, key=str(bob.location_id))
    assert location.engagements == 5 + 6  # only bob is in Berlin
    assert ItemDay.objects.aggregate(e=Sum("engagements"), i=Sum("impressions")) == {"e": 18, "i": 95}
    assert (member_total(bob, "engagements"), member_total(carol, "engagements")) == (11, 7)
    assert member_total(bob, "points", "d") - 20 == engagement_points(bob) == 11


@pytest.mark.django_db
def test_points_are_capped_per_day(bob: Membership, item_t0: Item, fake: FakeClient) -> None:
    account = connect(bob)
    post(account, item_t0, "r1"), post(account, item_t0, "r2")
    fake.counts = {"r1": Metrics(likes=25), "r2": Metrics(likes=20)}
    assert sync.sync_engagement(T0 + dt.timedelta(hours=1)).points == 30  # 1 point each, 30 a day at most
    fake.counts = {"r1": Metrics(likes=35), "r2": Metrics(likes=20)}
    assert sync.sync_engagement(T0 + dt.timedelta(hours=2)).points == 0
    assert member_total(bob, "engagements") == 55  # engagements are counted in full, points are capped
    fake.counts = {"r1": Metrics(likes=45), "r2": Metrics(likes=20)}
    assert sync.sync_engagement(T0 + dt.timedelta(days=1)).points == 10  # a new day
    days = dict(
        PointsEntry.objects.filter(action=Action.ENGAGEMENT).values_list("day").annotate(s=Sum("points")).order_by()
    )
    assert days == {T0.date(): 30, T0.date() + dt.timedelta(days=1): 10}
    keys = list(PointsEntry.objects.filter(action=Action.ENGAGEMENT).values_list("key", flat=True))
    assert len(keys) == len(set(keys)) and all(k.startswith("engagement:") for k in keys)


@pytest.mark.django_db
def test_a_decrease_takes_nothing_back(bob: Membership, item_t0: Item, fake: FakeClient) -> None:
    account = connect(bob)
    p = post(account, item_t0, "r1")
    for i, (likes, impressions) in enumerate([(5, 100), (3, 80), (4, 90), (7, 120)]):
        fake.counts["r1"] = Metrics(likes=likes, impressions=impressions)
        sync.sync_engagement(T0 + dt.timedelta(hours=i + 1))
    assert list(EngagementSnapshot.objects.filter(post=p).values_list("likes", flat=True)) == [5, 3, 4, 7]
    # Counted: the highest values seen (5, then 7): the unlike and the re-like are not counted twice.
    assert member_total(bob, "engagements") == 7
    assert member_total(bob, "impressions") == 120
    assert engagement_points(bob) == 7
    assert not MemberPeriod.objects.filter(engagements__lt=0).exists()
    assert not PointsEntry.objects.filter(points__lt=0).exists()


@pytest.mark.django_db
def test_auth_error_asks_for_reconnect(bob: Membership, item_t0: Item, fake: FakeClient) -> None:
    account = connect(bob)
    post(account, item_t0, "r1")
    fake.error = AuthError("Token revoked")
    assert sync.sync_engagement(T0 + dt.timedelta(hours=1)).reconnect == 1
    account.refresh_from_db()
    assert (account.status, account.status_message) == (AccountStatus.RECONNECT, "Token revoked")
    # Accounts waiting for reconnection are not asked again.
    fake.error = None
    fake.counts["r1"] = Metrics(likes=1)
    assert sync.sync_engagement(T0 + dt.timedelta(hours=2)).calls == 0
    assert len(fake.calls) == 1 and not EngagementSnapshot.objects.exists()


@pytest.mark.django_db
def test_transient_error_skips_the_round(bob: Membership, carol: Membership, item_t0: Item, fake: FakeClient) -> None:
    b = connect(bob)
    post(b, item_t0, "r1")
    fake.error = TransientError("Rate limited", retry_after=60)
    report = sync.sync_engagement(T0 + dt.timedelta(hours=1))
    assert (report.transient, report.snapshots) == (1, 0)
    b.refresh_from_db()
    assert b.status == AccountStatus.ACTIVE
    fake.error = None
    fake.counts["r1"] = Metrics(likes=2)
    assert sync.sync_engagement(T0 + dt.timedelta(hours=1, minutes=15)).engagements == 2


@pytest.mark.django_db
def test_batches_and_bounded_queries(
    bob: Membership, item_t0: Item, fake: FakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync, "METRICS_BATCH", 10)
    account = connect(bob)

    def run(n: int, at: dt.datetime) -> int:
        fake.calls.clear()
        for i in range(n):
            fake.counts[f"n{n}-{i}"] = Metrics(likes=i + 1, impressions=10)
        with CaptureQueriesContext(connection) as ctx:
            report = sync.sync_engagement(at)
        assert report.engagements > 0
        return len(ctx.captured_queries)

    for i in range(3):
        post(account, item_t0, f"n3-{i}")
    small = run(3, T0 + dt.timedelta(hours=1))
    assert fake.calls == [["n3-0", "n3-1", "n3-2"]]  # one call for the account's batch
    OutboundPost.objects.update(status=PostStatus.CANCELLED)
    for i in range(10):
        post(account, item_t0, f"n10-{i}")
    same_batch = run(10, T0 + dt.timedelta(hours=2))
    assert small == same_batch  # independent of the number of posts in a batch
    OutboundPost.objects.update(status=PostStatus.CANCELLED)
    for i in range(25):
        post(account, item_t0, f"n25-{i}")
    three_batches = run(25, T0 + dt.timedelta(hours=3))
    assert [len(c) for c in fake.calls] == [10, 10, 5]
    per_batch = same_batch - small + 0  # zero: batch cost is a constant
    assert per_batch == 0 and three_batches <= 3 * small
    assert small <= 20


@pytest.mark.django_db
def test_horizon_old_posts_daily_and_then_never(bob: Membership, item_t0: Item, fake: FakeClient) -> None:
    account = connect(bob)
    post(account, item_t0, "fresh", sent_at=T0)
    post(account, item_t0, "old", sent_at=T0 - dt.timedelta(days=40))
    post(account, item_t0, "ancient", sent_at=T0 - dt.timedelta(days=100))
    fake.counts = {"fresh": Metrics(likes=1), "old": Metrics(likes=1), "ancient": Metrics(likes=1)}
    sync.sync_engagement(T0 + dt.timedelta(hours=1))
    sync.sync_engagement(T0 + dt.timedelta(hours=2))
    sync.sync_engagement(T0 + dt.timedelta(days=1, hours=1))
    assert fake.calls == [["fresh", "old"], ["fresh"], ["fresh", "old"]]


@pytest.mark.django_db
def test_dashboard_shows_engagement(
    alice: Membership, bob: Membership, item: Item, fake: FakeClient, alice_client: Client
) -> None:
    account = connect(bob)
    now = timezone.now()
    post(account, item, "r1", sent_at=now)
    fake.counts["r1"] = Metrics(likes=4, reposts=2, replies=1, impressions=1234)
    sync.sync_engagement(now)
    response = alice_client.get(reverse("analytics:dashboard", kwargs={"ws": "acme"}))
    assert response.status_code == 200
    totals = response.context["totals"]
    assert (totals.engagements, totals.impressions) == (7, 1234)
    [network] = response.context["networks"]
    assert (network.key, network.engagements, network.impressions) == ("linkedin", 7, 1234)
    assert response.context["top"][0].engagements == 7
    html = response.content.decode()
    assert "Engagements" in html and "Impressions" in html and "1,234" in html


@pytest.mark.django_db
def test_goal_reach_uses_impressions_where_measured(
    workspace: Workspace, bob: Membership, item_t0: Item, fake: FakeClient
) -> None:
    dana = make_member(workspace, "dana@acme.test", audience_size=500)
    b, d = connect(bob), connect(dana, "dana")
    post(b, item_t0, "measured"), post(d, item_t0, "estimated")
    goal = Goal.objects.create(
        workspace=workspace,
        name="Reach",
        metric="reach",
        target=10_000,
        period="q",
        period_start=period_start("q", T0.date()),
    )
    [before] = goal_progress([goal], today=T0.date())
    assert before.value == 300 + 500  # share-time audience estimates
    fake.counts = {"measured": Metrics(likes=1, impressions=1200), "estimated": Metrics(likes=2)}
    sync.sync_engagement(T0 + dt.timedelta(hours=1))
    fake.counts["measured"] = Metrics(likes=1, impressions=1500)
    sync.sync_engagement(T0 + dt.timedelta(hours=2))
    [after] = goal_progress([goal], today=T0.date())
    assert after.value == 1500 + 500  # bob's estimate is replaced by his post's impressions
    everyone = SegmentPeriod.objects.get(period="q", dimension=Dimension.ALL)
    assert (everyone.reach, everyone.measured_reach, everyone.impressions) == (800, 300, 1500)


@pytest.mark.django_db
def test_default_rule_and_periodic_job(workspace: Workspace) -> None:
    from groundswell.core.scheduler import registered_jobs
    from groundswell.networks import sync_tasks

    rule = PointsRule.objects.get(workspace=workspace, action=Action.ENGAGEMENT)
    assert (rule.points, rule.daily_cap) == (1, 30)
    [job] = [j for j in registered_jobs() if j.task is sync_tasks.sync_engagement_task]
    assert job.every == dt.timedelta(minutes=15)
