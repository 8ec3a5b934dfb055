"""The volunteers-over-time chart of a call (server-side SVG, like analytics/charts.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pygal

from groundswell.analytics.charts import COMMON, _render


def volunteers_chart(points: Sequence[tuple[dt.date, int]], title: str) -> bytes:
    chart = pygal.Line(
        **COMMON,
        show_dots=len(points) <= 31,
        dots_size=2.5,
        fill=True,
        x_label_rotation=0,
        show_minor_x_labels=False,
        x_labels_major_every=max(1, len(points) // 6),
        truncate_label=-1,
        min_scale=2,
        show_y_guides=True,
        show_legend=False,
    )
    chart.title = title
    chart.x_labels = [day.strftime("%d %b") for day, _ in points]
    chart.add("Volunteers", [n for _, n in points])
    return _render(chart, empty="Nobody has volunteered yet.")
