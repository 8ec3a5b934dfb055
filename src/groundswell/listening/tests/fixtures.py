"""Source fixtures shaped as the networks document them, and a fake fetcher for the choke point."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

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


# --- Reddit's OAuth API -------------------------------------------------------------------------------------

REDDIT_CLIENT_ID = "p-jcoLKBynTLew"
REDDIT_SECRET = "gko_LXELoV07ZBNUXrvWZfzE3aI"


class FakeReddit:
    """Reddit as its OAuth2 and API wikis describe it, for ``networks.http.use_transport(MockTransport(...))``.

    * ``POST https://www.reddit.com/api/v1/access_token`` with HTTP Basic client id and secret (empty for an
      installed app): ``client_credentials`` (or ``…/grants/installed_client`` with a 20-30 character
      ``device_id``) → ``{"access_token", "token_type": "bearer", "expires_in", "scope": "*"}``; wrong client
      credentials → 401 ``{"message": "Unauthorized", "error": 401}``; another grant → 200
      ``{"error": "unsupported_grant_type"}`` (sic: Reddit answers some OAuth errors with 200).
    * ``https://oauth.reddit.com/<path>`` with ``Authorization: bearer <token>``: a listing from ``pages``
      (path → answer, or a function of the query), or an error from ``errors`` (path → response); an
      unknown or revoked token → 401 with ``WWW-Authenticate: Bearer realm="reddit", error="invalid_token"``.
      Every answer carries ``X-Ratelimit-Used``, ``-Remaining`` and ``-Reset``.
    * Anonymous reads on ``www.reddit.com`` → 403 with an HTML page (what Reddit's edge answers now).
    """

    def __init__(self, *, installed: bool = False) -> None:
        self.installed = installed
        self.pages: dict[str, Any] = {}
        self.errors: dict[str, httpx.Response] = {}
        self.requests: list[httpx.Request] = []
        self.tokens: list[str] = []
        self.revoked: set[str] = set()
        self.token_answer: httpx.Response | None = None
        self.expires_in = 86400
        self.remaining, self.used, self.reset = 99.0, 1, 420

    @property
    def token_requests(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path == "/api/v1/access_token"]

    @property
    def api_requests(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.host == "oauth.reddit.com"]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.host == "www.reddit.com" and request.url.path == "/api/v1/access_token":
            return self._token(request)
        if request.url.host == "oauth.reddit.com":
            return self._api(request)
        return httpx.Response(403, html="<html><body><h1>whoa there, pardner!</h1>blocked</body></html>")

    def _token(self, request: httpx.Request) -> httpx.Response:
        if self.token_answer is not None:
            return self.token_answer
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        user, _, password = base64.b64decode(encoded).decode().partition(":") if scheme == "Basic" else ("", "", "")
        expected = (REDDIT_CLIENT_ID, "" if self.installed else REDDIT_SECRET)
        if (user, password) != expected:
            return httpx.Response(401, json={"message": "Unauthorized", "error": 401})
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        grant = form.get("grant_type")
        if self.installed:
            device = form.get("device_id", "")
            if grant != "https://oauth.reddit.com/grants/installed_client" or not 20 <= len(device) <= 30:
                return httpx.Response(200, json={"error": "unsupported_grant_type"})
        elif grant != "client_credentials":
            return httpx.Response(200, json={"error": "unsupported_grant_type"})
        token = f"{len(self.tokens) + 1}-appOnlyToken"
        self.tokens.append(token)
        body = {"access_token": token, "token_type": "bearer", "expires_in": self.expires_in, "scope": "*"}
        return httpx.Response(200, json=body)

    def _api(self, request: httpx.Request) -> httpx.Response:
        self.remaining -= 1
        self.used += 1
        headers = {
            "x-ratelimit-used": str(self.used),
            "x-ratelimit-remaining": f"{self.remaining:.1f}",
            "x-ratelimit-reset": str(self.reset),
        }
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or token not in self.tokens or token in self.revoked:
            return httpx.Response(
                401,
                json={"message": "Unauthorized", "error": 401},
                headers={**headers, "www-authenticate": 'Bearer realm="reddit", error="invalid_token"'},
            )
        path = request.url.path
        if path in self.errors:
            error = self.errors[path]
            return httpx.Response(error.status_code, headers={**headers, **error.headers}, content=error.content)
        answer = self.pages.get(path)
        if answer is None:
            return httpx.Response(404, json={"message": "Not Found", "error": 404}, headers=headers)
        if callable(answer):
            answer = answer(dict(request.url.params))
        return httpx.Response(200, json=answer, headers=headers)


def reddit_error(
    status: int, body: Any = None, *, html: str = "", headers: dict[str, str] | None = None
) -> httpx.Response:
    """An error answer as Reddit sends it (JSON ``{"reason", "message", "error"}``, or an HTML page)."""
    if html:
        return httpx.Response(status, html=html, headers=headers or {})
    return httpx.Response(status, json=body, headers=headers or {})


# The documented error shapes of the Reddit API.
REDDIT_PRIVATE = reddit_error(403, {"reason": "private", "message": "Forbidden", "error": 403})
REDDIT_QUARANTINED = reddit_error(
    403,
    {
        "reason": "quarantined",
        "quarantine_message": "This community is quarantined.",
        "quarantine_message_html": "<p>This community is quarantined.</p>",
        "message": "Forbidden",
        "error": 403,
    },
)
REDDIT_BANNED = reddit_error(404, {"reason": "banned", "message": "Not Found", "error": 404})
REDDIT_TOO_MANY = reddit_error(
    429,
    {"message": "Too Many Requests", "error": 429},
    headers={"x-ratelimit-used": "100", "x-ratelimit-remaining": "0.0", "x-ratelimit-reset": "120"},
)
