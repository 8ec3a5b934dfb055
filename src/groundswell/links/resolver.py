"""Short code → where to send the visitor, with an in-process TTL cache and a persistent disk cache.

Lookups go to the database at most once per ``LINK_CACHE_TTL_SECONDS`` per code and process. When the
database is unavailable the resolver answers from the in-process cache even if the entry is stale, then
from the on-disk cache (a small SQLite file beside the data, so a restarted process still knows every link
it resolved before). Only a code never seen locally raises :class:`LinkUnavailable` (the caller answers
503 and still records the click by code).

Liveness (published, start and expiry) is cached as data and checked at request time, so an item that
expires stops redirecting at once, even from the cache.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.db import Error as DatabaseError
from django.db import transaction

from groundswell.content.models import ItemState
from groundswell.links.destination import destination
from groundswell.sharing.models import Share

log = logging.getLogger(__name__)

NEGATIVE_TTL_SECONDS: Final = 10.0
OUTAGE_RETRY_SECONDS: Final = 5.0
MAX_MEMORY_ENTRIES: Final = 200_000
_NO_STORE: Final = (b"cache-control", b"no-store")
_NO_BODY: Final = (b"content-length", b"0")


class LinkUnavailable(Exception):
    """The database is unavailable and the code is in neither the memory nor the disk cache."""


class ResolvedLink:
    """Everything the redirect needs about one share, precomputed (headers included) once per lookup."""

    __slots__ = ("code", "expires_at", "headers", "location", "published", "starts_at")

    def __init__(
        self, *, code: str, location: str, published: bool, starts_at: float | None, expires_at: float | None
    ) -> None:
        self.code = code
        self.location = location
        self.published = published
        self.starts_at = starts_at
        self.expires_at = expires_at
        # Raw ASGI response headers for the fast path.
        self.headers: list[tuple[bytes, bytes]] = [(b"location", location.encode("latin-1")), _NO_STORE, _NO_BODY]

    def is_live(self, now: float) -> bool:
        """Published and inside its start/expiry window (``now`` is a Unix timestamp)."""
        if not self.published:
            return False
        if self.starts_at is not None and self.starts_at > now:
            return False
        return not (self.expires_at is not None and self.expires_at <= now)

    def to_json(self) -> str:
        return json.dumps(
            {
                "location": self.location,
                "published": self.published,
                "starts_at": self.starts_at,
                "expires_at": self.expires_at,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, code: str, text: str) -> ResolvedLink:
        data = json.loads(text)
        return cls(
            code=code,
            location=str(data["location"]),
            published=bool(data["published"]),
            starts_at=data["starts_at"],
            expires_at=data["expires_at"],
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ResolvedLink) and (self.code, self.to_json()) == (other.code, other.to_json())

    def __hash__(self) -> int:
        return hash((self.code, self.location))

    def __repr__(self) -> str:
        return f"<ResolvedLink {self.code} → {self.location}>"


def _timestamp(value: dt.datetime | None) -> float | None:
    return None if value is None else value.timestamp()


_LINK_FIELDS = (
    "network",
    "item_id",
    "item__kind",
    "item__url",
    "item__title",
    "item__body",
    "item__state",
    "item__starts_at",
    "item__expires_at",
)


def _link_from_row(code: str, row: Sequence[Any]) -> ResolvedLink:
    network, item_id, kind, url, title, body, state, starts_at, expires_at = row
    return ResolvedLink(
        code=code,
        location=destination(code=code, network=network, item_id=item_id, kind=kind, url=url, title=title or body[:80]),
        published=state == ItemState.PUBLISHED,
        starts_at=_timestamp(starts_at),
        expires_at=_timestamp(expires_at),
    )


def fetch_link(code: str) -> ResolvedLink | None:
    """One database query; ``None`` when no share has this code. Raises ``django.db.Error`` when down."""
    rows = list(Share.objects.filter(code=code).order_by().values_list(*_LINK_FIELDS)[:1])
    return _link_from_row(code, rows[0]) if rows else None


class DiskLinkCache:
    """A persistent code → link map in a local SQLite file (WAL; shared by the workers of one host).

    Every failure is logged and swallowed: the disk cache only ever helps, it never breaks a redirect.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._pid = 0

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None or self._pid != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=2.0, check_same_thread=False, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("CREATE TABLE IF NOT EXISTS links (code TEXT PRIMARY KEY, data TEXT NOT NULL, saved REAL)")
            self._conn, self._pid = conn, os.getpid()
        return self._conn

    def get(self, code: str) -> ResolvedLink | None:
        try:
            with self._lock:
                row = self._connection().execute("SELECT data FROM links WHERE code = ?", (code,)).fetchone()
            return None if row is None else ResolvedLink.from_json(code, row[0])
        except (sqlite3.Error, OSError, ValueError, KeyError, TypeError):
            log.exception("link disk cache: cannot read %s", self.path)
            return None

    def put(self, link: ResolvedLink) -> None:
        try:
            with self._lock:
                self._connection().execute(
                    "INSERT OR REPLACE INTO links (code, data, saved) VALUES (?, ?, ?)",
                    (link.code, link.to_json(), time.time()),
                )
        except (sqlite3.Error, OSError):
            log.exception("link disk cache: cannot write %s", self.path)

    def put_many(self, links: Sequence[ResolvedLink]) -> None:
        saved = time.time()
        try:
            with self._lock:
                conn = self._connection()
                with conn:
                    conn.execute("BEGIN")
                    conn.executemany(
                        "INSERT OR REPLACE INTO links (code, data, saved) VALUES (?, ?, ?)",
                        [(link.code, link.to_json(), saved) for link in links],
                    )
        except (sqlite3.Error, OSError):
            log.exception("link disk cache: cannot write %s", self.path)

    def forget(self, code: str) -> None:
        try:
            with self._lock:
                self._connection().execute("DELETE FROM links WHERE code = ?", (code,))
        except (sqlite3.Error, OSError):
            log.exception("link disk cache: cannot write %s", self.path)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None


class SharedLinkCache:
    """Code → link in the cache every web node shares (``CACHES["links"]``: Redis when ``REDIS_URL`` is set,
    process memory otherwise; docs/adr/0033). A node's in-memory miss costs one cache GET instead of a
    database query, and a change anywhere is invalidated for every node (``invalidate_links``).

    Failures are logged and answered as a miss: the shared cache only ever helps.
    """

    def __init__(self, cache: BaseCache, timeout: float) -> None:
        self.cache = cache
        self.timeout = timeout

    @staticmethod
    def key(code: str) -> str:
        return f"link:{code}"

    def get(self, code: str) -> ResolvedLink | None:
        try:
            text = self.cache.get(self.key(code))
            return None if text is None else ResolvedLink.from_json(code, text)
        except Exception:
            log.exception("shared link cache: cannot read %s", code)
            return None

    def put(self, link: ResolvedLink) -> None:
        try:
            self.cache.set(self.key(link.code), link.to_json(), self.timeout)
        except Exception:
            log.exception("shared link cache: cannot write %s", link.code)

    def forget(self, codes: Sequence[str]) -> None:
        try:
            self.cache.delete_many([self.key(code) for code in codes])
        except Exception:
            log.exception("shared link cache: cannot invalidate %d links", len(codes))


class _Miss:
    """Sentinel: not in the in-process cache, or stale."""


MISS: Final = _Miss()


class LinkResolver:
    """Code → ``ResolvedLink`` (or ``None``: no such share), cached in memory for ``ttl`` seconds.

    With ``ttl > 0`` an expired entry is still answered at once by ``lookup`` while one refresh runs in
    the background (stale-while-revalidate), so TTL expiry never stalls a click. ``ttl == 0`` means
    "always ask the database" (the test-suite): the caches are then only used during an outage.
    """

    def __init__(
        self,
        *,
        ttl: float,
        disk: DiskLinkCache | None,
        max_entries: int = MAX_MEMORY_ENTRIES,
        shared: SharedLinkCache | None = None,
    ) -> None:
        self.ttl = ttl
        self.disk = disk
        self.shared = shared
        self.max_entries = max_entries
        # code → (fresh until, monotonic; link or None for "no such code")
        self._memory: dict[str, tuple[float, ResolvedLink | None]] = {}
        self._refreshing: set[str] = set()

    def peek(self, code: str) -> ResolvedLink | _Miss | None:
        """The in-process answer if it is fresh, else ``MISS``. No I/O: safe on the event loop."""
        entry = self._memory.get(code)
        if entry is None or entry[0] < time.monotonic():
            return MISS
        return entry[1]

    def lookup(self, code: str) -> tuple[ResolvedLink | _Miss | None, bool]:
        """``(answer, refresh)`` without I/O: the cached answer (``MISS`` if there is none usable) and
        whether the caller should refresh it in the background (a stale link served meanwhile)."""
        entry = self._memory.get(code)
        if entry is None:
            return MISS, False
        if entry[0] >= time.monotonic():
            return entry[1], False
        if self.ttl > 0 and entry[1] is not None:
            return entry[1], self._claim_refresh(code)
        return MISS, False

    def _claim_refresh(self, code: str) -> bool:
        if code in self._refreshing:
            return False
        self._refreshing.add(code)
        return True

    def refresh(self, code: str) -> None:
        """Background refresh after ``lookup`` asked for one. Blocking; never raises."""
        try:
            self._fetch(code)
        except LinkUnavailable:
            pass
        except Exception:
            log.exception("link resolver: refreshing %s failed", code)
        finally:
            self._refreshing.discard(code)

    def resolve(self, code: str) -> ResolvedLink | None:
        """The link for ``code``, or ``None`` when there is no such share. Blocking (database, disk)."""
        cached = self.peek(code)
        if not isinstance(cached, _Miss):
            return cached
        return self._fetch(code)

    def _fetch(self, code: str) -> ResolvedLink | None:
        previous = self._memory.get(code)
        if self.shared is not None:
            cached = self.shared.get(code)
            if cached is not None:
                self._remember(code, cached, self.ttl)
                return cached
        try:
            link = fetch_link(code)
        except DatabaseError as exc:
            return self._fallback(code, previous, exc)
        if link is not None and self.shared is not None:
            self.shared.put(link)
        self._remember(code, link, self.ttl if link is not None else min(self.ttl, NEGATIVE_TTL_SECONDS))
        if self.disk is not None:
            if link is None:
                if previous is not None and previous[1] is not None:
                    self.disk.forget(code)
            elif previous is None or previous[1] != link:
                self.disk.put(link)
        return link

    def _fallback(
        self, code: str, previous: tuple[float, ResolvedLink | None] | None, exc: Exception
    ) -> ResolvedLink | None:
        # Whatever is answered is remembered for a short while, so an outage costs one database attempt
        # per code every few seconds, not one per click (a connect timeout per click would be ruinous).
        retry = min(self.ttl, OUTAGE_RETRY_SECONDS)
        if previous is not None:
            log.warning("database unavailable (%s); answering %s from the memory cache", exc, code)
            self._remember(code, previous[1], retry)
            return previous[1]
        link = self.disk.get(code) if self.disk is not None else None
        if link is None:
            log.warning("database unavailable (%s); %s is unknown locally", exc, code)
            raise LinkUnavailable(code) from exc
        log.warning("database unavailable (%s); answering %s from the disk cache", exc, code)
        self._remember(code, link, retry)
        return link

    def _remember(self, code: str, link: ResolvedLink | None, ttl: float) -> None:
        memory = self._memory
        if code not in memory and len(memory) >= self.max_entries:
            with contextlib.suppress(StopIteration, KeyError, RuntimeError):
                del memory[next(iter(memory))]  # the oldest entry
        memory[code] = (time.monotonic() + ttl, link)

    def prewarm(self, limit: int) -> int:
        """Load the ``limit`` most recent shares into memory (and the disk cache) in one query.

        Called in the background at start-up so that a deploy does not turn every click into a database
        lookup. Returns how many links were loaded; database errors are logged, not raised.
        """
        if limit <= 0:
            return 0
        try:
            rows = list(Share.objects.order_by("-created_at").values_list("code", *_LINK_FIELDS)[:limit])
        except DatabaseError as exc:
            log.warning("link resolver: cannot prewarm (%s)", exc)
            return 0
        links = [_link_from_row(code, rest) for code, *rest in rows]
        # Spread the expiry over one TTL so the refreshes do not all fall due in the same second.
        for index, link in enumerate(links):
            if link.code not in self._memory:
                self._remember(link.code, link, self.ttl * (index + 1) / len(links))
        if self.disk is not None:
            self.disk.put_many(links)
        return len(links)

    def forget(self, code: str) -> None:
        """Drop ``code`` from the in-process cache (call after an item changes, in this process)."""
        self._memory.pop(code, None)

    def clear(self) -> None:
        self._memory.clear()


_resolver: LinkResolver | None = None
_resolver_lock = threading.Lock()


def disk_cache_path() -> Path:
    configured = getattr(settings, "LINK_DISK_CACHE_PATH", None)
    return Path(configured) if configured else Path(settings.DATA_DIR) / "link-cache.sqlite3"


def get_resolver() -> LinkResolver:
    global _resolver
    resolver = _resolver
    if resolver is None:
        with _resolver_lock:
            if _resolver is None:
                _resolver = LinkResolver(
                    ttl=float(settings.LINK_CACHE_TTL_SECONDS),
                    disk=DiskLinkCache(disk_cache_path()),
                    shared=get_shared_cache(),
                )
            resolver = _resolver
    return resolver


def set_resolver(resolver: LinkResolver | None) -> LinkResolver | None:
    """Replace the process-wide resolver (tests); returns the previous one."""
    global _resolver
    with _resolver_lock:
        previous, _resolver = _resolver, resolver
    return previous


_shared: SharedLinkCache | None = None


def get_shared_cache() -> SharedLinkCache:
    global _shared
    if _shared is None:
        _shared = SharedLinkCache(caches["links"], float(settings.LINK_SHARED_CACHE_SECONDS))
    return _shared


def set_shared_cache(shared: SharedLinkCache | None) -> SharedLinkCache | None:
    """Replace the process-wide shared cache (tests); returns the previous one."""
    global _shared
    previous, _shared = _shared, shared
    return previous


def invalidate_links(codes: Sequence[str]) -> None:
    """Forget these links everywhere once the change commits: in the shared cache (every node) and in this
    process's memory. Other processes' memory caches follow within ``LINK_CACHE_TTL_SECONDS``, refreshing
    from the shared cache or the database."""
    codes = list(codes)
    if not codes:
        return

    def forget() -> None:
        get_shared_cache().forget(codes)
        resolver = _resolver
        if resolver is not None:
            for code in codes:
                resolver.forget(code)

    transaction.on_commit(forget)
