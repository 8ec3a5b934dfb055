"""The ``Matcher`` of a workspace's active topics, cached per process and rebuilt when the topics change.

Whether the topics changed is asked of the database on every call (one small query over the workspace's
active topic ids and queries), so an edit in the web process is picked up by every worker on its next batch.
Key statistics are learnt from the workspace's most recent stored posts when the matcher is rebuilt.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from groundswell.listening.matcher import KeyStats, Matcher
from groundswell.listening.matcher import Post as MatchPost
from groundswell.listening.models import Post, Topic
from groundswell.listening.query import QueryError

STATS_SAMPLE = 500


@dataclass(frozen=True)
class WorkspaceMatcher:
    signature: tuple[tuple[int, str], ...]
    matcher: Matcher


_cache: dict[int, WorkspaceMatcher] = {}
_lock = threading.Lock()


def match_post_for(post: Post) -> MatchPost:
    return MatchPost(text=post.text, lang=post.lang, author=post.author, site=post.site, source=post.source.kind)


def matcher_for(workspace_id: int) -> Matcher:
    signature = tuple(
        Topic.objects.filter(workspace_id=workspace_id, is_active=True).order_by("pk").values_list("pk", "query")
    )
    cached = _cache.get(workspace_id)
    if cached is not None and cached.signature == signature:
        return cached.matcher
    stats = KeyStats()
    recent = Post.objects.filter(workspace_id=workspace_id).select_related("source").order_by("-published_at")
    for post in recent.only("text", "lang", "author", "site", "source__kind")[:STATS_SAMPLE]:
        stats.observe(match_post_for(post))
    matcher = Matcher(stats)
    for topic_id, query in signature:
        try:
            matcher.add(topic_id, query)
        except QueryError:  # saved before a parser change: it matches nothing until it is fixed
            continue
    with _lock:
        _cache[workspace_id] = WorkspaceMatcher(signature, matcher)
    return matcher


def forget(workspace_id: int | None = None) -> None:
    """Drop cached matchers (tests)."""
    with _lock:
        if workspace_id is None:
            _cache.clear()
        else:
            _cache.pop(workspace_id, None)
