"""Reddit: the newest posts of a subreddit, or a search, from the public JSON listings.

Cursor: ``{"t": created_utc of the newest post read, "seen": [its fullnames]}``. Listings are newest first;
the plug-in pages back (``after``) until it reaches the cursor, at most ``MAX_PAGES`` pages, then hands the
posts over oldest first so a restart resumes where the last stored post was.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from groundswell.listening import http
from groundswell.listening.sources._common import after_time_cursor, from_timestamp, host_of, validate
from groundswell.listening.sources.base import FetchedPost, FetchResult, SourceError

BASE_URL = "https://www.reddit.com"
#: Reddit asks API clients for "<platform>:<app id>:<version> (by /u/<user>)".
USER_AGENT = "server:groundswell-listening:1.0 (self-hosted social listening; +https://github.com/groundswell)"
PAGE = 100
MAX_PAGES = 5
_SUBREDDIT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_]{1,20}$")


class RedditConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subreddit: str = ""
    query: str = ""

    @field_validator("subreddit")
    @classmethod
    def _sub(cls, value: str) -> str:
        value = value.strip().removeprefix("/").removeprefix("r/")
        if value and not _SUBREDDIT.match(value):
            raise ValueError("a subreddit name has 2 to 21 letters, digits or underscores (e.g. CampingGear)")
        return value

    @model_validator(mode="after")
    def _something(self) -> RedditConfig:
        self.query = self.query.strip()
        if not self.subreddit and not self.query:
            raise ValueError("give a subreddit, search words, or both")
        return self


def parse_listing(data: Any) -> tuple[list[tuple[float, FetchedPost]], str | None]:
    """(created, post) of a listing answer, and the ``after`` token of the next (older) page."""
    try:
        listing = data["data"]
        children = listing["children"]
    except (KeyError, TypeError):
        raise SourceError("Reddit did not answer with a listing.") from None
    out = []
    for child in children:
        post = child.get("data") if isinstance(child, dict) else None
        if not isinstance(post, dict) or "name" not in post:
            continue
        created = from_timestamp(post.get("created_utc"))
        title = str(post.get("title") or "")
        body = str(post.get("selftext") or post.get("body") or "")
        text = f"{title} — {body}" if title and body else title or body
        if created is None or not text:
            continue
        permalink = str(post.get("permalink") or "")
        link = str(post.get("url") or "")
        out.append(
            (
                created.timestamp(),
                FetchedPost(
                    external_id=str(post["name"]),
                    text=" ".join(text.split())[:20000],
                    published_at=created,
                    url=(BASE_URL + permalink if permalink.startswith("/") else permalink)[:2000],
                    author="u/" + str(post["author"]) if post.get("author") else "",
                    author_url=f"{BASE_URL}/user/{post['author']}" if post.get("author") else "",
                    site=host_of(link) if link and not link.startswith(BASE_URL) else "reddit.com",
                    metrics={"likes": int(post.get("score") or 0), "replies": int(post.get("num_comments") or 0)},
                ),
            )
        )
    after = listing.get("after")
    return out, str(after) if after else None


class RedditPlugin:
    kind: str = "reddit"

    def validate_config(self, config: dict[str, Any]) -> dict[str, Any]:
        return validate(RedditConfig, config).model_dump()

    def fetch(self, config: dict[str, Any], cursor: dict[str, Any], *, limit: int) -> FetchResult:
        cfg = validate(RedditConfig, config)
        if cfg.query:
            url = f"{BASE_URL}/r/{cfg.subreddit}/search.json" if cfg.subreddit else f"{BASE_URL}/search.json"
            params: dict[str, Any] = {"q": cfg.query, "sort": "new", "restrict_sr": "1" if cfg.subreddit else None}
        else:
            url, params = f"{BASE_URL}/r/{cfg.subreddit}/new.json", {}
        t0 = float(cursor.get("t", 0))
        posts: list[tuple[float, FetchedPost]] = []
        after: str | None = None
        for _page in range(MAX_PAGES):
            page, after = parse_listing(
                http.get_json(url, {**params, "limit": PAGE, "raw_json": 1, "after": after}, user_agent=USER_AGENT)
            )
            posts.extend(page)
            if not after or not page or min(t for t, _ in page) <= t0 or not t0:
                break
        taken, new_cursor, more = after_time_cursor(posts, cursor, limit=limit)
        return FetchResult(taken, new_cursor, more=more)
