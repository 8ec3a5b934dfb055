"""Fairness of routing: cases per hour on shift over the fairness window, not a bare count of cases.

Under the earlier rule (fewest cases in the last seven days) someone whose week starts later than the
others' (a Wednesday-to-Sunday shift, a volunteer who joined on Wednesday, a part-timer) had fewer cases only
because they had worked fewer hours, and got every case until their count caught up: bench/care saw
Wednesday-to-Sunday responders take 9 to 17 cases on their first day."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from groundswell.care import actions, queries
from groundswell.care.hours import Week
from groundswell.care.models import Case, CaseEvent, CaseStatus, EventKind
from groundswell.care.routing import (
    MIN_SHIFT_MINUTES,
    RECENT,
    Needs,
    Responder,
    cases_per_hour,
    choose,
    shift_minutes,
    window_start,
)
from groundswell.care.tests.conftest import make_post, volunteer
from groundswell.enrolment.actions import Answers, join
from groundswell.enrolment.models import Enrolment
from groundswell.listening.models import Source, Topic
from groundswell.workspaces.models import Membership, Workspace

NOW = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)  # a Thursday
OFFICE: Week = {d: [(9 * 60, 17 * 60)] for d in range(5)}
HOUR = 60.0


def r(pk: int, **kw: object) -> Responder:
    base: dict[str, object] = {
        "member_id": pk,
        "languages": frozenset({"en"}),
        "skills": frozenset(),
        "week": {d: [(0, 1440)] for d in range(7)},
        "tz": "UTC",
    }
    return Responder(**{**base, **kw})  # type: ignore[arg-type]


def test_fewer_cases_per_hour_on_shift_wins_over_fewer_cases() -> None:
    # Since Monday: 8 cases in 16 hours (0.5 an hour). Since Wednesday morning: 3 cases in 4 hours (0.75).
    monday_starter = r(1, recent_cases=8, recent_shift_minutes=16 * HOUR)
    wednesday_starter = r(2, recent_cases=3, recent_shift_minutes=4 * HOUR)
    assert cases_per_hour(monday_starter) == pytest.approx(0.5)
    assert cases_per_hour(wednesday_starter) == pytest.approx(0.75)
    # The count alone (3 < 8) chose the Wednesday starter; per hour on shift they already had more.
    assert choose([wednesday_starter, monday_starter], Needs(), NOW, 1) == monday_starter


def test_a_part_timer_takes_their_share_not_the_full_timers_count() -> None:
    full_time = r(1, recent_cases=8, recent_shift_minutes=40 * HOUR)  # 0.2 an hour
    part_time = r(2, recent_cases=5, recent_shift_minutes=20 * HOUR)  # 0.25 an hour
    assert choose([part_time, full_time], Needs(), NOW, 1) == full_time
    less = r(2, recent_cases=3, recent_shift_minutes=20 * HOUR)  # 0.15 an hour
    assert choose([full_time, less], Needs(), NOW, 1) == less


def test_a_shift_that_just_started_is_neither_flooded_nor_starved() -> None:
    veteran = r(1, recent_cases=10, recent_shift_minutes=16 * HOUR)  # 0.625 an hour
    newcomer = r(2)  # nothing yet, no hours yet
    assert choose([veteran, newcomer], Needs(), NOW, 1) == newcomer
    # Two cases in their first half hour: the floor counts them over four hours (0.5), not as four an hour.
    two = r(2, recent_cases=2, recent_shift_minutes=30)
    assert cases_per_hour(two) == pytest.approx(2 * 60 / MIN_SHIFT_MINUTES)
    assert choose([veteran, two], Needs(), NOW, 1) == two
    three = r(2, recent_cases=3, recent_shift_minutes=30)  # 0.75: now the veteran's turn
    assert choose([veteran, three], Needs(), NOW, 1) == veteran


def test_open_cases_come_before_the_rate_and_idle_time_breaks_ties() -> None:
    busy_but_fresh = r(1, open_cases=1, recent_cases=0, recent_shift_minutes=8 * HOUR)
    free_but_loaded = r(2, open_cases=0, recent_cases=9, recent_shift_minutes=8 * HOUR)
    assert choose([busy_but_fresh, free_but_loaded], Needs(), NOW, 2) == free_but_loaded
    # The same rate (4 in 8 hours, 2 in 4): whoever waited longest since their last case.
    recent = r(3, recent_cases=4, recent_shift_minutes=8 * HOUR, last_assigned_at=NOW - dt.timedelta(minutes=5))
    idle = r(4, recent_cases=2, recent_shift_minutes=4 * HOUR, last_assigned_at=NOW - dt.timedelta(hours=2))
    assert choose([recent, idle], Needs(), NOW, 1) == idle


def test_the_window_starts_a_week_ago_or_when_they_joined() -> None:
    assert window_start(NOW, None) == NOW - RECENT
    assert window_start(NOW, NOW - dt.timedelta(days=30)) == NOW - RECENT
    wednesday_9am = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
    assert window_start(NOW, wednesday_9am) == wednesday_9am
    # Office hours Monday to Friday: a whole week is 40 hours whatever the weekday; Wednesday 09:00 to
    # Thursday 12:00 is 8 + 3.
    assert shift_minutes(OFFICE, "UTC", NOW - RECENT, NOW) == 40 * HOUR
    assert shift_minutes(OFFICE, "UTC", wednesday_9am, NOW) == 11 * HOUR
    # In the responder's time zone: 12:00 UTC is 07:00 in New York, before their 09:00 start.
    assert shift_minutes(OFFICE, "America/New_York", wednesday_9am, NOW) == 8 * HOUR


# --- routing input from the database, and routing through the app ---------------------------------------


def _assigned(member: Membership, source: Source, brand: Topic, *moments: dt.datetime) -> None:
    """Cases routed to ``member`` at ``moments`` (answered and resolved since: no open load)."""
    for at in moments:
        post, _ = make_post(source, [brand])
        case = Case.objects.create(
            workspace_id=member.workspace_id, post=post, topic=brand, language="en", intent=post.intent,
            status=CaseStatus.RESOLVED, opened_at=at,
        )  # fmt: skip
        CaseEvent.objects.create(workspace_id=member.workspace_id, case=case, kind=EventKind.ASSIGNED,
                                 member=member, at=at)  # fmt: skip


@pytest.fixture
def team(source: Source, brand: Topic, bob: Membership, carol: Membership) -> tuple[Membership, Membership]:
    """Bob joined weeks ago; carol joined (again) on Wednesday at 09:00. Both work office hours in UTC."""
    volunteer(bob, week=OFFICE)
    volunteer(carol, week=OFFICE)
    Enrolment.objects.filter(member=bob).update(joined_at=NOW - dt.timedelta(days=20))
    Enrolment.objects.filter(member=carol).update(joined_at=dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC))
    day = dt.timedelta(days=1)
    # Bob: six cases this week (Monday, Tuesday), one more than a week ago.
    _assigned(bob, source, brand, *(NOW - 3 * day - dt.timedelta(hours=h) for h in (0, 1, 2)))
    _assigned(bob, source, brand, *(NOW - 2 * day - dt.timedelta(hours=h) for h in (0, 1, 2)))
    _assigned(bob, source, brand, NOW - 8 * day)
    # Carol: two since she joined, one before she left and joined again.
    _assigned(carol, source, brand, NOW - day, NOW - dt.timedelta(hours=2))
    _assigned(carol, source, brand, NOW - 3 * day)
    return bob, carol


@pytest.mark.django_db
def test_routing_input_counts_cases_and_hours_in_each_ones_window(
    workspace: Workspace, team: tuple[Membership, Membership]
) -> None:
    bob, carol = team
    found = {x.member_id: x for x in queries.responders(workspace, now=NOW)}
    assert (found[bob.pk].recent_cases, found[bob.pk].recent_shift_minutes) == (6, 40 * HOUR)
    assert (found[carol.pk].recent_cases, found[carol.pk].recent_shift_minutes) == (2, 11 * HOUR)
    # 6 in 40 hours against 2 in 11: bob is the less loaded, though he has more cases.
    assert cases_per_hour(found[bob.pk]) < cases_per_hour(found[carol.pk])


@pytest.mark.django_db
def test_a_new_question_goes_to_the_fewest_cases_per_hour(
    workspace: Workspace, source: Source, brand: Topic, team: tuple[Membership, Membership]
) -> None:
    bob, _ = team
    _, mentions = make_post(source, [brand])
    with time_machine.travel(NOW, tick=False):
        [case] = actions.open_cases_for(mentions, now=NOW)
    assert case.assignee == bob  # the count alone (2 < 6) gave it to carol


def _without_profile(member: Membership, joined_at: dt.datetime) -> Membership:
    join(member, Answers(activities=["answer"], languages=["en"]))
    Enrolment.objects.filter(member=member).update(joined_at=joined_at)
    return member


@pytest.mark.django_db
def test_routing_input_reads_a_fixed_number_of_queries(
    workspace: Workspace, team: tuple[Membership, Membership], django_assert_num_queries: Any
) -> None:
    from groundswell.conftest import make_member

    # Eve never opened her responder profile: the default hours in the workspace's zone, since she joined.
    eve = _without_profile(make_member(workspace, "eve@acme.test"), dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC))
    with CaptureQueriesContext(connection) as three:
        found = {x.member_id: x for x in queries.responders(workspace, now=NOW)}
    assert found[eve.pk].recent_shift_minutes == 3 * HOUR  # Thursday 09:00 to 12:00 (DEFAULT_WEEK, UTC)
    volunteer(make_member(workspace, "dana@acme.test"), week=OFFICE)
    _without_profile(make_member(workspace, "frank@acme.test"), NOW - dt.timedelta(days=30))
    with django_assert_num_queries(len(three.captured_queries)):
        assert len(queries.responders(workspace, now=NOW)) == 5
