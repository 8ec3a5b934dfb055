"""The dashboard's date range, read from the query string (so a range is shareable and the back button works).

``?range=30d`` (a preset) or ``?range=custom&from=2026-01-01&to=2026-01-31``; ``&compare=1`` adds the previous
period of the same length. The old ``?days=30`` / ``?days=90`` links still work. Days are days in the
workspace's time zone and both ends are inclusive. Bad input never raises: it comes back as ``error`` (a
sentence for the page) with the default range in its place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from groundswell.lib.periods import ALL_TIME_START, period_start

#: The longest range anyone may ask for (two years of days, leap day included).
MAX_DAYS = 731
DEFAULT_PRESET = "30d"
CUSTOM = "custom"

PRESETS: dict[str, str] = {
    "7d": "Last 7 days",
    "30d": "Last 30 days",
    "90d": "Last 90 days",
    "month": "This month",
    "last-month": "Last month",
    "quarter": "This quarter",
    "ytd": "Year to date",
}

_DAY_PRESETS = {"7d": 7, "30d": 30, "90d": 90}
#: ``?days=N`` from before the picker existed.
_LEGACY_DAYS = {"7": "7d", "30": "30d", "90": "90d"}


@dataclass(frozen=True)
class DateRange:
    start: dt.date
    end: dt.date  # inclusive
    preset: str  # a key of PRESETS or "custom"
    compare: bool = False

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        return PRESETS.get(self.preset, "Custom range")

    def previous(self) -> DateRange:
        """The period of the same number of days that ends the day before this one starts."""
        end = self.start - dt.timedelta(days=1)
        return DateRange(start=end - dt.timedelta(days=self.days - 1), end=end, preset=CUSTOM)

    def params(self, **changes: object) -> dict[str, str]:
        """The query parameters that select this range (``changes`` as in ``dataclasses.replace``)."""
        chosen = replace(self, **changes) if changes else self  # type: ignore[arg-type]
        out = {"range": chosen.preset}
        if chosen.preset == CUSTOM:
            out["from"] = chosen.start.isoformat()
            out["to"] = chosen.end.isoformat()
        if chosen.compare:
            out["compare"] = "1"
        return out

    def query(self, **changes: object) -> str:
        return urlencode(self.params(**changes))


@dataclass(frozen=True)
class RangeChoice:
    range: DateRange
    error: str = ""  # why the asked-for range was not used ("" when it was)


def preset_range(preset: str, today: dt.date) -> DateRange:
    if preset in _DAY_PRESETS:
        days = _DAY_PRESETS[preset]
        return DateRange(start=today - dt.timedelta(days=days - 1), end=today, preset=preset)
    if preset == "month":
        return DateRange(start=period_start("m", today), end=today, preset=preset)
    if preset == "last-month":
        end = period_start("m", today) - dt.timedelta(days=1)
        return DateRange(start=period_start("m", end), end=end, preset=preset)
    if preset == "quarter":
        return DateRange(start=period_start("q", today), end=today, preset=preset)
    if preset == "ytd":
        return DateRange(start=period_start("y", today), end=today, preset=preset)
    raise ValueError(f"unknown preset {preset!r}")


def _date(value: str, which: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"The {which} date “{value[:40]}” is not a date: use the form 2026-01-31.") from None


def parse_range(params: Mapping[str, str], today: dt.date) -> RangeChoice:
    """The range the query string asks for, or the default range and a sentence saying what was wrong."""
    compare = params.get("compare", "") in ("1", "on", "true", "yes")
    default = replace(preset_range(DEFAULT_PRESET, today), compare=compare)
    preset = params.get("range", "") or ""
    if not preset and params.get("days"):
        preset = _LEGACY_DAYS.get(str(params.get("days")), DEFAULT_PRESET)
    if not preset and (params.get("from") or params.get("to")):
        preset = CUSTOM
    if not preset:
        return RangeChoice(default)
    if preset in PRESETS:
        return RangeChoice(replace(preset_range(preset, today), compare=compare))
    if preset != CUSTOM:
        return RangeChoice(default, "Unknown range: choose one of the presets or your own dates.")
    raw_from, raw_to = (params.get("from") or "").strip(), (params.get("to") or "").strip()
    if not raw_from:
        return RangeChoice(default, "Choose a start date for your own range.")
    try:
        start = _date(raw_from, "start")
        end = _date(raw_to, "end") if raw_to else today
    except ValueError as exc:
        return RangeChoice(default, str(exc))
    end = min(end, today)  # nothing is counted after today
    if start > end:
        return RangeChoice(default, "The start date is after the end date: choose a start on or before the end.")
    if start < ALL_TIME_START:
        return RangeChoice(default, f"Figures start in {ALL_TIME_START.year}: choose a later start date.")
    chosen = DateRange(start=start, end=end, preset=CUSTOM, compare=compare)
    if chosen.days > MAX_DAYS:
        return RangeChoice(default, f"That range is {chosen.days:,} days; the longest is {MAX_DAYS} days (two years).")
    return RangeChoice(chosen)
