"""Calendar periods used by rollups, leaderboards and goals."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

PERIODS = ("d", "w", "m", "q", "y", "a")
ALL_TIME_START = dt.date(2000, 1, 1)
PERIOD_LABELS = {"d": "Day", "w": "Week", "m": "Month", "q": "Quarter", "y": "Year", "a": "All time"}


def period_start(period: str, day: dt.date) -> dt.date:
    if period == "d":
        return day
    if period == "w":
        return day - dt.timedelta(days=day.weekday())
    if period == "m":
        return day.replace(day=1)
    if period == "q":
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    if period == "y":
        return dt.date(day.year, 1, 1)
    if period == "a":
        return ALL_TIME_START
    raise ValueError(f"unknown period {period!r}")


def period_end(period: str, start: dt.date) -> dt.date:
    """The first day after the period that starts at ``start``."""
    if period == "d":
        return start + dt.timedelta(days=1)
    if period == "w":
        return start + dt.timedelta(days=7)
    if period in ("m", "q", "y"):
        months = {"m": 1, "q": 3, "y": 12}[period]
        month_index = start.month - 1 + months
        return dt.date(start.year + month_index // 12, month_index % 12 + 1, 1)
    if period == "a":
        return dt.date(9999, 12, 31)
    raise ValueError(f"unknown period {period!r}")


def period_label(period: str, start: dt.date) -> str:
    if period == "d":
        return start.strftime("%d %b %Y")
    if period == "w":
        return f"Week of {start.strftime('%d %b %Y')}"
    if period == "m":
        return start.strftime("%B %Y")
    if period == "q":
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    if period == "y":
        return str(start.year)
    return "All time"


def local_day(moment: dt.datetime, tz_name: str) -> dt.date:
    return moment.astimezone(ZoneInfo(tz_name)).date()


def starts_for(day: dt.date) -> list[tuple[str, dt.date]]:
    return [(p, period_start(p, day)) for p in PERIODS]
