from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from groundswell.analytics.rollups import RollupBatch
from groundswell.conftest import client_for, make_member
from groundswell.recognition import actions
from groundswell.recognition.models import (
    BadgeKind,
    BonusPayout,
    BonusStatus,
    ContestMethod,
    ContestStatus,
    ImmutableError,
    MemberBadge,
)
from groundswell.rewards.actions import adjust_points, award_points
from groundswell.rewards.models import Action
from groundswell.workspaces.models import Membership, Workspace

START = dt.date(2026, 11, 1)
END = dt.date(2026, 11, 30)
AFTER = dt.date(2026, 12, 1)


def give(
    member: Membership, points: int, day: dt.date = START, key: str | None = None, by: Membership | None = None
) -> None:
    adjust_points(
        member=member,
        points=points,
        reason="test",
        author=by or member,
        key=key or f"t:{member.pk}:{day}:{points}",
        day=day,
    )


def contest(workspace: Workspace, by: Membership, **extra: object) -> actions.Contest:  # type: ignore[name-defined]
    fields: dict[str, object] = {
        "name": "November raffle",
        "goal": "Share the launch",
        "starts_on": START,
        "ends_on": END,
        "method": ContestMethod.RAFFLE,
        "prizes": 2,
        "prize_description": "A gift card",
        "threshold_points": 30,
        "points_cap": 400,
        "cooldown": 1,
    }
    fields.update(extra)
    return actions.create_contest(workspace=workspace, by=by, **fields)  # type: ignore[arg-type]


@pytest.fixture
def people(workspace: Workspace, alice: Membership) -> list[Membership]:
    members = [make_member(workspace, f"p{i}@acme.test") for i in range(6)]
    for i, m in enumerate(members):
        give(m, 20 + 100 * i, by=alice)  # 20 (below threshold), 120, 220, 320, 420, 520
    return members


def test_a_draw_publishes_seed_entries_and_winners_and_verifies(
    workspace: Workspace, alice: Membership, people: list[Membership]
) -> None:
    c = contest(workspace, alice)
    assert len(c.seed_commitment) == 64 and c.seed not in c.seed_commitment
    with pytest.raises(actions.RecognitionError, match="once the contest is over"):
        actions.draw_contest(contest=c, by=alice, today=END)
    draw = actions.draw_contest(contest=c, by=alice, today=AFTER)
    assert len(draw.entries) == 5  # the one with 20 points did not reach the threshold
    assert max(e["tickets"] for e in draw.entries) == 400  # capped
    assert len(draw.winners) == 2 and actions.verify_draw(draw)
    assert c.winners.count() == 2
    with pytest.raises(actions.RecognitionError, match="already been drawn"):
        actions.draw_contest(contest=c, by=alice, today=AFTER)
    call_command("verify_draw", str(c.pk), stdout=io.StringIO())
    # Recomputing from the published inputs alone gives the same winners.
    assert actions.run_draw(draw.method, draw.seed, list(draw.entries), 2) == draw.winners


def test_a_tampered_draw_does_not_verify(workspace: Workspace, alice: Membership, people: list[Membership]) -> None:
    c = contest(workspace, alice)
    draw = actions.draw_contest(contest=c, by=alice, today=AFTER)
    # Crown two entrants who did not win (the seed is random, so a fixed choice could match the real result).
    losers = [e["key"] for e in draw.entries if e["key"] not in draw.winners][:2]
    assert len(losers) == 2
    type(draw).objects.filter(pk=draw.pk).update(winners=losers)
    draw.refresh_from_db()
    assert not actions.verify_draw(draw)
    with pytest.raises(CommandError, match="does NOT verify"):
        call_command("verify_draw", str(c.pk), stdout=io.StringIO())
    with pytest.raises(ImmutableError):
        draw.save()


def test_recent_winners_sit_out_the_next_draw(
    workspace: Workspace, alice: Membership, people: list[Membership]
) -> None:
    first = contest(workspace, alice, method=ContestMethod.TOP, prizes=2)
    actions.draw_contest(contest=first, by=alice, today=AFTER)
    winners = set(first.winners.values_list("member_id", flat=True))
    assert winners == {people[5].pk, people[4].pk}
    second = contest(workspace, alice, method=ContestMethod.TOP, prizes=2, name="Second")
    draw = actions.draw_contest(contest=second, by=alice, today=AFTER)
    assert set(second.winners.values_list("member_id", flat=True)) == {people[3].pk, people[2].pk}
    assert len(draw.cooled_down) == 2
    third = contest(workspace, alice, method=ContestMethod.TOP, prizes=2, name="Third", cooldown=0)
    actions.draw_contest(contest=third, by=alice, today=AFTER)
    assert set(third.winners.values_list("member_id", flat=True)) == {people[5].pk, people[4].pk}


def test_most_improved_compares_with_the_previous_periods(workspace: Workspace, alice: Membership) -> None:
    steady, riser = make_member(workspace, "steady@acme.test"), make_member(workspace, "riser@acme.test")
    for months_back in (1, 2, 3):
        give(steady, 300, day=START - dt.timedelta(days=30 * months_back), by=alice)
    give(steady, 310, by=alice)
    give(riser, 150, by=alice)
    c = contest(workspace, alice, method=ContestMethod.IMPROVED, prizes=1)
    actions.draw_contest(contest=c, by=alice, today=AFTER)
    assert list(c.winners.values_list("member_id", flat=True)) == [riser.pk]


def test_contest_validation_says_what_is_wrong(workspace: Workspace, alice: Membership) -> None:
    with pytest.raises(actions.RecognitionError, match="end on or after"):
        contest(workspace, alice, ends_on=START - dt.timedelta(days=1))
    with pytest.raises(actions.RecognitionError, match="at least the threshold"):
        contest(workspace, alice, threshold_points=500, points_cap=100)


def test_bonus_preview_equals_the_closed_allocation_and_is_then_immutable(
    workspace: Workspace, alice: Membership, people: list[Membership]
) -> None:
    people[0].employee_id = "E-0"
    people[0].save(update_fields=["employee_id"])
    period = actions.create_bonus_period(
        workspace=workspace,
        by=alice,
        name="November",
        starts_on=START,
        ends_on=END,
        currency="eur",
        pool_cents=100_000,
        threshold=30,
        cap=400,
        floor_cents=1_000,
        ceiling_cents=40_000,
    )
    preview, _ = actions.preview_bonus(period)
    with pytest.raises(actions.RecognitionError, match="once it is over"):
        actions.close_bonus_period(period=period, by=alice, today=END)
    closed = actions.close_bonus_period(period=period, by=alice, today=AFTER)
    assert closed.status == BonusStatus.CLOSED and closed.currency == "EUR"
    payouts = {p.member_id: p for p in BonusPayout.objects.filter(period=period)}
    for key, line in preview.lines.items():
        if line.points:
            assert payouts[int(key)].cents == line.cents
    assert sum(p.cents for p in payouts.values()) + closed.unallocated_cents == 100_000
    assert payouts[people[0].pk].cents == 0 and not payouts[people[0].pk].qualified
    # The explanation ends with the amount paid.
    for p in payouts.values():
        if p.qualified:
            assert p.steps[-1].endswith(f"{p.cents / 100:,.2f}.")
    # Points earned after closing change nothing.
    give(people[1], 999, day=END, by=alice)
    with pytest.raises(actions.RecognitionError, match="already closed"):
        actions.close_bonus_period(period=closed, by=alice, today=AFTER)
    one = BonusPayout.objects.filter(period=period).first()
    assert one is not None
    with pytest.raises(ImmutableError):
        one.save()
    with pytest.raises(ImmutableError):
        one.delete()
    rows = list(csv.DictReader(io.StringIO(actions.payroll_csv(closed))))
    assert {r["name"] for r in rows} == {p.display_name for p in payouts.values() if p.cents}
    assert all(r["currency"] == "EUR" for r in rows)
    # A name a spreadsheet would run as a formula is written as text (lib/export.py).
    paid = next(p for p in payouts.values() if p.cents)
    BonusPayout.objects.filter(pk=paid.pk).update(display_name='=HYPERLINK("https://evil.example","Pay")')
    rows = list(csv.DictReader(io.StringIO(actions.payroll_csv(closed))))
    assert '\'=HYPERLINK("https://evil.example","Pay")' in {r["name"] for r in rows}
    assert not any(value.startswith(("=", "+", "-", "@")) for r in rows for value in r.values())


def test_bonus_formula_errors_are_clear(workspace: Workspace, alice: Membership) -> None:
    with pytest.raises(actions.RecognitionError, match="floor cannot be higher"):
        actions.create_bonus_period(
            workspace=workspace,
            by=alice,
            name="x",
            starts_on=START,
            ends_on=END,
            currency="EUR",
            pool_cents=100,
            threshold=0,
            cap=10,
            floor_cents=500,
            ceiling_cents=100,
        )
    with pytest.raises(actions.RecognitionError, match="three-letter"):
        actions.create_bonus_period(
            workspace=workspace,
            by=alice,
            name="x",
            starts_on=START,
            ends_on=END,
            currency="EURO",
            pool_cents=100,
            threshold=0,
            cap=10,
            floor_cents=0,
            ceiling_cents=100,
        )


def test_badges_are_awarded_once_from_the_ledger(workspace: Workspace, bob: Membership) -> None:
    today = dt.date(2026, 11, 26)
    for week in range(4):
        batch = RollupBatch()
        day = today - dt.timedelta(weeks=week)
        from groundswell.analytics.rollups import Delta

        batch.add(
            workspace_id=workspace.pk,
            member_id=bob.pk,
            department_id=None,
            location_id=None,
            day=day,
            delta=Delta(shares=1),
        )
        award_points(member=bob, action=Action.SHARE, key=f"share:{week}", day=day, rollup=batch)
        batch.write()
    assert actions.award_badges(workspace, today=today) == 2
    assert set(MemberBadge.objects.filter(member=bob).values_list("badge", flat=True)) == {
        BadgeKind.FIRST_SHARE,
        BadgeKind.STREAK_4,
    }
    assert actions.award_badges(workspace, today=today) == 0


# --- Pages ----------------------------------------------------------------------------------------


def test_pages_for_members_and_admins(
    workspace: Workspace, alice: Membership, bob: Membership, alice_client: Client, bob_client: Client
) -> None:
    give(bob, 120, by=alice)
    url = reverse("recognition:new_contest", kwargs={"ws": "acme"})
    assert bob_client.get(url).status_code == 404
    bad = alice_client.post(
        url,
        {
            "name": "x",
            "goal": "y",
            "starts_on": "2026-11-30",
            "ends_on": "2026-11-01",
            "method": "raffle",
            "prizes": 1,
            "prize_description": "p",
            "threshold_points": 1,
            "points_cap": 10,
            "cooldown": 0,
        },
    )
    assert bad.status_code == 200 and b"end on or after" in bad.content
    ok = alice_client.post(
        url,
        {
            "name": "Raffle",
            "goal": "Share",
            "starts_on": "2026-11-01",
            "ends_on": "2026-11-30",
            "method": "raffle",
            "prizes": 1,
            "prize_description": "Socks",
            "threshold_points": 30,
            "points_cap": 400,
            "cooldown": 1,
        },
    )
    assert ok.status_code == 302
    page = bob_client.get(ok["Location"])
    assert page.status_code == 200 and b"You are in with 120 tickets" in page.content
    assert b"Socks" in page.content
    overview = bob_client.get(reverse("recognition:overview", kwargs={"ws": "acme"}))
    assert overview.status_code == 200 and b"Raffle" in overview.content and b"My badges" in overview.content
    bonus = alice_client.post(
        reverse("recognition:new_bonus", kwargs={"ws": "acme"}),
        {
            "name": "Nov",
            "starts_on": "2026-11-01",
            "ends_on": "2026-11-30",
            "currency": "EUR",
            "pool": "500.00",
            "threshold": 30,
            "cap": 400,
            "floor": "5.00",
            "ceiling": "100.00",
        },
    )
    assert bonus.status_code == 302
    mine = bob_client.get(bonus["Location"])
    assert b"Why I get what I get" in mine.content and b"100.00" in mine.content
    assert b"Everyone" not in mine.content  # members see only their own line
    admin_view = alice_client.get(bonus["Location"])
    assert b"Bob" in admin_view.content


def test_outsiders_get_404(workspace: Workspace, alice: Membership, charlie: Membership) -> None:
    c = contest(workspace, alice)
    period = actions.create_bonus_period(
        workspace=workspace,
        by=alice,
        name="N",
        starts_on=START,
        ends_on=END,
        currency="EUR",
        pool_cents=100,
        threshold=0,
        cap=10,
        floor_cents=0,
        ceiling_cents=100,
    )
    outsider = client_for(charlie)
    for name, kwargs in [
        ("recognition:overview", {}),
        ("recognition:contest", {"contest_id": c.pk}),
        ("recognition:bonus", {"period_id": period.pk}),
        ("recognition:payroll", {"period_id": period.pk}),
    ]:
        assert outsider.get(reverse(name, kwargs={"ws": "acme", **kwargs})).status_code == 404
    assert outsider.post(reverse("recognition:draw", kwargs={"ws": "acme", "contest_id": c.pk})).status_code == 404
    assert outsider.post(reverse("recognition:draw", kwargs={"ws": "globex", "contest_id": c.pk})).status_code == 404
    c.refresh_from_db()
    assert c.status == ContestStatus.OPEN


def test_bonus_table_is_paginated(workspace: Workspace, alice: Membership) -> None:
    period = actions.create_bonus_period(
        workspace=workspace,
        by=alice,
        name="November",
        starts_on=START,
        ends_on=END,
        currency="eur",
        pool_cents=100_000,
        threshold=30,
        cap=400,
        floor_cents=1_000,
        ceiling_cents=40_000,
    )
    period.status = BonusStatus.CLOSED
    period.save(update_fields=["status"])
    BonusPayout.objects.bulk_create(
        BonusPayout(
            period=period, points=50, capped=50, qualified=True, cents=100, bound="", display_name=f"Person {n:03d}"
        )
        for n in range(60)
    )
    page_url = reverse("recognition:bonus", kwargs={"ws": workspace.slug, "period_id": period.pk})
    first = client_for(alice).get(page_url).content.decode()
    assert first.count("Person 0") == 50 and "Page 1 of 2" in first
    second = client_for(alice).get(page_url, {"page": "2"}).content.decode()
    assert second.count("Person 0") == 10
