"""Helpers shared by the plug-ins: configuration errors in the admin's words, times, cursors of seen ids."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError

from groundswell.listening.sources.base import FetchedPost

C = TypeVar("C", bound=BaseModel)
#: How many recently read ids a cursor remembers (to skip posts that share the newest second).
SEEN_IDS = 500


def validate(model: type[C], config: dict[str, Any]) -> C:
    """``model`` parsed from ``config``, or ``ValueError`` with one line per problem."""
    try:
        return model.model_validate(config)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"])
            message = error["msg"].removeprefix("Value error, ")
            lines.append(f"{where}: {message}" if where else message)
        raise ValueError("; ".join(lines)) from None


def from_timestamp(value: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromtimestamp(float(value), tz=dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def from_iso(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def after_time_cursor(
    posts: list[tuple[float, FetchedPost]], cursor: dict[str, Any], *, limit: int
) -> tuple[list[FetchedPost], dict[str, Any], bool]:
    """Posts newer than a ``{"t": seconds, "seen": [ids at that second]}`` cursor, oldest first, at most ``limit``.

    Posts of the cursor's own second that were not read yet are kept (several posts can share a second).
    Returns the posts, the cursor after them and whether more are waiting.
    """
    t0 = float(cursor.get("t", 0))
    seen = set(cursor.get("seen", []))
    fresh = sorted(
        ((t, p) for t, p in posts if t > t0 or (t == t0 and p.external_id not in seen)),
        key=lambda tp: (tp[0], tp[1].external_id),
    )
    # De-duplicate ids inside one answer (pages can overlap while new posts arrive).
    unique: dict[str, tuple[float, FetchedPost]] = {}
    for t, p in fresh:
        unique.setdefault(p.external_id, (t, p))
    ordered = list(unique.values())
    taken, more = ordered[:limit], len(ordered) > limit
    if not taken:
        return [], dict(cursor), more
    t_new = taken[-1][0]
    at_newest = [p.external_id for t, p in taken if t == t_new]
    if t_new == t0:
        at_newest = [*cursor.get("seen", []), *at_newest]
    return [p for _, p in taken], {"t": t_new, "seen": at_newest[-SEEN_IDS:]}, more
