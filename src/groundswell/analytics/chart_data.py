"""What the dashboard's Chart.js charts draw, as plain JSON-able dicts.

The page embeds each dict with ``json_script`` (data, never code, so the CSP stays ``script-src 'self'``) and
``static/groundswell/charts.js`` draws it. The same figures are rendered server-side as a table beside each
chart, so the page reads the same without scripts and to a screen reader.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from groundswell.analytics.queries import BreakdownRow, DayPoint

#: Bars drawn per breakdown chart; the table beside it lists every row.
BREAKDOWN_LIMIT = 12


def _day_label(day: dt.date) -> str:
    return day.strftime("%d %b")


def activity_data(
    points: Sequence[DayPoint], previous: Sequence[DayPoint] | None = None, *, title: str
) -> dict[str, Any]:
    """Human clicks and shares per day; with ``previous``, the previous period's figures as dashed lines,
    day 1 against day 1 (each point keeps its own date for the tooltip)."""
    series: list[dict[str, Any]] = [
        {"label": "Human clicks", "data": [p.clicks for p in points], "color": "accent"},
        {"label": "Shares", "data": [p.shares for p in points], "color": "warn"},
    ]
    if previous is not None:
        dates = [_day_label(p.day) for p in previous]
        series += [
            {
                "label": "Human clicks, previous period",
                "data": [p.clicks for p in previous],
                "color": "accent",
                "previous": True,
                "dates": dates,
            },
            {
                "label": "Shares, previous period",
                "data": [p.shares for p in previous],
                "color": "warn",
                "previous": True,
                "dates": dates,
            },
        ]
    return {"type": "line", "title": title, "labels": [_day_label(p.day) for p in points], "series": series}


def breakdown_data(rows: Sequence[BreakdownRow], *, title: str) -> dict[str, Any]:
    """Human clicks and shares per department or network, most clicks first (horizontal bars)."""
    shown = list(rows[:BREAKDOWN_LIMIT])
    return {
        "type": "bar",
        "title": title,
        "labels": [r.label for r in shown],
        "series": [
            {"label": "Human clicks", "data": [r.clicks for r in shown], "color": "accent"},
            {"label": "Shares", "data": [r.shares for r in shown], "color": "warn"},
        ],
    }


def count_over_time_data(points: Sequence[tuple[dt.date, int]], *, label: str, title: str) -> dict[str, Any]:
    """One count per day (volunteers of a call at the end of each day), as a single line."""
    return {
        "type": "line",
        "title": title,
        "labels": [_day_label(day) for day, _ in points],
        "series": [{"label": label, "data": [n for _, n in points], "color": "accent"}],
    }
