"""Listening rows made directly (the ingest pipeline is another engineer's): a post, its mentions, the rollups."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools

from django.db.models import F

from groundswell.listening.models import Mention, Post, Source, SourceKind, Topic, TopicDay, TopicKind
from groundswell.workspaces.models import Workspace

_ids = itertools.count(1)


def topics(ws: Workspace) -> dict[str, Topic]:
    """Northwind (our brand), Contoso and Fabrikam (competitors), Outdoor gear (category)."""
    return {
        name: Topic.objects.create(workspace=ws, name=name, kind=kind, query=name.lower())
        for name, kind in (
            ("Northwind", TopicKind.BRAND),
            ("Contoso", TopicKind.COMPETITOR),
            ("Fabrikam", TopicKind.COMPETITOR),
            ("Outdoor gear", TopicKind.CATEGORY),
        )
    }


def source(ws: Workspace) -> Source:
    return Source.objects.create(workspace=ws, kind=SourceKind.RSS, name="Feed", config={})


def hear(
    src: Source,
    topic: Topic,
    day: dt.date,
    text: str,
    *,
    author: str = "someone",
    likes: int = 0,
    reposts: int = 0,
    sentiment: str = "neutral",
    lang: str = "en",
    duplicate_of: Post | None = None,
    also: tuple[Topic, ...] = (),
) -> Post:
    n = next(_ids)
    post = Post.objects.create(
        workspace=src.workspace,
        source=src,
        external_id=f"post-{n}",
        url=f"https://social.example/p/{n}",
        author=author,
        author_url=f"https://social.example/@{author}",
        text=text,
        lang=lang,
        published_at=dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC),
        metrics={"likes": likes, "reposts": reposts},
        content_hash=hashlib.sha256(text.lower().encode()).hexdigest(),
        duplicate_of=duplicate_of,
        sentiment=sentiment,
    )
    for t in (topic, *also):
        Mention.objects.create(
            workspace=src.workspace, post=post, topic=t, day=day, sentiment=sentiment, intent="other"
        )
        row, _ = TopicDay.objects.get_or_create(workspace=src.workspace, topic=t, day=day)
        changes: dict[str, F] = {"engagement": F("engagement") + likes + reposts}
        if duplicate_of is not None:
            changes["duplicates"] = F("duplicates") + 1
        else:
            changes["posts"] = F("posts") + 1
            changes[sentiment] = F(sentiment) + 1
        TopicDay.objects.filter(pk=row.pk).update(**changes)
    return post
