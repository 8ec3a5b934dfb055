"""RSS and Atom feeds, parsed with feedparser.

Cursor: the ids of the entries read recently (``seen``) and the newest publication time read (``newest``).
A feed shows its last few dozen entries whatever was read before, so an entry is new when its id was not
seen; entries older than the newest read minus ``LATE_DAYS`` and not remembered are taken as already read
(they dropped out of ``seen`` long ago).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from typing import Any

import feedparser
from pydantic import BaseModel, ConfigDict, HttpUrl

from groundswell.listening import http
from groundswell.listening.sources._common import from_iso, host_of, validate
from groundswell.listening.sources.base import Credential, FetchedPost, FetchResult, Problem, SourceError
from groundswell.listening.text import html_to_text

SEEN_ENTRIES = 1000
LATE_DAYS = 30


class RssConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: HttpUrl


def _published(entry: Any) -> dt.datetime:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            return dt.datetime.fromtimestamp(time.mktime(value) - time.timezone, tz=dt.UTC)
    return dt.datetime.now(dt.UTC)


def _entry_id(entry: Any) -> str:
    value = entry.get("id") or entry.get("link")
    if value:
        return str(value)[:300]
    return "sha256:" + hashlib.sha256((entry.get("title", "") + entry.get("summary", "")).encode()).hexdigest()


def parse_feed(body: bytes) -> list[FetchedPost]:
    """The entries of a feed document; ``SourceError`` when it is not a feed at all."""
    parsed = feedparser.parse(body)
    if parsed.get("bozo") and not parsed.entries:
        raise SourceError(
            f"The address does not return an RSS or Atom feed ({parsed.get('bozo_exception')}).",
            problem=Problem.BAD_ANSWER,
        )
    posts = []
    for entry in parsed.entries:
        title = html_to_text(entry.get("title", ""))
        summary = html_to_text(entry.get("summary", ""))
        text = f"{title} — {summary}" if title and summary and not summary.startswith(title) else title or summary
        if not text:
            continue
        link = str(entry.get("link", ""))[:2000]
        posts.append(
            FetchedPost(
                external_id=_entry_id(entry),
                text=text,
                published_at=_published(entry),
                url=link,
                author=str(entry.get("author", ""))[:200],
                site=host_of(link),
                lang=str(entry.get("language", "") or parsed.feed.get("language", ""))[:8],
            )
        )
    return posts


class RssPlugin:
    kind: str = "rss"

    def validate_config(self, config: dict[str, Any]) -> dict[str, Any]:
        return {"url": str(validate(RssConfig, config).url)}

    def credential_network(self, config: dict[str, Any]) -> str | None:
        return None

    def fetch(
        self, config: dict[str, Any], cursor: dict[str, Any], *, limit: int, credential: Credential | None = None
    ) -> FetchResult:
        cfg = validate(RssConfig, config)
        posts = parse_feed(http.get(str(cfg.url), content_types=http.FEED_TYPES))
        seen = list(cursor.get("seen", []))
        seen_set = set(seen)
        newest = from_iso(cursor.get("newest"))
        floor = newest - dt.timedelta(days=LATE_DAYS) if newest else None
        fresh = sorted(
            (p for p in posts if p.external_id not in seen_set and (floor is None or p.published_at >= floor)),
            key=lambda p: (p.published_at, p.external_id),
        )
        taken = fresh[:limit]
        if not taken:
            return FetchResult([], dict(cursor))
        newest_taken = max(p.published_at for p in taken)
        new_newest = max(newest_taken, newest) if newest else newest_taken
        return FetchResult(
            taken,
            {"seen": [*seen, *(p.external_id for p in taken)][-SEEN_ENTRIES:], "newest": new_newest.isoformat()},
            more=len(fresh) > limit,
        )
