"""No click is lost: database outages while writing (spool + replay) and while resolving (caches, 503)."""

from __future__ import annotations

import io
import json
import os
import threading
import time
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from groundswell.analytics.models import MemberPeriod
from groundswell.links.buffer import ClickBuffer
from groundswell.links.ingest import ClickEvent, write_clicks
from groundswell.links.models import Click
from groundswell.links.resolver import DiskLinkCache, LinkResolver, LinkUnavailable, set_resolver
from groundswell.links.tests.conftest import BROWSER, CHROME
from groundswell.sharing.models import Share

pytestmark = pytest.mark.django_db

DB_DOWN = OperationalError("connection to server at 127.0.0.1 failed: Connection refused")


def spool_files(spool_dir: Path) -> list[Path]:
    return sorted(spool_dir.glob("clicks-*.jsonl")) if spool_dir.exists() else []


def click_many(client: Client, share: Share, n: int, agent: str = BROWSER) -> None:
    for _ in range(n):
        assert client.get(f"/{share.code}", HTTP_USER_AGENT=agent).status_code == 302


def test_outage_during_flush_spools_then_replays_exactly_once(
    client: Client, share: Share, click_buffer: ClickBuffer, spool_dir: Path
) -> None:
    click_many(client, share, 3)
    click_many(client, share, 2, agent=CHROME)
    client.get(f"/{share.code}", HTTP_USER_AGENT="Twitterbot/1.0")
    with mock.patch.object(click_buffer, "writer", side_effect=DB_DOWN):
        click_buffer.flush()
    assert Click.objects.count() == 0
    files = spool_files(spool_dir)
    assert len(files) == 1
    lines = files[0].read_text().splitlines()
    assert len(lines) == 6
    events = [ClickEvent.from_json(line) for line in lines]
    assert {e.code for e in events} == {share.code}
    assert "127.0.0.1" not in files[0].read_text()  # raw addresses are never written anywhere

    # More clicks arrive while the database is still considered down: straight to the spool, no DB attempt.
    click_many(client, share, 1)
    writer = mock.Mock(side_effect=AssertionError("must not be called during back-off"))
    with mock.patch.object(click_buffer, "writer", writer):
        click_buffer.flush()
    assert len(spool_files(spool_dir)) == 2

    # The database is back: the periodic replay writes the spool, oldest first.
    click_buffer._db_down_until = 0
    result = click_buffer.maybe_replay()
    assert result is not None and (result.files, result.events, result.written, result.failed) == (2, 7, 7, False)
    assert spool_files(spool_dir) == []
    assert Click.objects.count() == 7
    share.refresh_from_db()
    assert (share.human_clicks, share.unique_clicks) == (6, 2)
    assert MemberPeriod.objects.get(member=share.member, period="d").bot_clicks == 1

    # Replaying the same events again (e.g. a crash after commit, before the file was removed) adds nothing.
    click_buffer.spool(events)
    assert click_buffer.replay_spool().written == 0
    share.refresh_from_db()
    assert (share.human_clicks, share.unique_clicks) == (6, 2)
    assert Click.objects.count() == 7


def test_failed_replay_keeps_the_file(click_buffer: ClickBuffer, share: Share, spool_dir: Path) -> None:
    event = ClickEvent.new(
        code=share.code, clicked_at=__import__("django.utils.timezone").utils.timezone.now(), visitor_hash="v"
    )
    click_buffer.spool([event])
    with mock.patch.object(click_buffer, "writer", side_effect=DB_DOWN):
        result = click_buffer.replay_spool()
    assert result.failed
    assert len(spool_files(spool_dir)) == 1
    assert click_buffer.maybe_replay() is None  # backing off
    click_buffer._db_down_until = 0
    assert click_buffer.replay_spool().written == 1
    assert spool_files(spool_dir) == []


def test_flush_clicks_command_replays_the_spool(
    client: Client, share: Share, click_buffer: ClickBuffer, spool_dir: Path, settings: object
) -> None:
    click_many(client, share, 4)
    with mock.patch.object(click_buffer, "writer", side_effect=DB_DOWN):
        click_buffer.flush()
    assert Click.objects.count() == 0

    with mock.patch("groundswell.links.buffer.write_clicks", side_effect=DB_DOWN), pytest.raises(CommandError):
        call_command("flush_clicks", "--spool-dir", str(spool_dir), stdout=io.StringIO())
    assert len(spool_files(spool_dir)) == 1

    out = io.StringIO()
    call_command("flush_clicks", "--spool-dir", str(spool_dir), stdout=out)
    assert "1 spool file(s): 4 click(s), 4 new" in out.getvalue()
    share.refresh_from_db()
    assert (share.human_clicks, share.unique_clicks) == (4, 1)


def test_claims_of_dead_processes_are_taken_back(click_buffer: ClickBuffer, share: Share, spool_dir: Path) -> None:
    path = click_buffer.spool([ClickEvent.new(code=share.code, clicked_at=timezone.now(), visitor_hash="v")])
    path.rename(path.with_name(path.name + ".replaying-999999999"))  # a replayer that died
    part = spool_dir / "clicks-00000000000000000001-999999999-000001.jsonl.part"
    good = ClickEvent.new(code=share.code, clicked_at=timezone.now(), visitor_hash="w").to_json()
    part.write_text(good + "\n" + good[:20])  # a writer that died mid-line
    old = time.time() - 3600
    os.utime(part, (old, old))
    result = click_buffer.replay_spool()
    assert (result.files, result.written, result.bad_lines) == (2, 2, 1)
    assert Click.objects.count() == 2
    assert list(spool_dir.iterdir()) == []


def test_unknown_codes_in_the_spool_are_dropped_not_retried(click_buffer: ClickBuffer, share: Share) -> None:
    click_buffer.spool([ClickEvent.new(code="Nope123", clicked_at=timezone.now(), visitor_hash="v")])
    assert click_buffer.replay_spool().files == 1
    assert Click.objects.count() == 0


def test_buffer_is_safe_with_many_threads(share: Share, tmp_path: Path) -> None:
    written: list[ClickEvent] = []
    lock = threading.Lock()

    def writer(events: list[ClickEvent]) -> int:
        with lock:
            written.extend(events)
        return len(events)

    buffer = ClickBuffer(spool_dir=tmp_path / "spool", interval=0.01, batch_size=50, autostart=True, writer=writer)

    def hammer(n: int) -> None:
        for i in range(n):
            buffer.record(share.code, time.time(), f"10.0.0.{i % 7}", BROWSER, "", False)

    threads = [threading.Thread(target=hammer, args=(2000,)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert buffer.running
    buffer.stop()
    assert not buffer.running
    assert len(written) == 16000
    assert len({e.uid for e in written}) == 16000


def test_flusher_thread_spools_when_writes_fail_and_recovers(tmp_path: Path, share: Share) -> None:
    calls: list[int] = []
    down = threading.Event()
    down.set()

    def writer(events: list[ClickEvent]) -> int:
        calls.append(len(events))
        if down.is_set():
            raise DB_DOWN
        return len(events)

    buffer = ClickBuffer(spool_dir=tmp_path / "spool", interval=0.01, batch_size=100, writer=writer)
    buffer.record(share.code, time.time(), "1.1.1.1", BROWSER, "", False)
    deadline = time.time() + 5
    while not spool_files(tmp_path / "spool") and time.time() < deadline:
        time.sleep(0.01)
    assert len(spool_files(tmp_path / "spool")) == 1
    down.clear()
    buffer._db_down_until = 0
    buffer._next_spool_check = 0
    buffer.wake()
    while spool_files(tmp_path / "spool") and time.time() < deadline:
        time.sleep(0.01)
    buffer.stop()
    assert spool_files(tmp_path / "spool") == []
    assert buffer.stats["replayed"] == 1


def test_resolver_survives_outage_and_restart(share: Share, disk_cache: DiskLinkCache, client: Client) -> None:
    resolver = LinkResolver(ttl=0, disk=disk_cache)
    set_resolver(resolver)
    live = resolver.resolve(share.code)
    assert live is not None
    with mock.patch("groundswell.links.resolver.fetch_link", side_effect=DB_DOWN):
        assert resolver.resolve(share.code) == live  # stale memory entry
        restarted = LinkResolver(ttl=0, disk=DiskLinkCache(disk_cache.path))
        assert restarted.resolve(share.code) == live  # the disk cache
        set_resolver(restarted)
        response = client.get(f"/{share.code}", HTTP_USER_AGENT=BROWSER)
        assert response.status_code == 302 and response["Location"] == live.location
        fresh = LinkResolver(ttl=0, disk=DiskLinkCache(disk_cache.path.with_name("other.sqlite3")))
        with pytest.raises(LinkUnavailable):
            fresh.resolve(share.code)


def test_unknown_code_during_outage_is_503_and_still_recorded(
    client: Client, share: Share, click_buffer: ClickBuffer
) -> None:
    with mock.patch("groundswell.links.resolver.fetch_link", side_effect=DB_DOWN):
        response = client.get(f"/{share.code}", HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    assert b"temporarily unavailable" in response.content
    assert len(click_buffer) == 1
    click_buffer.flush()  # the database is back by now: the click counts
    share.refresh_from_db()
    assert share.human_clicks == 1


def test_deleted_share_leaves_the_disk_cache(share: Share, disk_cache: DiskLinkCache) -> None:
    resolver = LinkResolver(ttl=0, disk=disk_cache)
    assert resolver.resolve(share.code) is not None
    assert disk_cache.get(share.code) is not None
    Share.objects.filter(pk=share.pk).delete()
    assert resolver.resolve(share.code) is None
    assert disk_cache.get(share.code) is None


def test_spool_lines_are_click_events(click_buffer: ClickBuffer, share: Share, spool_dir: Path) -> None:
    click_buffer.record(share.code, time.time(), "9.9.9.9", BROWSER, "https://www.linkedin.com/feed/", False)
    with mock.patch.object(click_buffer, "writer", side_effect=DB_DOWN):
        click_buffer.flush()
    (path,) = spool_files(spool_dir)
    data = json.loads(path.read_text())
    assert data["code"] == share.code and data["referrer_host"] == "www.linkedin.com" and not data["is_bot"]
    assert write_clicks([ClickEvent.from_json(path.read_text())]) == 1


def test_stale_links_are_served_while_refreshing(share: Share, disk_cache: DiskLinkCache) -> None:
    from groundswell.content.models import Item, ItemState
    from groundswell.links.resolver import MISS

    resolver = LinkResolver(ttl=60, disk=disk_cache)
    assert resolver.lookup(share.code) == (MISS, False)
    link = resolver.resolve(share.code)
    assert resolver.lookup(share.code) == (link, False)
    resolver._memory[share.code] = (0.0, link)  # expired
    assert resolver.lookup(share.code) == (link, True)  # stale answer, caller refreshes
    assert resolver.lookup(share.code) == (link, False)  # only one refresh at a time
    Item.objects.filter(pk=share.item_id).update(state=ItemState.ARCHIVED)
    resolver.refresh(share.code)
    fresh, refresh = resolver.lookup(share.code)
    assert not refresh and fresh is not None and not fresh.is_live(time.time())


def test_prewarm_loads_recent_shares(share: Share, text_share: Share, disk_cache: DiskLinkCache) -> None:
    resolver = LinkResolver(ttl=60, disk=disk_cache)
    assert resolver.prewarm(10) == 2
    assert resolver.peek(share.code) is not None and resolver.peek(text_share.code) is not None
    assert disk_cache.get(share.code) == resolver.peek(share.code)
    with mock.patch("groundswell.links.resolver.Share.objects.order_by", side_effect=DB_DOWN):
        assert LinkResolver(ttl=60, disk=None).prewarm(10) == 0


def test_outage_retries_the_database_at_most_every_few_seconds(share: Share) -> None:
    resolver = LinkResolver(ttl=60, disk=None)
    link = resolver.resolve(share.code)
    resolver._memory[share.code] = (0.0, link)
    with mock.patch("groundswell.links.resolver.fetch_link", side_effect=DB_DOWN) as fetch:
        assert resolver.resolve(share.code) == link
        assert resolver.resolve(share.code) == link
        assert resolver.resolve(share.code) == link
    assert fetch.call_count == 1
