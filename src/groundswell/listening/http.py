"""The one HTTP choke point of the listening sources.

Every plug-in fetches through :func:`get`, which goes through the SSRF-safe client (``lib/safe_fetch``:
public addresses only, bounded time and size, redirects checked hop by hop). Tests swap the fetcher
(:func:`use_fetcher`) for fixture responses and fault injection; nothing else in the plug-ins knows about it.
Errors come out as ``SourceError`` with the problem the status stands for (``problem_for_status``).

Sources that sign in to a network's API (Reddit's OAuth, Bluesky search) talk to it through
``networks.http.client()`` instead: they need POST, headers and the error answers' bodies and headers.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

from groundswell.lib import safe_fetch
from groundswell.listening.sources.base import Problem, SourceError, problem_for_status

USER_AGENT = "Groundswell-Listening/1.0 (self-hosted social listening; +https://github.com/groundswell)"
JSON_TYPES = frozenset({"application/json"})
FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
        "application/feed+json",
        "text/plain",
    }
)
#: HTTP statuses that will not get better by asking again: the admin must fix the configuration.
PERMANENT_STATUSES = frozenset({400, 401, 403, 404, 410})

Fetcher = Callable[[str, frozenset[str], str], bytes]


def _safe_fetcher(url: str, content_types: frozenset[str], user_agent: str) -> bytes:
    return safe_fetch.safe_get(url, content_types=content_types, user_agent=user_agent).body


_fetcher: Fetcher = _safe_fetcher


@contextlib.contextmanager
def use_fetcher(fetcher: Fetcher) -> Iterator[None]:
    """Route every listening fetch in this process through ``fetcher`` (tests and benchmarks only)."""
    global _fetcher
    previous = _fetcher
    _fetcher = fetcher
    try:
        yield
    finally:
        _fetcher = previous


def with_params(url: str, params: dict[str, Any]) -> str:
    clean = {k: v for k, v in params.items() if v is not None and v != ""}
    if not clean:
        return url
    return url + ("&" if "?" in url else "?") + urlencode(clean)


def get(url: str, *, content_types: frozenset[str], user_agent: str = USER_AGENT) -> bytes:
    """The body at ``url``; ``SourceError`` (permanent when retrying cannot help) otherwise."""
    try:
        return _fetcher(url, content_types, user_agent)
    except safe_fetch.FetchRefused as exc:
        raise SourceError(str(exc), problem=Problem.INVALID_SETTINGS) from exc
    except safe_fetch.FetchFailed as exc:
        permanent = exc.status in PERMANENT_STATUSES
        raise SourceError(str(exc), permanent=permanent, problem=problem_for_status(exc.status)) from exc


def get_json(url: str, params: dict[str, Any] | None = None, *, user_agent: str = USER_AGENT) -> Any:
    body = get(with_params(url, params or {}), content_types=JSON_TYPES, user_agent=user_agent)
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SourceError(f"The server did not answer with valid JSON ({exc}).", problem=Problem.BAD_ANSWER) from exc
