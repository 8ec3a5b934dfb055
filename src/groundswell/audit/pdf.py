"""The report as a PDF for leadership (reportlab): a title page, the summary, charts drawn natively, tables,
page numbers. The charts are reportlab drawings, not converted SVG: vector output with no extra library."""

from __future__ import annotations

import io
import math
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.fonts import addMapping
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from groundswell.audit.report import Report, change_percent

PALETTE = [colors.HexColor(c) for c in ("#0f766e", "#b45309", "#6d28d9", "#be123c", "#0369a1", "#4d7c0f")]
SENTIMENT = [colors.HexColor(c) for c in ("#15803d", "#94a3b8", "#b91c1c")]
INK = colors.HexColor("#1d2433")
MUTED = colors.HexColor("#5b6475")
WIDTH = A4[0] - 40 * mm


def _register_fonts(regular: str, bold: str) -> tuple[str, str]:
    """Embed a TrueType family with wide coverage (names in Polish, Turkish, Greek, Cyrillic … print as
    written) when its files exist: ``AUDIT_PDF_FONT`` / ``AUDIT_PDF_FONT_BOLD``, by default Debian's DejaVu
    Sans (package fonts-dejavu-core). Otherwise the PDF's built-in Helvetica, which covers Western European
    text only: the report still renders, with other characters missing."""
    try:
        pdfmetrics.registerFont(TTFont("GSSans", regular))
        pdfmetrics.registerFont(TTFont("GSSans-Bold", bold))
    except (OSError, TTFError):
        return "Helvetica", "Helvetica-Bold"
    addMapping("GSSans", 0, 0, "GSSans")
    addMapping("GSSans", 1, 0, "GSSans-Bold")
    addMapping("GSSans", 0, 1, "GSSans")
    addMapping("GSSans", 1, 1, "GSSans-Bold")
    return "GSSans", "GSSans-Bold"


FONT, FONT_BOLD = _register_fonts(settings.AUDIT_PDF_FONT, settings.AUDIT_PDF_FONT_BOLD)

_styles = getSampleStyleSheet()
TITLE = ParagraphStyle(
    "AuditTitle", parent=_styles["Title"], fontName=FONT_BOLD, fontSize=28, leading=34, textColor=INK, spaceAfter=12
)
SUBTITLE = ParagraphStyle(
    "AuditSub", parent=_styles["Normal"], fontName=FONT, fontSize=14, leading=20, textColor=MUTED, alignment=1
)
H2 = ParagraphStyle("AuditH2", parent=_styles["Heading2"], fontName=FONT_BOLD, textColor=INK, spaceBefore=10)
BODY = ParagraphStyle("AuditBody", parent=_styles["BodyText"], fontName=FONT, fontSize=10.5, leading=15, textColor=INK)
SMALL = ParagraphStyle("AuditSmall", parent=BODY, fontSize=8.5, leading=11)
COLOPHON = ParagraphStyle("AuditColophon", parent=SMALL, alignment=1, textColor=MUTED)


def _p(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(escape(text), style)


def _change(now: int, before: int) -> str:
    change = change_percent(now, before)
    return "\N{EN DASH}" if change is None else f"{change:+d}%"


def _table(header: list[str], rows: list[list[Any]], widths: list[float], numeric_from: int = 1) -> Table:
    table = Table([header, *rows], colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), FONT_BOLD, 9),
                ("FONT", (0, 1), (-1, -1), FONT, 9),
                ("TEXTCOLOR", (0, 0), (-1, -1), INK),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#d5d9e0")),
                ("ALIGN", (numeric_from, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _legend(drawing: Drawing, names: list[str], palette: list[Any], y: float, per_column: int = 2) -> None:
    legend = Legend()
    legend.x, legend.y = 10, y
    legend.fontName, legend.fontSize = FONT, 8
    legend.alignment = "right"
    legend.columnMaximum = per_column
    legend.deltax = 120
    legend.colorNamePairs = [(palette[i % len(palette)], name[:28]) for i, name in enumerate(names)]
    drawing.add(legend)


def volume_drawing(report: Report) -> Drawing:
    rows = report.counts.series()
    topics = report.counts.topics
    drawing = Drawing(WIDTH, 230)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 30, 60, WIDTH - 40, 150
    chart.data = [[values[i] for _, values in rows] for i in range(len(topics))] or [[0]]
    chart.categoryAxis.categoryNames = [day.strftime("%d %b") for day, _ in rows]
    step = max(1, len(rows) // 6)
    chart.categoryAxis.labels.fontName, chart.categoryAxis.labels.fontSize = FONT, 7
    chart.categoryAxis.labels.fillColor = MUTED
    chart.categoryAxis.tickShift = 0
    chart.categoryAxis.categoryNames = [
        n if i % step == 0 else "" for i, n in enumerate(chart.categoryAxis.categoryNames)
    ]
    peak = max((max(values) for _, values in rows if values), default=0)
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(peak, 2)
    chart.valueAxis.valueStep = max(1, math.ceil(max(peak, 2) / 5))  # whole mentions only
    chart.valueAxis.labels.fontName, chart.valueAxis.labels.fontSize = FONT, 7
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#e5e7eb")
    for i in range(len(topics)):
        chart.lines[i].strokeColor = PALETTE[i % len(PALETTE)]
        chart.lines[i].strokeWidth = 1.6
    drawing.add(chart)
    _legend(drawing, [t.topic.name for t in topics], PALETTE, 30)
    return drawing


def share_drawing(report: Report) -> Drawing:
    shares = report.counts.share_of_voice
    drawing = Drawing(WIDTH, 200)
    pie = Pie()
    pie.x, pie.y, pie.width, pie.height = 20, 15, 170, 170
    pie.data = [max(s.posts, 0) for s in shares]
    pie.labels = [f"{s.percent}%" for s in shares]
    pie.simpleLabels = True
    pie.slices.fontSize = 9
    pie.slices.strokeColor = colors.white
    for i in range(len(shares)):
        pie.slices[i].fillColor = PALETTE[i % len(PALETTE)]
    drawing.add(pie)
    legend = Legend()
    legend.x, legend.y = 240, 150
    legend.fontName, legend.fontSize = FONT, 10
    legend.alignment = "right"
    legend.colorNamePairs = [
        (PALETTE[i % len(PALETTE)], f"{s.name[:30]}: {s.percent}% ({s.posts:,})") for i, s in enumerate(shares)
    ]
    drawing.add(legend)
    return drawing


def sentiment_drawing(report: Report) -> Drawing:
    topics = report.counts.topics
    drawing = Drawing(WIDTH, 220)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 30, 50, WIDTH - 40, 150
    splits = [t.sentiment_percent for t in topics]
    chart.data = [[s[k] for s in splits] for k in range(3)]
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.categoryNames = [t.topic.name[:18] for t in topics]
    chart.categoryAxis.labels.fontName, chart.categoryAxis.labels.fontSize = FONT, 8
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 25
    chart.valueAxis.labels.fontName, chart.valueAxis.labels.fontSize = FONT, 7
    chart.barWidth = 12
    for k in range(3):
        chart.bars[k].fillColor = SENTIMENT[k]
        chart.bars[k].strokeColor = None
    drawing.add(chart)
    _legend(drawing, ["Positive", "Neutral", "Negative"], SENTIMENT, 20, per_column=1)
    return drawing


def _page_number(canvas: Canvas, doc: SimpleDocTemplate) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 8)
    canvas.setFillColor(MUTED)
    canvas.drawRightString(A4[0] - 20 * mm, 12 * mm, f"Page {doc.page}")
    canvas.drawString(20 * mm, 12 * mm, doc.title)
    canvas.restoreState()


def render_pdf(report: Report) -> bytes:
    """The whole report as PDF bytes."""
    workspace = report.workspace
    period = report.period
    counts = report.counts
    buffer = io.BytesIO()
    title = f"Chatter audit: {workspace.name}, {period.label}"
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=22 * mm,
        title=title,
        author="Groundswell",
        subject="Social conversations about the brand, its competitors and the category",
        invariant=True,  # the same report gives the same bytes (no creation time or random document id)
    )
    story: list[Any] = [
        Spacer(1, 60 * mm),
        _p("Chatter audit", TITLE),
        _p(workspace.name, SUBTITLE),
        _p(f"{period.label} (compared with {period.previous.label})", SUBTITLE),
        Spacer(1, 20 * mm),
        _p(f"Made with Groundswell on {timezone.now().strftime('%d %B %Y')}. Public posts only.", COLOPHON),
        PageBreak(),
        _p("Summary", H2),
    ]
    story += [_p(line) for line in report.summary] or [_p("There are no topics to report on yet.")]
    if counts.totals:
        story += [
            _p("Headline numbers", H2),
            _table(
                ["", period.label, period.previous.label, "Change"],
                [[t.label, f"{t.posts:,}", f"{t.previous:,}", _change(t.posts, t.previous)] for t in counts.totals],
                [WIDTH * 0.4, WIDTH * 0.2, WIDTH * 0.2, WIDTH * 0.2],
            ),
        ]
    if report.has_mentions:
        story += [
            KeepTogether([_p("Volume over time", H2), volume_drawing(report)]),
            _table(
                ["Topic", "Kind", "Mentions", "Before", "Change"],
                [
                    [
                        t.topic.name,
                        t.topic.get_kind_display(),
                        f"{t.posts:,}",
                        f"{t.previous:,}",
                        _change(t.posts, t.previous),
                    ]
                    for t in counts.topics
                ],
                [WIDTH * 0.34, WIDTH * 0.18, WIDTH * 0.16, WIDTH * 0.16, WIDTH * 0.16],
                numeric_from=2,
            ),
        ]
        if counts.share_of_voice:
            story += [
                KeepTogether([_p("Share of voice", H2), share_drawing(report)]),
            ]
        story += [
            KeepTogether([_p("Sentiment", H2), sentiment_drawing(report)]),
            _table(
                ["Topic", "Positive", "Neutral", "Negative"],
                [[t.topic.name, *(f"{p}%" for p in t.sentiment_percent)] for t in counts.topics],
                [WIDTH * 0.4, WIDTH * 0.2, WIDTH * 0.2, WIDTH * 0.2],
            ),
        ]
        if report.top_posts:
            story += [
                _p("Top posts", H2),
                _table(
                    ["Post", "Author", "Engagement"],
                    [
                        [
                            Paragraph(escape(tp.post.text[:280]), SMALL),
                            _p(tp.post.author or "\N{EN DASH}", SMALL),
                            f"{tp.engagement:,}",
                        ]
                        for tp in report.top_posts
                    ],
                    [WIDTH * 0.62, WIDTH * 0.22, WIDTH * 0.16],
                    numeric_from=2,
                ),
            ]
        if report.top_authors:
            story += [
                _p("Top authors", H2),
                _table(
                    ["Public account", "Posts"],
                    [[a.author, f"{a.posts:,}"] for a in report.top_authors],
                    [WIDTH * 0.7, WIDTH * 0.3],
                ),
            ]
        if report.themes:
            basis = f"compared with {period.previous.label}" if report.themes_compared else "most frequent"
            story += [
                _p(f"Recurring themes ({basis})", H2),
                _table(
                    ["Term", "Posts", "Before"],
                    [[t.term, f"{t.posts:,}", f"{t.previous:,}"] for t in report.themes],
                    [WIDTH * 0.6, WIDTH * 0.2, WIDTH * 0.2],
                ),
            ]
    else:
        story.append(_p(f"No mentions in {period.label}. A longer period (a month or a quarter) may show more."))
    doc.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
    return buffer.getvalue()


def pdf_filename(report: Report) -> str:
    cur = report.period.current
    return f"chatter-audit-{report.workspace.slug}-{cur.start.isoformat()}-{cur.end.isoformat()}.pdf"
