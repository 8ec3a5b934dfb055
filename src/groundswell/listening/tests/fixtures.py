"""Source fixtures shaped as the networks document them, and a fake fetcher for the choke point."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from groundswell.lib.safe_fetch import FetchFailed

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Outdoor News</title><link>https://news.example.com/</link>
<language>en</language>
<item><guid>https://news.example.com/a1</guid><title>Northwind launches a new tent</title>
<link>https://news.example.com/a1</link><description>&lt;p&gt;The &lt;b&gt;Northwind&lt;/b&gt; Ridge 2 weighs 1.2 kg.&lt;/p&gt;</description>
<pubDate>Mon, 02 Mar 2026 09:00:00 GMT</pubDate><author>jo@news.example.com (Jo)</author></item>
<item><guid>https://news.example.com/a2</guid><title>Best sleeping bags of the year</title>
<link>https://news.example.com/a2</link><description>Northwind and Fjord compared.</description>
<pubDate>Tue, 03 Mar 2026 10:00:00 GMT</pubDate></item>
<item><guid>https://news.example.com/a3</guid><title>Cycling in the rain</title>
<link>https://news.example.com/a3</link><description>Nothing about tents.</description>
<pubDate>Wed, 04 Mar 2026 11:00:00 GMT</pubDate></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Gear blog</title><id>urn:gear</id>
<updated>2026-03-05T12:00:00Z</updated>
<entry><id>urn:gear:1</id><title>Northwind recall?</title><link href="https://blog.example.org/1"/>
<updated>2026-03-05T12:00:00Z</updated><summary>Is the Northwind stove recalled?</summary>
<author><name>Sam</name></author></entry>
</feed>"""


def status(sid: int, content: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": str(sid),
        "uri": f"https://mastodon.example/users/kim/statuses/{sid}",
        "url": f"https://mastodon.example/@kim/{sid}",
        "created_at": f"2026-03-0{1 + sid % 8}T10:00:00.000Z",
        "content": content,
        "spoiler_text": "",
        "language": "en",
        "in_reply_to_id": None,
        "replies_count": 1,
        "reblogs_count": 2,
        "favourites_count": 3,
        "reblog": None,
        "account": {"acct": "kim@mastodon.example", "url": "https://mastodon.example/@kim"},
        **extra,
    }


def reddit_listing(posts: list[dict[str, Any]], after: str | None = None) -> dict[str, Any]:
    return {
        "kind": "Listing",
        "data": {"after": after, "before": None, "children": [{"kind": "t3", "data": p} for p in posts]},
    }


def reddit_post(n: int, created: float, title: str, selftext: str = "") -> dict[str, Any]:
    return {
        "id": f"p{n}",
        "name": f"t3_p{n}",
        "title": title,
        "selftext": selftext,
        "author": f"hiker{n}",
        "permalink": f"/r/CampingGear/comments/p{n}/x/",
        "url": f"https://www.reddit.com/r/CampingGear/comments/p{n}/x/",
        "created_utc": created,
        "subreddit": "CampingGear",
        "score": 5,
        "num_comments": 2,
    }


def hn_hit(n: int, created: int, title: str = "", comment: str = "") -> dict[str, Any]:
    return {
        "objectID": str(n),
        "created_at_i": created,
        "title": title or None,
        "comment_text": comment or None,
        "story_title": "Northwind on HN" if comment else None,
        "author": f"user{n}",
        "url": "https://northwind.example/blog" if title else None,
        "points": 10 if title else None,
        "num_comments": 4 if title else None,
        "story_id": 1 if comment else None,
        "parent_id": 1 if comment else None,
    }


Route = Callable[[str, dict[str, list[str]]], Any]


class FakeFetcher:
    """Answers the choke point from routes: path → bytes, JSON-able value or a function of the query."""

    def __init__(self, routes: dict[str, Any]) -> None:
        self.routes = routes
        self.calls: list[str] = []
        self.user_agents: list[str] = []

    def __call__(self, url: str, content_types: frozenset[str], user_agent: str) -> bytes:
        self.calls.append(url)
        self.user_agents.append(user_agent)
        parts = urlsplit(url)
        answer = self.routes.get(parts.path)
        if answer is None:
            raise FetchFailed("The page answered with HTTP status 404.", status=404)
        if callable(answer):
            answer = answer(parts.path, parse_qs(parts.query))
        if isinstance(answer, Exception):
            raise answer
        return answer if isinstance(answer, bytes) else json.dumps(answer).encode()
