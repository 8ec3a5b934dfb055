"""The report's period (week, month, quarter or custom dates) and the period it is compared with."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from groundswell.lib.periods import period_end, period_label, period_start

#: Report kinds → the calendar period code of lib/periods.
CALENDAR = {"week": "w", "month": "m", "quarter": "q"}
KINDS = (*CALENDAR, "custom")
MAX_CUSTOM_DAYS = 366


class PeriodError(ValueError):
    """Dates that make no report (the message is shown next to the form)."""


@dataclass(frozen=True)
class Span:
    start: dt.date
    end: dt.date  # inclusive
    label: str

    @property
    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days + 1)]


@dataclass(frozen=True)
class AuditPeriod:
    kind: str  # week, month, quarter, custom
    current: Span
    previous: Span

    @property
    def label(self) -> str:
        return self.current.label


def _custom_label(start: dt.date, end: dt.date) -> str:
    if start == end:
        return start.strftime("%d %b %Y")
    return f"{start.strftime('%d %b %Y')} \N{EN DASH} {end.strftime('%d %b %Y')}"


def calendar_period(kind: str, day: dt.date) -> AuditPeriod:
    """The week, month or quarter that contains ``day``, and the one before it."""
    code = CALENDAR[kind]
    start = period_start(code, day)
    end = period_end(code, start) - dt.timedelta(days=1)
    prev_start = period_start(code, start - dt.timedelta(days=1))
    return AuditPeriod(
        kind=kind,
        current=Span(start, end, period_label(code, start)),
        previous=Span(prev_start, start - dt.timedelta(days=1), period_label(code, prev_start)),
    )


def last_complete(kind: str, today: dt.date) -> AuditPeriod:
    """The most recent week, month or quarter that has ended (the default report)."""
    current = calendar_period(kind, today)
    return calendar_period(kind, current.current.start - dt.timedelta(days=1))


def custom_period(start: dt.date, end: dt.date) -> AuditPeriod:
    """From ``start`` to ``end`` (inclusive), compared with as many days just before."""
    if end < start:
        raise PeriodError("The end date is before the start date.")
    length = (end - start).days + 1
    if length > MAX_CUSTOM_DAYS:
        raise PeriodError(f"Choose at most {MAX_CUSTOM_DAYS} days (this range has {length:,}).")
    prev_end = start - dt.timedelta(days=1)
    prev_start = prev_end - dt.timedelta(days=length - 1)
    return AuditPeriod(
        kind="custom",
        current=Span(start, end, _custom_label(start, end)),
        previous=Span(prev_start, prev_end, _custom_label(prev_start, prev_end)),
    )
