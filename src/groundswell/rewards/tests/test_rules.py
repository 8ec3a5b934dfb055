"""Points rules: diminishing returns explained line by line, daily caps, rule versions applied from their date,
and race-safe awards (real threads on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groundswell.analytics.models import MemberPeriod
from groundswell.analytics.rollups import RollupBatch
from groundswell.conftest import client_for, make_member
from groundswell.lib.periods import ALL_TIME_START
from groundswell.rewards.actions import Claim, Rule, add_rule, adjust_points, award_points, award_points_batch
from groundswell.rewards.models import Action, DailyTally, PointsEntry, PointsRule
from groundswell.workspaces.models import Membership, Workspace

TODAY = dt.date(2026, 12, 1)


def award(member: Membership, key: str, *, action: str = Action.SHARE, day: dt.date = TODAY) -> int:
    with transaction.atomic():
        batch = RollupBatch()
        points = award_points(member=member, action=action, key=key, day=day, rollup=batch)
        batch.write()
    return points


def test_decay_values_and_explanations() -> None:
    rule = Rule(points=10, daily_cap=None, decay_after=5, decay_factor=Decimal("0.5"), action=Action.SHARE)
    assert [rule.value_of(n) for n in range(1, 11)] == [10, 10, 10, 10, 10, 5, 3, 1, 1, 0]
    sixth = rule.decide(count_before=5, points_before=50)
    assert sixth.points == 5
    assert sixth.explanation == (
        "6th share confirmed today: 5 instead of 10, because after 5 a day each further one is worth 50% of the one before."
    )
    capped = Rule(points=10, daily_cap=25, action=Action.SHARE).decide(count_before=2, points_before=20)
    assert capped.points == 5 and "Capped to 5: at most 25 points a day" in capped.explanation
    assert Rule(points=10, daily_cap=20, action=Action.SHARE).decide(count_before=2, points_before=20).points == 0


@pytest.mark.django_db
def test_award_points_decays_caps_and_explains_each_line(workspace: Workspace, bob: Membership) -> None:
    PointsRule.objects.filter(workspace=workspace, action=Action.SHARE).update(
        points=10, daily_cap=57, decay_after=5, decay_factor=Decimal("0.5")
    )
    got = [award(bob, f"share:{i}") for i in range(9)]
    # 5 x 10, then 5 (decayed), then 3 would exceed the cap of 57 -> 2 (57 - 55), then nothing.
    assert got == [10, 10, 10, 10, 10, 5, 2, 0, 0]
    assert award(bob, "share:0") == 0  # a replayed key pays nothing
    lines = list(PointsEntry.objects.filter(member=bob).order_by("created_at", "pk").values_list("points", "reason"))
    assert lines[0] == (10, "1st share confirmed today: 10 points.")
    assert lines[5][1].startswith("6th share confirmed today: 5 instead of 10")
    assert lines[6][1].endswith(
        "3 instead of 10, because after 5 a day each further one is worth 50% of the one before. Capped to 2: at most 57 points a day for this."
    )
    tally = DailyTally.objects.get(member=bob, action=Action.SHARE, day=TODAY)
    assert (tally.count, tally.points) == (7, 57)
    total = MemberPeriod.objects.get(member=bob, period="a", start=ALL_TIME_START).points
    assert total == 57


@pytest.mark.django_db
def test_new_rule_applies_from_its_date_and_never_rewrites_history(workspace: Workspace, bob: Membership) -> None:
    assert award(bob, "share:old", day=TODAY) == 10
    add_rule(
        workspace=workspace,
        action=Action.SHARE,
        points=20,
        daily_cap=None,
        active_from=TODAY + dt.timedelta(days=1),
        today=TODAY,
        decay_after=2,
        decay_factor=Decimal("0.5"),
    )
    assert award(bob, "share:same-day", day=TODAY) == 10  # the old version is still in force today
    tomorrow = TODAY + dt.timedelta(days=1)
    assert [award(bob, f"share:t{i}", day=tomorrow) for i in range(3)] == [20, 20, 10]
    assert PointsEntry.objects.get(key="share:old").points == 10  # never recalculated


@pytest.mark.django_db
def test_tally_starts_from_the_ledger_written_before_tallies(workspace: Workspace, bob: Membership) -> None:
    PointsEntry.objects.create(
        workspace=workspace, member=bob, action=Action.SHARE, points=45, day=TODAY, key="legacy:1"
    )
    assert award(bob, "share:new") == 5  # cap 50 for shares: 45 already earned that day


@pytest.mark.django_db
def test_rules_page_adds_a_version_with_diminishing_returns(
    workspace: Workspace, alice: Membership, bob: Membership, charlie: Membership
) -> None:
    url = reverse("rewards:rules", kwargs={"ws": "acme"})
    client = client_for(alice)
    today = timezone.localdate()
    data = {
        "action": Action.UNIQUE_CLICK,
        "points": 2,
        "daily_cap": 40,
        "decay_after": 10,
        "decay_factor": "0.8",
        "active_from": today.isoformat(),
    }
    response = client.post(url, data)
    assert response.status_code == 302
    rule = PointsRule.objects.get(workspace=workspace, action=Action.UNIQUE_CLICK, active_from=today)
    assert (rule.decay_after, rule.decay_factor) == (10, Decimal("0.80"))
    page = client.get(url)
    assert b"After 10 a day, each further one" in page.content

    bad = client.post(url, {**data, "decay_after": 3, "decay_factor": "", "active_from": "2001-01-01"})
    assert bad.status_code == 200
    errors = bad.context["form"].errors
    assert "decay_factor" in errors and "active_from" in errors
    bad = client.post(url, {**data, "decay_factor": "1.5", "active_from": (today + dt.timedelta(days=3)).isoformat()})
    assert bad.status_code == 200 and "decay_factor" in bad.context["form"].errors
    # Engagement is paid in bulk by the network sync: a cap, but no diminishing returns (said plainly).
    bad = client.post(
        url, {**data, "action": Action.ENGAGEMENT, "active_from": (today + dt.timedelta(days=4)).isoformat()}
    )
    assert bad.status_code == 200 and b"no diminishing returns" in bad.content

    assert client_for(bob).get(url).status_code == 404
    assert client_for(charlie).get(url).status_code == 404
    assert client_for(charlie).post(url, data).status_code == 404


@pytest.mark.django_db
def test_history_explains_each_line_and_names_the_author(
    workspace: Workspace, alice: Membership, bob: Membership, bob_client: Client
) -> None:
    for i in range(4):
        award(bob, f"share:h{i}", day=timezone.localdate())
    adjust_points(member=bob, points=-3, reason="Duplicate share", author=alice, key="adj:h", day=TODAY)
    response = bob_client.get(reverse("rewards:history", kwargs={"ws": "acme"}))
    assert b"4th share confirmed today: 5 instead of 10, because after 3 a day" in response.content
    assert b"Duplicate share" in response.content and b"By Alice" in response.content


# --- Race safety (PostgreSQL: SQLite serialises writers anyway) -----------------------------------


@pytest.mark.skipif(connection.vendor == "sqlite", reason="needs concurrent writers (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_concurrent_awards_respect_the_cap_and_total_exactly() -> None:
    ws = Workspace.objects.create(name="Race", slug="race")
    PointsRule.objects.create(workspace=ws, action=Action.SHARE, points=7, daily_cap=100)
    member = make_member(ws, "racer@race.test")
    threads_n, per_thread = 8, 5
    barrier = threading.Barrier(threads_n)
    results: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(t: int) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                points = award(member, f"share:{t}:{i}")
                with lock:
                    results.append(points)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    # 40 awards of 7 with a cap of 100: 14 full awards (98) and one of 2, then nothing.
    assert sum(results) == 100
    assert sorted(p for p in results if p) == [2] + [7] * 14
    ledger = sum(PointsEntry.objects.filter(member=member).values_list("points", flat=True))
    assert ledger == 100
    assert MemberPeriod.objects.get(member=member, period="a", start=ALL_TIME_START).points == 100
    tally = DailyTally.objects.get(member=member, action=Action.SHARE)
    assert (tally.count, tally.points) == (15, 100)


@pytest.mark.django_db
def test_a_batch_is_decided_like_single_awards_in_a_fixed_number_of_queries(
    workspace: Workspace, bob: Membership, carol: Membership
) -> None:
    """``award_points_batch`` (used by the click ingest) gives each claim what ``award_points`` would, in order:
    decay and cap per member and day across the batch, and across batches through the tallies."""
    PointsRule.objects.filter(workspace=workspace, action=Action.SHARE).update(
        points=10, daily_cap=57, decay_after=5, decay_factor=Decimal("0.5")
    )
    at = timezone.now()

    def claims(member: Membership, keys: range) -> list[Claim]:
        return [Claim(f"share:{member.pk}:{i}", workspace.pk, member.pk, TODAY, at) for i in keys]

    def run(batch: list[Claim]) -> tuple[list[int], int]:
        with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
            got = award_points_batch(Action.SHARE, batch)
        return [got[c.key] for c in batch], len(ctx.captured_queries)

    points, _ = run(claims(bob, range(1)) + claims(carol, range(1)))  # the day's tallies start here
    assert points == [10, 10]
    points, small = run(claims(bob, range(1, 3)) + claims(carol, range(1, 2)))
    assert points == [10, 10, 10]
    points, large = run(claims(bob, range(3, 9)) + claims(carol, range(2, 7)))
    assert points == [10, 10, 5, 2, 0, 0, 10, 10, 10, 5, 2]  # bob, then carol
    assert large == small  # not per claim
    assert DailyTally.objects.get(member=bob, action=Action.SHARE, day=TODAY).points == 57
    lines = PointsEntry.objects.filter(member=bob).order_by("created_at", "pk").values_list("points", "reason")
    assert list(lines)[6] == (
        2,
        "7th share confirmed today: 3 instead of 10, because after 5 a day each further one is worth 50% of the one "
        "before. Capped to 2: at most 57 points a day for this.",
    )
    replay = Claim(f"share:{bob.pk}:0", workspace.pk, bob.pk, TODAY + dt.timedelta(days=1), at)
    with pytest.raises(IntegrityError), transaction.atomic():  # a replayed key never pays twice
        award_points_batch(Action.SHARE, [replay])
