"""ASGI fast path for tracked short links, in front of Django.

``GET``/``HEAD /<7 alphanumerics>`` for a live link is answered here: no Django request, middleware or
URL resolving, no database (the resolver's in-process cache; a miss is looked up in a small thread
pool), and the click appended to the journal: the 302 is sent once the click is on disk (group commit,
``links.buffer``; the loop serves other requests meanwhile). Everything else goes to Django untouched, including
unknown, archived and expired codes, so their 404/410 pages are rendered by ``links.views`` with the
site's templates and middleware. When the database is down and a code is unknown locally, the answer is
503 with ``Retry-After`` and the click is still recorded by code.

The router speaks the ASGI lifespan protocol: start-up starts the click flusher, prewarms the link cache
with the most recent shares (``LINK_PREWARM_COUNT``, in the background) and freezes the objects loaded so
far out of the cyclic GC (``gc.freeze``: shorter collector pauses); shutdown flushes the buffer.
Django's ``ASGIHandler`` does not implement lifespan (it rejects every non-HTTP scope), so lifespan
messages are answered here and not passed on to it; any other wrapped application gets them.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import re
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final

from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.db import close_old_connections, connections

from groundswell.links.bots import is_bot_user_agent
from groundswell.links.buffer import get_buffer
from groundswell.links.clients import client_ip, trusted_proxy_count
from groundswell.links.resolver import MISS, LinkResolver, LinkUnavailable, ResolvedLink, get_resolver
from groundswell.links.views import RETRY_AFTER_SECONDS, unavailable_page

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[..., Awaitable[None]]

_CODE_PATH: Final = re.compile(r"/[A-Za-z0-9]{7}")
_EMPTY_BODY: Final = {"type": "http.response.body", "body": b""}


def _resolve_in_worker(resolver: LinkResolver, code: str) -> ResolvedLink | None:
    """Resolver lookup in a pool thread, with the connection hygiene Django does around requests."""
    close_old_connections()
    try:
        return resolver.resolve(code)
    finally:
        close_old_connections()


def _refresh_in_worker(resolver: LinkResolver, code: str) -> None:
    close_old_connections()
    try:
        resolver.refresh(code)
    finally:
        close_old_connections()


def _prewarm_in_worker(resolver: LinkResolver, limit: int) -> None:
    close_old_connections()
    try:
        started = time.monotonic()
        loaded = resolver.prewarm(limit)
        log.info("link router: prewarmed %d links in %.2f s", loaded, time.monotonic() - started)
        gc.freeze()  # the cached links live as long as the process too
    except Exception:
        log.exception("link router: prewarm failed")
    finally:
        close_old_connections()


def _close_worker_connections(executor: ThreadPoolExecutor, workers: int) -> None:
    """Close the database connection of every pool thread (persistent on PostgreSQL): one task per thread,
    held at a barrier so that no thread runs two of them."""
    barrier = threading.Barrier(workers)

    def close() -> None:
        connections.close_all()
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=5)

    futures = [executor.submit(close) for _ in range(workers)]
    for future in futures:
        with contextlib.suppress(Exception):
            future.result(timeout=10)


class LinkRouter:
    def __init__(self, app: ASGIApp, *, resolver_threads: int = 4) -> None:
        self.app = app
        self.resolver_threads = resolver_threads
        self._executor: ThreadPoolExecutor | None = None
        self._proxy_count: int | None = None
        self._forward_lifespan = not isinstance(app, ASGIHandler)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            path = scope["path"]
            if (
                len(path) == 8
                and _CODE_PATH.fullmatch(path)
                and scope["method"] in ("GET", "HEAD")
                and await self._follow(scope, path[1:], send)
            ):
                return
            await self.app(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    # --- the short link ----------------------------------------------------------------------------

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=self.resolver_threads, thread_name_prefix="link-resolve")
        return self._executor

    async def _follow(self, scope: Scope, code: str, send: Send) -> bool:
        """Answer the short link; ``False`` hands the request to Django (404/410 pages)."""
        resolver = get_resolver()
        link, refresh = resolver.lookup(code)
        if refresh:  # stale: answer with it, refresh in the background
            self._pool().submit(_refresh_in_worker, resolver, code)
        elif link is MISS:
            try:
                link = await asyncio.get_running_loop().run_in_executor(
                    self._pool(), _resolve_in_worker, resolver, code
                )
            except LinkUnavailable:
                await self._record(scope, code, time.time())
                body = unavailable_page()
                await send(
                    {
                        "type": "http.response.start",
                        "status": 503,
                        "headers": [
                            (b"content-type", b"text/html; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()),
                            (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
                            (b"cache-control", b"no-store"),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return True
        if not isinstance(link, ResolvedLink):
            return False  # unknown code: Django renders the 404 page
        now = time.time()
        if not link.is_live(now):
            return False  # archived / expired: Django renders the 410 page
        await self._record(scope, code, now)
        await send({"type": "http.response.start", "status": 302, "headers": link.headers})
        await send(_EMPTY_BODY)
        return True

    async def _record(self, scope: Scope, code: str, now: float) -> None:
        """Journal the click and wait (without blocking the loop) until it is on disk: then answer."""
        user_agent = referrer = forwarded_for = ""
        for name, value in scope["headers"]:
            if name == b"user-agent":
                user_agent = value.decode("latin-1")
            elif name == b"referer":
                referrer = value.decode("latin-1")
            elif name == b"x-forwarded-for":
                forwarded_for = value.decode("latin-1")
        client = scope.get("client")
        ip = client[0] if client else ""
        if forwarded_for:
            proxies = self._proxy_count
            if proxies is None:
                proxies = self._proxy_count = trusted_proxy_count()
            ip = client_ip(ip, forwarded_for, proxies)
        bot = scope["method"] == "HEAD" or is_bot_user_agent(user_agent)
        buffer = get_buffer()
        await buffer.wait_async(buffer.record(code, now, ip, user_agent, referrer, bot))

    # --- lifespan ----------------------------------------------------------------------------------

    async def _lifespan(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._forward_lifespan:
            await self._lifespan_forwarded(scope, receive, send)
            return
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    self.startup()
                except Exception as exc:
                    log.exception("link router: start-up failed")
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                try:
                    await asyncio.to_thread(self.shutdown)
                except Exception as exc:
                    log.exception("link router: shutdown failed")
                    await send({"type": "lifespan.shutdown.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _lifespan_forwarded(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run our start-up/shutdown around a wrapped application that speaks lifespan itself."""

        async def inner_receive() -> Message:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.startup()
            elif message["type"] == "lifespan.shutdown":
                await asyncio.to_thread(self.shutdown)
            return message

        await self.app(scope, inner_receive, send)

    def startup(self) -> None:
        get_buffer().start()
        resolver = get_resolver()
        if resolver.ttl > 0:
            self._pool().submit(_prewarm_in_worker, resolver, int(getattr(settings, "LINK_PREWARM_COUNT", 20_000)))
        # Everything loaded so far (Django, the app) lives as long as the process: keep it out of the
        # cyclic garbage collector's full passes, which would otherwise pause the loop for tens of ms.
        gc.collect()
        gc.freeze()

    def shutdown(self) -> None:
        try:
            get_buffer().stop()
        finally:
            executor, self._executor = self._executor, None
            if executor is not None:
                _close_worker_connections(executor, self.resolver_threads)
                executor.shutdown(wait=True)
            with contextlib.suppress(Exception):
                close_old_connections()
