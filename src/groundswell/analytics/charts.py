"""Server-side SVG charts (pygal). Served by their own view as ``image/svg+xml`` and shown with ``<img>``,
so no script ever runs: pygal's JavaScript is disabled and its inline config script is stripped."""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape

import pygal
from pygal.style import Style

from groundswell.analytics.queries import BreakdownRow, DayPoint

CHART_CSP = "default-src 'none'; style-src 'unsafe-inline'"
_SCRIPT = re.compile(rb"<script\b[^>]*>.*?</script>", re.DOTALL | re.IGNORECASE)

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1d2433",
    foreground_strong="#1d2433",
    foreground_subtle="#5b6475",
    colors=("#0f766e", "#b45309", "#6d28d9", "#be123c"),
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=14,
    title_font_size=16,
)

#: Dark mode for charts shown with ``<img>``: an SVG image follows the page's colour scheme through its own
#: media query (it cannot read the page's CSS tokens), so the dark values of app.css's tokens are repeated
#: here; ``!important`` beats pygal's per-chart rules.
DARK_SURFACE = "#161c24"
DARK_CSS = (
    "@media (prefers-color-scheme: dark) {"
    f".pygal-chart {{ background-color: {DARK_SURFACE} !important; }}"
    f".pygal-chart .background {{ fill: {DARK_SURFACE} !important; }}"
    ".pygal-chart .graph, .pygal-chart text, .pygal-chart .title, .pygal-chart .legends .legend text,"
    " .pygal-chart .axis text, .pygal-chart .axis text.major { fill: #e7eaf0 !important; }"
    ".pygal-chart .subtle { fill: #a1aaba !important; }"
    ".pygal-chart .axis .line, .pygal-chart .axis .major.line { stroke: #a1aaba !important; }"
    ".pygal-chart .axis .guide.line { stroke: #3a4352 !important; }"
    + "".join(
        f".pygal-chart .color-{i}, .pygal-chart .color-{i} a:visited {{ stroke: {c} !important; fill: {c} !important; }}"
        for i, c in enumerate(("#2dd4bf", "#fbbf24", "#a78bfa", "#fb7185"))
    )
    + ".pygal-chart .nofill { fill: none !important; }"
    "}"
)

COMMON = {
    "js": [],
    "css": ("file://style.css", "file://graph.css", "inline:" + DARK_CSS),
    "style": STYLE,
    "width": 800,
    "height": 340,
    "explicit_size": False,
    "legend_at_bottom": True,
    "legend_at_bottom_columns": 3,
    "print_values": False,
    "disable_xml_declaration": True,
    "margin": 16,
    "margin_bottom": 36,  # room for the legend under the plot
}


NO_ACTIVITY = "No shares or clicks in this period yet."


def empty_chart(title: str, message: str) -> bytes:
    """The empty state: the chart's title and why there is nothing to draw, in the charts' size and style.
    (pygal cannot draw some charts without a series at all: a Line with y_labels raises AttributeError.)"""
    width, height = COMMON["width"], COMMON["height"]
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}: {escape(message)}" class="pygal-chart empty-chart">'
        f"<style>{DARK_CSS}</style>"
        f'<rect class="background" width="100%" height="100%" fill="{STYLE.background}"/>'
        f'<text x="{width // 2}" y="40" text-anchor="middle" font-family="{escape(STYLE.font_family)}" '
        f'font-size="{STYLE.title_font_size}" fill="{STYLE.foreground_strong}">{escape(title)}</text>'
        f'<text class="subtle" x="{width // 2}" y="{height // 2}" text-anchor="middle" '
        f'font-family="{escape(STYLE.font_family)}" '
        f'font-size="{STYLE.legend_font_size}" fill="{STYLE.foreground_subtle}">{escape(message)}</text>'
        "</svg>"
    )
    return svg.encode("utf-8")


def _has_data(chart: pygal.graph.graph.Graph) -> bool:
    for values, _config in chart.raw_series:
        for value in values:
            number = value.get("value") if isinstance(value, dict) else value
            if number:
                return True
    return False


def _render(chart: pygal.graph.graph.Graph, *, empty: str) -> bytes:
    """The chart as SVG without scripts; with no series or only zeros, the empty state saying ``empty``."""
    if not _has_data(chart):
        return empty_chart(str(chart.title or ""), empty)
    svg = chart.render()
    data = svg.encode("utf-8") if isinstance(svg, str) else bytes(svg)
    return _SCRIPT.sub(b"", data)


def activity_chart(points: Sequence[DayPoint], title: str) -> bytes:
    chart = pygal.Line(
        **COMMON,
        show_dots=len(points) <= 31,
        dots_size=2.5,
        fill=False,
        x_label_rotation=0,
        show_minor_x_labels=False,
        x_labels_major_every=max(1, len(points) // 6),
        truncate_label=-1,
        min_scale=2,
        show_y_guides=True,
    )
    chart.title = title
    chart.x_labels = [p.day.strftime("%d %b") for p in points]
    chart.add("Human clicks", [p.clicks for p in points])
    chart.add("Shares", [p.shares for p in points])
    return _render(chart, empty=NO_ACTIVITY)


def breakdown_chart(rows: Sequence[BreakdownRow], title: str, limit: int = 12) -> bytes:
    chart = pygal.HorizontalBar(**COMMON, truncate_label=24, show_legend=True)
    chart.title = title
    shown = list(rows[:limit])[::-1]
    chart.x_labels = [r.label for r in shown]
    chart.add("Human clicks", [r.clicks for r in shown])
    chart.add("Shares", [r.shares for r in shown])
    return _render(chart, empty=NO_ACTIVITY)
