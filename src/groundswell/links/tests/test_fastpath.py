"""The ASGI fast path in front of Django: same answers as the Django view, without Django per request."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any
from unittest import mock

import httpx
import pytest
from asgiref.sync import sync_to_async
from django.core.asgi import get_asgi_application
from django.db import OperationalError, connections
from django.utils import timezone

from groundswell.content.models import Item, ItemState
from groundswell.links.buffer import ClickBuffer, set_buffer
from groundswell.links.fastpath import LinkRouter
from groundswell.links.ingest import ClickEvent
from groundswell.links.models import Click
from groundswell.links.resolver import LinkResolver, set_resolver
from groundswell.links.tests.conftest import BROWSER
from groundswell.links.visitor import visitor_hash
from groundswell.sharing.models import Share

# Lookups run in the router's worker threads, so the data must be committed.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def close_thread_connections() -> Iterator[None]:
    """Django's ASGI handler runs sync views in asgiref's shared thread, which keeps its own (persistent on
    PostgreSQL) connection: close it so the test database can be dropped at the end of the run."""
    yield
    asyncio.run(sync_to_async(connections.close_all, thread_sensitive=True)())


@pytest.fixture
def router() -> Iterator[LinkRouter]:
    app = LinkRouter(get_asgi_application())
    yield app
    app.shutdown()


def request(app: Any, method: str, path: str, **headers: str) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 5555))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.request(method, path, headers=headers)

    return asyncio.run(go())


def test_fast_path_redirects_and_records(router: LinkRouter, share: Share, click_buffer: ClickBuffer) -> None:
    django_app = mock.AsyncMock(wraps=router.app)
    router.app = django_app
    response = request(
        router, "GET", f"/{share.code}", **{"user-agent": BROWSER, "referer": "https://www.linkedin.com/"}
    )
    assert response.status_code == 302
    assert response.headers["location"] == (
        "https://example.com/launch?utm_source=linkedin&utm_medium=employee_advocacy"
        f"&utm_campaign=we-launched-{share.item_id}&utm_content={share.code}"
    )
    assert response.headers["cache-control"] == "no-store"
    assert response.content == b""
    django_app.assert_not_called()  # Django never saw it

    assert request(router, "HEAD", f"/{share.code}", **{"user-agent": BROWSER}).status_code == 302
    assert request(router, "GET", f"/{share.code}", **{"user-agent": "Slackbot-LinkExpanding 1.0"}).status_code == 302
    assert (
        request(router, "GET", f"/{share.code}?next=https://evil.test/", **{"user-agent": BROWSER, "host": "evil.test"})
        .headers["location"]
        .startswith("https://example.com/launch?")
    )
    click_buffer.flush()
    clicks = list(Click.objects.order_by("id"))
    assert [(c.is_bot, c.is_unique) for c in clicks] == [(False, True), (True, False), (True, False), (False, False)]
    assert clicks[0].referrer_host == "www.linkedin.com"
    assert clicks[0].visitor_hash == visitor_hash("203.0.113.7", BROWSER, dt.datetime.now(dt.UTC).date())
    share.refresh_from_db()
    assert (share.human_clicks, share.unique_clicks) == (2, 1)


def test_fast_path_forwarded_for(share: Share, click_buffer: ClickBuffer, settings: Any) -> None:
    today = dt.datetime.now(dt.UTC).date()
    request(
        LinkRouter(get_asgi_application()),
        "GET",
        f"/{share.code}",
        **{"user-agent": BROWSER, "x-forwarded-for": "6.6.6.6"},
    )
    settings.TRUSTED_PROXY_COUNT = 1
    request(
        LinkRouter(get_asgi_application()),
        "GET",
        f"/{share.code}",
        **{"user-agent": BROWSER, "x-forwarded-for": "6.6.6.6, 1.2.3.4"},
    )
    click_buffer.flush()
    assert set(Click.objects.values_list("visitor_hash", flat=True)) == {
        visitor_hash("203.0.113.7", BROWSER, today),
        visitor_hash("1.2.3.4", BROWSER, today),
    }


def test_fast_path_hands_404_and_410_to_django(
    router: LinkRouter, share: Share, item: Item, click_buffer: ClickBuffer
) -> None:
    response = request(router, "GET", "/Zz9Zz9Z", **{"user-agent": BROWSER})
    assert response.status_code == 404
    assert b"short link does not exist" in response.content
    assert "content-security-policy" in response.headers
    Item.objects.filter(pk=item.pk).update(state=ItemState.ARCHIVED)
    response = request(router, "GET", f"/{share.code}", **{"user-agent": BROWSER})
    assert response.status_code == 410
    assert b"no longer shared" in response.content
    Item.objects.filter(pk=item.pk).update(state=ItemState.PUBLISHED, expires_at=timezone.now())
    assert request(router, "GET", f"/{share.code}").status_code == 410
    assert len(click_buffer) == 0


def test_other_paths_and_methods_go_to_django(router: LinkRouter, share: Share) -> None:
    assert request(router, "GET", "/healthz").json() == {"status": "ok"}
    assert request(router, "POST", f"/{share.code}").status_code in (403, 405)  # CSRF, then require_safe
    assert request(router, "GET", f"/{share.code}x").status_code == 404
    assert request(router, "GET", "/abc-def").status_code == 404


def test_fast_path_during_outage(router: LinkRouter, share: Share, click_buffer: ClickBuffer) -> None:
    resolver = LinkResolver(ttl=0, disk=None)
    set_resolver(resolver)
    ua = {"user-agent": BROWSER}
    assert request(router, "GET", f"/{share.code}", **ua).status_code == 302  # resolved once while up
    with mock.patch("groundswell.links.resolver.fetch_link", side_effect=OperationalError("down")):
        assert request(router, "GET", f"/{share.code}", **ua).status_code == 302  # from memory
        set_resolver(LinkResolver(ttl=0, disk=None))  # a restarted process without disk cache
        response = request(router, "GET", f"/{share.code}", **ua)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "30"
    assert b"temporarily unavailable" in response.content
    assert len(click_buffer) == 3
    click_buffer.flush()
    share.refresh_from_db()
    assert share.human_clicks == 3


def test_lifespan_starts_the_flusher_and_flushes_on_shutdown(share: Share, tmp_path: Any) -> None:
    written: list[ClickEvent] = []
    buffer = ClickBuffer(
        spool_dir=tmp_path,
        interval=3600,
        batch_size=1000,
        autostart=False,
        writer=lambda e: written.extend(e) or len(e),
    )
    previous = set_buffer(buffer)
    router = LinkRouter(get_asgi_application())
    sent: list[dict[str, Any]] = []

    async def lifespan() -> None:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

        async def receive() -> dict[str, Any]:
            return await queue.get()

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        task = asyncio.create_task(router({"type": "lifespan", "asgi": {"version": "3.0"}}, receive, send))
        await queue.put({"type": "lifespan.startup"})
        while not sent:
            await asyncio.sleep(0.01)
        assert buffer.running
        buffer.record(share.code, time.time(), "1.2.3.4", BROWSER, "", False)
        await queue.put({"type": "lifespan.shutdown"})
        await asyncio.wait_for(task, 10)

    try:
        asyncio.run(lifespan())
    finally:
        set_buffer(previous)
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert not buffer.running
    assert len(written) == 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_under_uvicorn_clicks_are_flushed_by_the_server(share: Share, tmp_path: Any) -> None:
    """A real server on a loopback port: lifespan starts the flusher, shutdown writes the clicks."""
    import uvicorn

    # Flushed by the lifespan shutdown only (SQLite's shared-cache test database locks whole tables).
    buffer = ClickBuffer(spool_dir=tmp_path, interval=3600, batch_size=1000, autostart=False)
    previous = set_buffer(buffer)
    port = _free_port()
    config = uvicorn.Config(
        LinkRouter(get_asgi_application()),
        host="127.0.0.1",
        port=port,
        lifespan="on",
        log_level="warning",
        access_log=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.time() + 10
        while not server.started and time.time() < deadline:
            time.sleep(0.02)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(5):
                response = client.get(f"/{share.code}", headers={"user-agent": BROWSER})
                assert response.status_code == 302
            assert client.head(f"/{share.code}", headers={"user-agent": BROWSER}).status_code == 302
        assert buffer.running
    finally:
        server.should_exit = True
        thread.join(10)
        set_buffer(previous)
    assert not buffer.running
    assert Click.objects.count() == 6
    share.refresh_from_db()
    assert (share.human_clicks, share.unique_clicks) == (5, 1)
