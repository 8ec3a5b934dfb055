"""The pure routing rules and working-hours arithmetic (no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from groundswell.care.hours import HoursError, add_staffed, on_shift, parse_day, shift_end, staffed_minutes
from groundswell.care.routing import Needs, Responder, choose, language_of, next_step, why_not

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)  # Tuesday
OFFICE = {d: [(9 * 60, 17 * 60)] for d in range(5)}


def r(pk: int, **kw: object) -> Responder:
    base: dict[str, object] = {
        "member_id": pk,
        "languages": frozenset({"en"}),
        "skills": frozenset(),
        "week": OFFICE,
        "tz": "UTC",
    }
    return Responder(**{**base, **kw})  # type: ignore[arg-type]


def test_language_must_match() -> None:
    de = r(1, languages=frozenset({"de"}))
    en = r(2)
    assert choose([de, en], Needs(language="de"), NOW, 1) == de
    assert choose([en], Needs(language="de"), NOW, 1) is None
    assert why_not(en, Needs(language="de"), NOW, 1) == "does not speak the language"
    # Unknown language: anyone may answer.
    assert choose([de], Needs(language=""), NOW, 1) == de


def test_working_hours_in_the_responders_time_zone() -> None:
    berlin = r(1, tz="Europe/Berlin")  # 10:00 UTC is 11:00 in Berlin: on shift
    new_york = r(2, tz="America/New_York")  # 05:00 there: off
    assert choose([new_york, berlin], Needs(), NOW, 1) == berlin
    assert why_not(new_york, Needs(), NOW, 1) == "off shift"
    assert choose([new_york], Needs(), NOW, 1) is None


def test_load_cap_and_least_loaded_first() -> None:
    busy = r(1, open_cases=1)
    free = r(2)
    assert choose([busy, free], Needs(), NOW, 1) == free
    assert choose([busy], Needs(), NOW, 1) is None
    assert choose([busy], Needs(), NOW, 2) == busy  # the admin allowed two
    two = r(3, open_cases=2)
    assert choose([two, busy], Needs(), NOW, 3) == busy


def test_topics_filter_and_generalists_take_everything() -> None:
    tents_expert = r(1, skills=frozenset({7}))
    stoves_expert = r(2, skills=frozenset({8}))
    generalist = r(3, last_assigned_at=NOW - dt.timedelta(minutes=1))
    assert choose([generalist, stoves_expert, tents_expert], Needs(topic_id=7), NOW, 1) == tents_expert
    assert choose([generalist, stoves_expert, tents_expert], Needs(topic_id=8), NOW, 1) == stoves_expert
    assert choose([stoves_expert, generalist], Needs(topic_id=7), NOW, 1) == generalist
    assert choose([stoves_expert], Needs(topic_id=7), NOW, 1) is None
    assert why_not(stoves_expert, Needs(topic_id=7), NOW, 1) == "other topics"


def test_this_weeks_cases_spread_work_before_idle_time() -> None:
    many = r(1, recent_cases=5)
    few = r(2, recent_cases=1, last_assigned_at=NOW - dt.timedelta(minutes=1))
    assert choose([many, few], Needs(), NOW, 1) == few


def test_staffed_time_counts_only_who_could_take_the_case() -> None:
    from groundswell.care.routing import schedules_for

    de = r(1, languages=frozenset({"de"}), tz="Europe/Berlin")
    tents = r(2, skills=frozenset({7}))
    paused = r(3, paused=True)
    assert schedules_for([de, tents, paused], Needs(language="de")) == [(OFFICE, "Europe/Berlin")]
    assert schedules_for([de, tents, paused], Needs(language="en", topic_id=8)) == []
    assert schedules_for([de, tents, paused], Needs(language="en", topic_id=7)) == [(OFFICE, "UTC")]


def test_longest_idle_breaks_ties_then_excluded_and_paused() -> None:
    recent = r(1, last_assigned_at=NOW - dt.timedelta(minutes=5))
    idle = r(2, last_assigned_at=NOW - dt.timedelta(hours=3))
    never = r(3)
    assert choose([recent, idle, never], Needs(), NOW, 1) == never
    assert choose([recent, idle], Needs(), NOW, 1) == idle
    assert choose([recent, idle], Needs(exclude=frozenset({2})), NOW, 1) == recent
    assert choose([r(4, paused=True)], Needs(), NOW, 1) is None


def test_escalation_steps() -> None:
    assert next_step(0, 1) == "reassign"
    assert next_step(1, 1) == "admins"
    assert next_step(0, 0) == "admins"


def test_language_of() -> None:
    assert language_of("en-GB") == "en"
    assert language_of("DE") == "de"
    assert language_of("") == ""


def test_parse_day_and_errors() -> None:
    assert parse_day("09:00-12:00, 13:00-17:30") == [(540, 720), (780, 1050)]
    assert parse_day("") == []
    with pytest.raises(HoursError, match="09:00-17:00"):
        parse_day("nine to five")
    with pytest.raises(HoursError, match="not after"):
        parse_day("17:00-09:00")
    with pytest.raises(HoursError, match="overlap"):
        parse_day("09:00-12:00, 11:00-13:00")
    with pytest.raises(HoursError, match="not a time"):
        parse_day("09:75-10:00")


def test_staffed_time_skips_nights_and_weekends() -> None:
    schedules = [(OFFICE, "UTC")]
    friday_4pm = dt.datetime(2026, 12, 4, 16, 0, tzinfo=dt.UTC)
    # 60 staffed minutes from Friday 16:00 end at 17:00 that day.
    assert add_staffed(schedules, friday_4pm, 60) == dt.datetime(2026, 12, 4, 17, 0, tzinfo=dt.UTC)
    # 90 minutes: the last 30 on Monday morning.
    assert add_staffed(schedules, friday_4pm, 90) == dt.datetime(2026, 12, 7, 9, 30, tzinfo=dt.UTC)
    monday = dt.datetime(2026, 12, 7, 9, 30, tzinfo=dt.UTC)
    assert staffed_minutes(schedules, friday_4pm, monday) == pytest.approx(90)
    # The union of two people's hours counts once.
    late = {d: [(12 * 60, 20 * 60)] for d in range(5)}
    assert staffed_minutes([(OFFICE, "UTC"), (late, "UTC")], NOW.replace(hour=0), NOW.replace(hour=23)) == 11 * 60
    assert add_staffed([], NOW, 10) is None
    assert shift_end(OFFICE, "UTC", NOW) == NOW.replace(hour=17)
    assert shift_end(OFFICE, "UTC", NOW.replace(hour=18)) is None
    all_week = {d: [(0, 1440)] for d in range(7)}
    assert shift_end(all_week, "UTC", NOW) is not None and shift_end(all_week, "UTC", NOW) > NOW + dt.timedelta(days=7)
    assert on_shift(OFFICE, "UTC", NOW)
    assert not on_shift(OFFICE, "UTC", NOW.replace(hour=17))
