"""The dashboard's range, read from the query string: presets, own dates, comparison, and bad input."""

from __future__ import annotations

import datetime as dt

import pytest

from groundswell.analytics.ranges import MAX_DAYS, DateRange, parse_range, preset_range

TODAY = dt.date(2026, 5, 14)  # a Thursday in Q2


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.mark.parametrize(
    ("preset", "start", "end"),
    [
        ("7d", "2026-05-08", "2026-05-14"),
        ("30d", "2026-04-15", "2026-05-14"),
        ("90d", "2026-02-14", "2026-05-14"),
        ("month", "2026-05-01", "2026-05-14"),
        ("last-month", "2026-04-01", "2026-04-30"),
        ("quarter", "2026-04-01", "2026-05-14"),
        ("ytd", "2026-01-01", "2026-05-14"),
    ],
    ids=["7d", "30d", "90d", "month", "last-month", "quarter", "ytd"],
)
def test_presets(preset: str, start: str, end: str) -> None:
    choice = parse_range({"range": preset}, TODAY)
    assert choice.error == ""
    assert (choice.range.start, choice.range.end, choice.range.preset) == (d(start), d(end), preset)


def test_last_month_in_january_is_december_of_the_year_before() -> None:
    r = preset_range("last-month", dt.date(2026, 1, 3))
    assert (r.start, r.end) == (dt.date(2025, 12, 1), dt.date(2025, 12, 31))


def test_default_and_legacy_days() -> None:
    assert parse_range({}, TODAY).range == preset_range("30d", TODAY)
    assert parse_range({"days": "90"}, TODAY).range.days == 90
    assert parse_range({"days": "7000"}, TODAY).range.days == 30  # an old link with an odd value: the default
    assert parse_range({"days": "7000"}, TODAY).error == ""


def test_custom_range_and_the_previous_period() -> None:
    choice = parse_range({"range": "custom", "from": "2026-03-01", "to": "2026-03-10", "compare": "1"}, TODAY)
    r = choice.range
    assert choice.error == "" and r.compare and r.days == 10
    prev = r.previous()
    assert (prev.start, prev.end, prev.days) == (d("2026-02-19"), d("2026-02-28"), 10)
    # Shareable: the query string gives back the same range.
    assert r.query() == "range=custom&from=2026-03-01&to=2026-03-10&compare=1"
    assert parse_range(r.params(), TODAY).range == r
    assert r.query(compare=False) == "range=custom&from=2026-03-01&to=2026-03-10"
    assert r.query(preset="7d") == "range=7d&compare=1"


def test_a_single_day_and_an_open_end() -> None:
    assert parse_range({"range": "custom", "from": "2026-05-14", "to": "2026-05-14"}, TODAY).range.days == 1
    # From alone (or "from" without "range") runs to today; an end after today stops at today.
    assert parse_range({"from": "2026-05-01"}, TODAY).range == DateRange(d("2026-05-01"), TODAY, "custom")
    late = parse_range({"range": "custom", "from": "2026-05-01", "to": "2027-01-01"}, TODAY)
    assert late.error == "" and late.range.end == TODAY


def test_the_longest_range_is_accepted() -> None:
    start = TODAY - dt.timedelta(days=MAX_DAYS - 1)
    choice = parse_range({"range": "custom", "from": start.isoformat(), "to": TODAY.isoformat()}, TODAY)
    assert choice.error == "" and choice.range.days == MAX_DAYS


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"range": "custom", "from": "2026-05-10", "to": "2026-05-01"}, "start date is after the end date"),
        ({"range": "custom", "from": "2020-01-01", "to": "2026-05-01"}, "the longest is 731 days"),
        ({"range": "custom", "from": "2026-13-45", "to": "2026-05-01"}, "is not a date"),
        ({"range": "custom", "from": "2026-05-01", "to": "yesterday"}, "is not a date"),
        ({"range": "custom", "from": "<script>", "to": ""}, "is not a date"),
        ({"range": "custom", "to": "2026-05-01"}, "Choose a start date"),
        ({"range": "custom", "from": "1999-12-01", "to": "1999-12-31"}, "choose a later start date"),
        ({"range": "forever"}, "Unknown range"),
    ],
    ids=["from-after-to", "too-long", "bad-from", "bad-to", "markup", "no-from", "before-2000", "unknown-preset"],
)
def test_bad_input_is_a_sentence_and_the_default_range(params: dict[str, str], message: str) -> None:
    choice = parse_range(params, TODAY)
    assert message in choice.error
    assert choice.range == preset_range("30d", TODAY)
