"""The chatter audit for a period: read queries only.

Counts come from the ``TopicDay`` rollups (a fixed number of queries whatever the number of posts); the
top posts, top authors and the texts for the themes come from posts and mentions, always with a LIMIT.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import BigIntegerField, Count, Exists, F, Max, OuterRef, QuerySet, Sum, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce

from groundswell.audit.periods import AuditPeriod, Span
from groundswell.audit.themes import Theme, recurring_themes
from groundswell.listening.models import Mention, Post, Topic, TopicDay, TopicKind
from groundswell.workspaces.models import Workspace

TOP_POSTS = 10
TOP_AUTHORS = 10
THEME_SAMPLE = 2000  # newest posts of each period read for the themes
ENGAGEMENT_KEYS = ("likes", "reposts", "replies")


def change_percent(now: int, before: int) -> int | None:
    """Rounded change from ``before`` to ``now`` in percent (None: nothing to compare with)."""
    if before == 0:
        return None
    return round((now - before) * 100 / before)


def percentages(values: list[int]) -> list[int]:
    """Whole percentages of ``values`` that add up to exactly 100 (largest remainder), or all 0."""
    total = sum(values)
    if total == 0:
        return [0 for _ in values]
    exact = [v * 100 / total for v in values]
    floors = [int(x) for x in exact]
    by_remainder = sorted(range(len(values)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in by_remainder[: 100 - sum(floors)]:
        floors[i] += 1
    return floors


@dataclass
class TopicFigures:
    topic: Topic
    posts: int = 0
    previous: int = 0
    duplicates: int = 0
    positive: int = 0
    neutral: int = 0
    negative: int = 0
    engagement: int = 0
    daily: dict[dt.date, int] = field(default_factory=dict)

    @property
    def change(self) -> int | None:
        return change_percent(self.posts, self.previous)

    @property
    def sentiment_percent(self) -> list[int]:
        """Positive, neutral, negative in whole percent (adding up to 100)."""
        return percentages([self.positive, self.neutral, self.negative])


@dataclass(frozen=True)
class KindTotal:
    kind: str
    label: str
    names: list[str]
    posts: int
    previous: int

    @property
    def change(self) -> int | None:
        return change_percent(self.posts, self.previous)


@dataclass(frozen=True)
class VoiceShare:
    name: str
    kind: str
    posts: int
    percent: int


@dataclass(frozen=True)
class Counts:
    """Everything the rollups give: per-topic figures for the period and the previous one."""

    period: AuditPeriod
    topics: list[TopicFigures]

    def of_kind(self, kind: str) -> list[TopicFigures]:
        return [t for t in self.topics if t.topic.kind == kind]

    @property
    def totals(self) -> list[KindTotal]:
        out = []
        for kind, label in TopicKind.choices:
            rows = self.of_kind(kind)
            if rows:
                out.append(
                    KindTotal(
                        kind,
                        str(label),
                        [t.topic.name for t in rows],
                        sum(t.posts for t in rows),
                        sum(t.previous for t in rows),
                    )
                )
        return out

    @property
    def share_of_voice(self) -> list[VoiceShare]:
        """The brand's topics against each competitor, as shares of their mentions together (sums to 100)."""
        rows = self.of_kind(TopicKind.BRAND) + self.of_kind(TopicKind.COMPETITOR)
        if not self.of_kind(TopicKind.BRAND) or not self.of_kind(TopicKind.COMPETITOR):
            return []
        shares = percentages([t.posts for t in rows])
        return [VoiceShare(t.topic.name, t.topic.kind, t.posts, p) for t, p in zip(rows, shares, strict=True)]

    @property
    def total_posts(self) -> int:
        return sum(t.posts for t in self.topics)

    def series(self) -> list[tuple[dt.date, list[int]]]:
        """One row per day of the period: the day and each topic's mentions (in ``topics`` order)."""
        return [(day, [t.daily.get(day, 0) for t in self.topics]) for day in self.period.current.days]


@dataclass(frozen=True)
class TopPost:
    post: Post
    engagement: int
    topics: list[str]


@dataclass(frozen=True)
class TopAuthor:
    author: str
    url: str
    posts: int


@dataclass
class Report:
    workspace: Workspace
    counts: Counts
    top_posts: list[TopPost]
    top_authors: list[TopAuthor]
    themes: list[Theme]
    themes_compared: bool  # False: no posts in the previous period, themes are the most frequent terms
    summary: list[str] = field(default_factory=list)

    @property
    def period(self) -> AuditPeriod:
        return self.counts.period

    @property
    def has_mentions(self) -> bool:
        return self.counts.total_posts > 0


# --- Queries -------------------------------------------------------------------------------------


def active_topics(workspace: Workspace) -> list[Topic]:
    return list(Topic.objects.filter(workspace=workspace, is_active=True).order_by("kind", "name"))


def report_counts(workspace: Workspace, period: AuditPeriod, topics: list[Topic] | None = None) -> Counts:
    """Per-topic figures from the rollups: two queries (plus one for the topics when not given)."""
    topics = active_topics(workspace) if topics is None else topics
    figures = {t.pk: TopicFigures(topic=t) for t in topics}
    cur, prev = period.current, period.previous
    days = TopicDay.objects.filter(workspace=workspace, topic_id__in=figures, day__range=(cur.start, cur.end))
    for row in days.values_list(
        "topic_id", "day", "posts", "duplicates", "positive", "neutral", "negative", "engagement"
    ):
        topic_id, day, posts, dups, pos, neu, neg, eng = row
        f = figures[topic_id]
        f.daily[day] = f.daily.get(day, 0) + posts
        f.posts += posts
        f.duplicates += dups
        f.positive += pos
        f.neutral += neu
        f.negative += neg
        f.engagement += eng
    before = (
        TopicDay.objects.filter(workspace=workspace, topic_id__in=figures, day__range=(prev.start, prev.end))
        .values("topic_id")
        .annotate(n=Sum("posts"))
    )
    for agg in before:
        figures[agg["topic_id"]].previous = agg["n"] or 0
    return Counts(period=period, topics=list(figures.values()))


def _mentioned_in(workspace: Workspace, span: Span) -> Exists:
    return Exists(Mention.objects.filter(workspace=workspace, post=OuterRef("pk"), day__range=(span.start, span.end)))


def _originals(workspace: Workspace, span: Span) -> QuerySet[Post]:
    """The period's posts that matched a topic, without near-duplicates (reposts of the same text)."""
    return Post.objects.filter(workspace=workspace, duplicate_of__isnull=True).filter(_mentioned_in(workspace, span))


def _metric(key: str) -> Coalesce:
    return Coalesce(Cast(KT(f"metrics__{key}"), output_field=BigIntegerField()), Value(0))


def top_posts(workspace: Workspace, span: Span, topics: list[Topic], limit: int = TOP_POSTS) -> list[TopPost]:
    """The most engaging posts (likes + reposts + replies), one per text: two queries."""
    engagement = _metric(ENGAGEMENT_KEYS[0]) + _metric(ENGAGEMENT_KEYS[1]) + _metric(ENGAGEMENT_KEYS[2])
    rows = list(
        _originals(workspace, span)
        .annotate(eng=engagement)
        .select_related(None)
        .order_by("-eng", "-published_at", "pk")[: limit * 3]
    )
    seen: set[str] = set()
    picked = []
    for post in rows:
        key = post.content_hash or f"#{post.pk}"
        if key in seen:
            continue
        seen.add(key)
        picked.append(post)
        if len(picked) == limit:
            break
    names = {t.pk: t.name for t in topics}
    by_post: dict[int, list[str]] = defaultdict(list)
    for post_id, topic_id in Mention.objects.filter(post__in=[p.pk for p in picked]).values_list("post_id", "topic_id"):
        if topic_id in names:
            by_post[post_id].append(names[topic_id])
    return [TopPost(p, int(p.eng), sorted(by_post[p.pk])) for p in picked]


def top_authors(workspace: Workspace, span: Span, limit: int = TOP_AUTHORS) -> list[TopAuthor]:
    """Public accounts that posted most about the topics in the period (distinct posts, duplicates left out)."""
    rows = (
        Mention.objects.filter(workspace=workspace, day__range=(span.start, span.end), post__duplicate_of__isnull=True)
        .exclude(post__author="")
        .values(author=F("post__author"))
        .annotate(posts=Count("post_id", distinct=True), url=Max("post__author_url"))
        .order_by("-posts", "author")[:limit]
    )
    return [TopAuthor(r["author"], r["url"] or "", r["posts"]) for r in rows]


def _texts(workspace: Workspace, span: Span) -> list[tuple[str, str]]:
    return list(_originals(workspace, span).order_by("-published_at").values_list("text", "lang")[:THEME_SAMPLE])


def build_report(workspace: Workspace, period: AuditPeriod) -> Report:
    topics = active_topics(workspace)
    counts = report_counts(workspace, period, topics)
    if counts.total_posts == 0:
        report = Report(workspace, counts, [], [], [], False)
    else:
        themes, compared = recurring_themes(
            _texts(workspace, period.current),
            _texts(workspace, period.previous),
            exclude=[t.name for t in topics],
        )
        report = Report(
            workspace,
            counts,
            top_posts(workspace, period.current, topics),
            top_authors(workspace, period.current),
            themes,
            compared,
        )
    report.summary = summarise(report)
    return report


# --- The plain-language summary -----------------------------------------------------------------


def _names(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _times(n: int) -> str:
    return "once" if n == 1 else f"{n:,} times"


def _versus(change: int | None, previous_label: str) -> str:
    if change is None:
        return f"with no mentions in {previous_label} to compare with"
    if change == 0:
        return f"as often as in {previous_label}"
    return f"{abs(change)}% {'more' if change > 0 else 'fewer'} than in {previous_label}"


def summarise(report: Report) -> list[str]:
    counts = report.counts
    period = report.period
    label, previous = period.current.label, period.previous.label
    if not counts.topics:
        return []
    if not report.has_mentions:
        return [f"Nobody mentioned the topics you listen to in {label}."]
    out = []
    by_kind = {t.kind: t for t in counts.totals}
    brand = by_kind.get(TopicKind.BRAND)
    if brand is not None:
        out.append(
            f"People mentioned {_names(brand.names)} {_times(brand.posts)} in {label}, "
            f"{_versus(brand.change, previous)}."
        )
    shares = counts.share_of_voice
    if shares:
        mine = [s for s in shares if s.kind == TopicKind.BRAND]
        rivals = [s for s in shares if s.kind == TopicKind.COMPETITOR]
        competitors = "its competitor" if len(rivals) == 1 else f"its {len(rivals)} competitors"
        out.append(
            f"{_names([s.name for s in mine])} had {sum(s.percent for s in mine)}% of the conversation against "
            f"{competitors} ({', '.join(f'{s.name} {s.percent}%' for s in rivals)})."
        )
    for kind in (TopicKind.COMPETITOR, TopicKind.CATEGORY):
        total = by_kind.get(kind)
        if total is not None and brand is None:
            out.append(f"{_names(total.names)} came up {_times(total.posts)}, {_versus(total.change, previous)}.")
        elif total is not None and kind == TopicKind.CATEGORY:
            out.append(f"The category ({_names(total.names)}) came up {_times(total.posts)}.")
    brand_rows = counts.of_kind(TopicKind.BRAND)
    if brand_rows and sum(t.posts for t in brand_rows):
        pos, _, neg = percentages(
            [
                sum(t.positive for t in brand_rows),
                sum(t.neutral for t in brand_rows),
                sum(t.negative for t in brand_rows),
            ]
        )
        out.append(
            f"{pos}% of the posts about {_names([t.topic.name for t in brand_rows])} were positive, {neg}% negative."
        )
    if report.themes:
        out.append(f"Recurring themes: {_names([f'“{t.term}”' for t in report.themes[:3]])}.")
    return out
