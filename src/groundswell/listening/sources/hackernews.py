"""Hacker News stories and comments that contain some words, from the Algolia search API.

Cursor: ``{"t": created_at_i of the newest item read, "seen": [its objectIDs]}``. The API answers newest
first, so when more than a page is new the plug-in reads the *last* page (the oldest new items) first and
says ``more``: the next poll continues from there and nothing is skipped.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from groundswell.listening import http
from groundswell.listening.sources._common import after_time_cursor, from_timestamp, host_of, validate
from groundswell.listening.sources.base import Credential, FetchedPost, FetchResult, Problem, SourceError
from groundswell.listening.text import html_to_text

SEARCH_URL = "https://hn.algolia.com/api/v1/search_by_date"
ITEM_URL = "https://news.ycombinator.com/item?id="
PAGE = 100
MAX_PAGE = 9  # Algolia answers at most 1,000 hits for one search


class HackerNewsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query: str

    @field_validator("query")
    @classmethod
    def _query(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("give the words to search for")
        return value


def parse_hits(data: Any) -> tuple[list[tuple[float, FetchedPost]], int]:
    """(created, post) of a search answer, and how many pages the search has."""
    try:
        hits, pages = data["hits"], int(data.get("nbPages", 1))
    except (KeyError, TypeError, ValueError):
        raise SourceError("Hacker News search did not answer with hits.", problem=Problem.BAD_ANSWER) from None
    out = []
    for hit in hits:
        if not isinstance(hit, dict) or "objectID" not in hit:
            continue
        created = from_timestamp(hit.get("created_at_i"))
        title = str(hit.get("title") or hit.get("story_title") or "")
        body = html_to_text(str(hit.get("comment_text") or hit.get("story_text") or ""))
        text = f"{title} — {body}" if title and body else title or body
        if created is None or not text:
            continue
        link = str(hit.get("url") or "")
        parent = hit.get("parent_id")
        story = hit.get("story_id")
        out.append(
            (
                created.timestamp(),
                FetchedPost(
                    external_id=str(hit["objectID"]),
                    text=text[:20000],
                    published_at=created,
                    url=ITEM_URL + str(hit["objectID"]),
                    author=str(hit.get("author") or "")[:200],
                    author_url=f"https://news.ycombinator.com/user?id={hit['author']}" if hit.get("author") else "",
                    site=host_of(link) or "news.ycombinator.com",
                    in_reply_to=str(parent) if parent else "",
                    thread_root=str(story) if story and str(story) != str(hit["objectID"]) else "",
                    metrics={"likes": int(hit.get("points") or 0), "replies": int(hit.get("num_comments") or 0)},
                ),
            )
        )
    return out, pages


class HackerNewsPlugin:
    kind: str = "hackernews"

    def validate_config(self, config: dict[str, Any]) -> dict[str, Any]:
        return validate(HackerNewsConfig, config).model_dump()

    def credential_network(self, config: dict[str, Any]) -> str | None:
        return None

    def fetch(
        self, config: dict[str, Any], cursor: dict[str, Any], *, limit: int, credential: Credential | None = None
    ) -> FetchResult:
        cfg = validate(HackerNewsConfig, config)
        t0 = int(float(cursor.get("t", 0)))
        params: dict[str, Any] = {
            "query": cfg.query,
            "tags": "(story,comment)",
            "hitsPerPage": PAGE,
            # ">=": posts of the cursor's own second that were not read yet are kept (the cursor remembers ids).
            "numericFilters": f"created_at_i>={t0}" if t0 else None,
        }
        posts, pages = parse_hits(http.get_json(SEARCH_URL, params))
        more_pages = pages > 1 and t0 > 0
        if more_pages:
            posts, _ = parse_hits(http.get_json(SEARCH_URL, {**params, "page": min(pages - 1, MAX_PAGE)}))
        taken, new_cursor, more = after_time_cursor(posts, cursor, limit=limit)
        return FetchResult(taken, new_cursor, more=more or more_pages)
