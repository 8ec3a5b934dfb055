"""Read queries of the listening pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from groundswell.listening.matcher import compile_query, prepare
from groundswell.listening.matching import match_post_for
from groundswell.listening.models import Mention, Post, Source
from groundswell.listening.query import parse
from groundswell.workspaces.models import Workspace

TEST_SAMPLE = 500
TEST_SHOWN = 10


@dataclass(frozen=True)
class QueryTest:
    sample: int
    matched: int
    examples: list[Post]


def test_query(workspace: Workspace, query: str) -> QueryTest:
    """Run ``query`` over the workspace's last ``TEST_SAMPLE`` stored posts (``QueryError`` if it does not parse)."""
    check = compile_query(parse(query))
    posts = list(
        Post.objects.filter(workspace=workspace)
        .select_related("source")
        .order_by("-published_at")
        .only("text", "lang", "author", "site", "url", "published_at", "source__kind", "source__name")[:TEST_SAMPLE]
    )
    hits = [p for p in posts if check(prepare(match_post_for(p)))]
    return QueryTest(len(posts), len(hits), hits[:TEST_SHOWN])


def mentions(
    workspace: Workspace, *, topic_id: int | None, sentiment: str, intent: str, source_id: int | None
) -> QuerySet[Mention]:
    qs = Mention.objects.filter(workspace=workspace).select_related("topic", "post", "post__source")
    if topic_id:
        qs = qs.filter(topic_id=topic_id)
    if sentiment:
        qs = qs.filter(sentiment=sentiment)
    if intent:
        qs = qs.filter(intent=intent)
    if source_id:
        qs = qs.filter(post__source_id=source_id)
    return qs.order_by("-post__published_at", "-pk")


def mentioned_posts(
    workspace: Workspace, *, topic_id: int | None, sentiment: str, intent: str, source_id: int | None
) -> tuple[QuerySet[Post], QuerySet[Mention]]:
    """The posts with a mention matching the filters, newest first, each once (``post.matched``: its matching
    mentions, by topic name), and those mentions: a post about two topics is one post and two mentions."""
    matching = mentions(workspace, topic_id=topic_id, sentiment=sentiment, intent=intent, source_id=source_id)
    posts = (
        Post.objects.filter(workspace=workspace, pk__in=matching.values("post_id"))
        .select_related("source")
        .prefetch_related(
            Prefetch(
                "mentions",
                queryset=Mention.objects.filter(pk__in=matching.values("pk"))
                .select_related("topic")
                .order_by("topic__name"),
                to_attr="matched",
            )
        )
        .order_by("-published_at", "-pk")
    )
    return posts, matching


def health(source: Source) -> str:
    """``ok``, ``failing``, ``paused``, ``waiting`` (never polled) or ``manual`` (CSV imports)."""
    if source.kind == "csv":
        return "manual"
    if not source.is_active:
        return "paused"
    if source.last_error_at and (not source.last_success_at or source.last_error_at > source.last_success_at):
        return "failing"
    if source.last_success_at is None:
        return "waiting"
    return "ok"
