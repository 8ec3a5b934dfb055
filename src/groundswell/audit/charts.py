"""The audit's SVG charts (pygal, the same style and script stripping as analytics/charts.py, ADR 0005)."""

from __future__ import annotations

import math

import pygal

from groundswell.analytics.charts import COMMON, _render
from groundswell.audit.report import Counts

SENTIMENT_COLOURS = ("#15803d", "#94a3b8", "#b91c1c")  # positive, neutral, negative


def _empty(counts: Counts) -> str:
    """Why a chart of the audit has nothing to draw."""
    if not counts.topics:
        return "No listening topics yet: add one on the listening topics page to see mentions here."
    return "No mentions in this period."


def volume_chart(counts: Counts) -> bytes:
    """Mentions per day and topic over the period (a line per topic)."""
    rows = counts.series()
    peak = max((max(values) for _, values in rows if values), default=0)
    step = max(1, math.ceil(peak / 5))
    chart = pygal.Line(
        **COMMON,
        show_dots=len(rows) <= 31,
        dots_size=2.5,
        fill=False,
        show_minor_x_labels=False,
        x_labels_major_every=max(1, len(rows) // 6),
        truncate_label=-1,
        truncate_legend=24,
        y_labels=list(range(0, max(peak, 2) + step, step)),  # whole mentions only
    )
    chart.title = f"Mentions per day, {counts.period.label}"
    chart.x_labels = [day.strftime("%d %b") for day, _ in rows]
    for i, figures in enumerate(counts.topics):
        chart.add(figures.topic.name, [values[i] for _, values in rows])
    return _render(chart, empty=_empty(counts))


def share_chart(counts: Counts) -> bytes:
    """Share of voice: the brand against each competitor, in percent."""
    chart = pygal.Pie(**{**COMMON, "legend_at_bottom_columns": 2}, inner_radius=0.45, truncate_legend=30)
    chart.title = f"Share of voice, {counts.period.label}"
    for share in counts.share_of_voice:
        chart.add(f"{share.name} ({share.percent}%)", [{"value": share.posts, "label": f"{share.percent}%"}])
    return _render(chart, empty=_empty(counts))


def sentiment_chart(counts: Counts) -> bytes:
    """Positive, neutral and negative posts per topic, stacked to 100%."""
    style = COMMON["style"].__class__(**{**COMMON["style"].to_dict(), "colors": SENTIMENT_COLOURS})
    chart = pygal.StackedBar(
        **{**COMMON, "style": style}, truncate_label=18, range=(0, 100), y_labels=[0, 25, 50, 75, 100]
    )
    chart.title = f"Sentiment per topic (% of posts), {counts.period.label}"
    chart.x_labels = [t.topic.name for t in counts.topics]
    splits = [t.sentiment_percent for t in counts.topics]
    chart.add("Positive", [s[0] for s in splits])
    chart.add("Neutral", [s[1] for s in splits])
    chart.add("Negative", [s[2] for s in splits])
    return _render(chart, empty=_empty(counts))


CHARTS = {"volume": volume_chart, "share": share_chart, "sentiment": sentiment_chart}
