"""Working hours: per weekday, windows of local minutes in the responder's time zone (pure functions).

A week is ``{weekday: [(start_minute, end_minute), ...]}`` with Monday = 0 and minutes from local midnight
(``end`` exclusive, at most 1440). Stored as JSON (keys are strings there; :func:`from_json` converts).

*Staffed time* is the union of the working hours of everyone who answers customers in a workspace: the
first-response clock and the escalation clock run only while somebody is on shift (ADR 0020).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

Window = tuple[int, int]
Week = dict[int, list[Window]]
Interval = tuple[dt.datetime, dt.datetime]

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
#: Monday to Friday, 09:00 to 17:00.
DEFAULT_WEEK: Week = {d: [(9 * 60, 17 * 60)] for d in range(5)}
#: How far ahead the staffed-time arithmetic looks before giving up (nobody works at all).
HORIZON = dt.timedelta(days=14)

_WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-\u2013]\s*(\d{1,2}):(\d{2})\s*$")


class HoursError(ValueError):
    """Working hours that cannot be read, in words for the member."""


def _minute(hours: str, minutes: str) -> int:
    h, m = int(hours), int(minutes)
    if m > 59 or h > 24 or (h == 24 and m):
        raise HoursError(f"{hours}:{minutes} is not a time of day.")
    return h * 60 + m


def parse_day(text: str) -> list[Window]:
    """``"09:00-12:30, 13:30-17:00"`` → windows; an empty text is a day off. Raises :class:`HoursError`."""
    windows: list[Window] = []
    for part in filter(None, (p.strip() for p in text.replace(";", ",").split(","))):
        match = _WINDOW.match(part)
        if match is None:
            raise HoursError(f"“{part}” is not a time range: write it like 09:00-17:00.")
        start, end = _minute(*match.group(1, 2)), _minute(*match.group(3, 4))
        if end <= start:
            raise HoursError(f"In “{part}” the end is not after the start (night shifts: split at midnight).")
        windows.append((start, end))
    windows.sort()
    for (_, end), (start, _) in itertools.pairwise(windows):
        if start < end:
            raise HoursError("The time ranges of one day overlap.")
    return windows


def format_day(windows: Sequence[Window]) -> str:
    return ", ".join(f"{s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}" for s, e in windows)


def to_json(week: Week) -> dict[str, list[list[int]]]:
    return {str(d): [[s, e] for s, e in windows] for d, windows in sorted(week.items()) if windows}


def from_json(data: object) -> Week:
    """A stored week (tolerates missing or malformed days: they are days off)."""
    week: Week = {}
    if not isinstance(data, dict):
        return week
    for key, windows in data.items():
        try:
            day = int(key)
            week[day] = sorted((int(s), int(e)) for s, e in windows if 0 <= int(s) < int(e) <= 1440)
        except (TypeError, ValueError):
            continue
    return week


def on_shift(week: Week, tz: str, moment: dt.datetime) -> bool:
    local = moment.astimezone(ZoneInfo(tz))
    minute = local.hour * 60 + local.minute
    return any(s <= minute < e for s, e in week.get(local.weekday(), []))


def intervals(week: Week, tz: str, start: dt.datetime, end: dt.datetime) -> list[Interval]:
    """The working intervals of ``week`` that overlap ``[start, end)``, clipped to it, in order."""
    zone = ZoneInfo(tz)
    day = start.astimezone(zone).date() - dt.timedelta(days=1)
    last = end.astimezone(zone).date()
    found: list[Interval] = []
    while day <= last:
        midnight = dt.datetime.combine(day, dt.time(), tzinfo=zone)
        for s, e in week.get(day.weekday(), []):
            # Local wall-clock minutes: add them to the local midnight and let zoneinfo resolve DST.
            a = (midnight.replace(tzinfo=None) + dt.timedelta(minutes=s)).replace(tzinfo=zone)
            b = (midnight.replace(tzinfo=None) + dt.timedelta(minutes=e)).replace(tzinfo=zone)
            a, b = max(a, start), min(b, end)
            if a < b:
                found.append((a, b))
        day += dt.timedelta(days=1)
    return found


def shift_end(week: Week, tz: str, moment: dt.datetime) -> dt.datetime | None:
    """When the working stretch that contains ``moment`` ends (windows that touch count as one stretch, so a
    shift through midnight does not end at midnight); None when off shift."""
    for a, b in union(intervals(week, tz, moment, moment + dt.timedelta(days=8))):
        if a <= moment < b:
            return b
    return None


def union(parts: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for a, b in sorted(parts):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


Schedule = tuple[Week, str]  # a responder's week and time zone


def staffed(schedules: Sequence[Schedule], start: dt.datetime, end: dt.datetime) -> list[Interval]:
    """When at least one of ``schedules`` is working between ``start`` and ``end``."""
    return union(i for week, tz in schedules for i in intervals(week, tz, start, end))


def staffed_minutes(schedules: Sequence[Schedule], start: dt.datetime, end: dt.datetime) -> float:
    """Minutes between ``start`` and ``end`` during which somebody was on shift."""
    if end <= start:
        return 0.0
    return sum((b - a).total_seconds() for a, b in staffed(schedules, start, end)) / 60


def add_staffed(schedules: Sequence[Schedule], start: dt.datetime, minutes: float) -> dt.datetime | None:
    """The moment ``minutes`` staffed minutes after ``start``; None when nobody works within :data:`HORIZON`."""
    left = dt.timedelta(minutes=minutes)
    for a, b in staffed(schedules, start, start + HORIZON):
        if b - a >= left:
            return a + left
        left -= b - a
    return None
