"""Clicks across web nodes (ADR 0033): a web node hands sealed journal batches to the database, any worker
drains them; nothing depends on a worker reading the web node's own disk."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from django.db import DatabaseError
from django.utils import timezone

from groundswell.links.buffer import ClickBuffer
from groundswell.links.handoff import drain_click_batches, hand_off_clicks
from groundswell.links.ingest import ClickEvent
from groundswell.links.models import Click, ClickBatch
from groundswell.links.tests.conftest import BROWSER
from groundswell.links.tests.test_journal import kill_after_acknowledged, stored_tags
from groundswell.sharing.models import Share

# Committed rows: the worker drains in a thread of its own, with its own connection.
pytestmark = pytest.mark.django_db(transaction=True)


def web_node(spool: Path, writer: object = hand_off_clicks) -> ClickBuffer:
    return ClickBuffer(spool_dir=spool, interval=0.05, batch_size=500, autostart=False, writer=writer)  # type: ignore[arg-type]


def test_the_web_node_hands_batches_to_the_database_and_a_worker_elsewhere_writes_them(
    share: Share, tmp_path: Path
) -> None:
    web = web_node(tmp_path / "web-host")
    for i in range(30):
        web.record(share.code, time.time(), f"203.0.113.{i}", BROWSER, "", False)
    assert web.flush() == 30
    assert Click.objects.count() == 0  # the web node did no click writing of its own
    assert ClickBatch.objects.get().clicks == 30
    assert list((tmp_path / "web-host").iterdir()) == []  # the journal is dropped once the hand-off committed

    # A worker on another host (another spool directory, empty) drains the table.
    worker = ClickBuffer(spool_dir=tmp_path / "worker-host", interval=0.05, batch_size=500, autostart=False)
    stop = threading.Event()
    thread = threading.Thread(target=worker.ingest_forever, args=(stop,), kwargs={"interval": 0.05})
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and ClickBatch.objects.exists():
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(10)
    assert Click.objects.count() == 30
    assert ClickBatch.objects.count() == 0
    share.refresh_from_db()
    assert share.human_clicks == 30


def test_a_batch_handed_off_twice_counts_once(share: Share) -> None:
    events = [ClickEvent.new(code=share.code, clicked_at=timezone.now(), visitor_hash=f"v{i}") for i in range(5)]
    hand_off_clicks(events)
    hand_off_clicks(events)  # the web node died between the commit and deleting its journal file
    assert drain_click_batches() == 5
    assert Click.objects.count() == 5
    share.refresh_from_db()
    assert share.human_clicks == 5


def test_database_down_keeps_the_segment_on_disk_and_retries(share: Share, tmp_path: Path) -> None:
    spool = tmp_path / "spool"

    def refuse(events: list[ClickEvent]) -> int:
        raise DatabaseError("connection refused")

    down = web_node(spool, refuse)
    down.record(share.code, time.time(), "203.0.113.7", BROWSER, "", False)
    down.commit()
    down.seal()
    assert down.replay_spool().failed
    assert len(list(spool.glob("clicks-*.jsonl"))) == 1  # still on disk
    assert ClickBatch.objects.count() == 0

    down.writer = hand_off_clicks  # the database is back
    assert not down.replay_spool().failed
    assert list(spool.iterdir()) == []
    assert ClickBatch.objects.get().clicks == 1


def test_a_restarted_web_node_hands_off_the_segments_of_its_killed_predecessor(share: Share, tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    acknowledged, _ = kill_after_acknowledged(spool, share.code, tmp_path, 1000)
    assert len(acknowledged) >= 1000
    assert list(spool.glob("journal-*.open")), "the killed web node left its open segment"

    successor = web_node(spool)  # the restarted web process: same journal directory
    assert not successor.replay_spool().failed
    assert successor.stats["reclaimed_segments"] == 1
    assert list(spool.iterdir()) == []
    assert Click.objects.count() == 0
    while drain_click_batches():
        pass
    assert acknowledged <= stored_tags()
    assert ClickBatch.objects.count() == 0


def test_an_unreadable_line_does_not_block_the_batches_behind_it(share: Share) -> None:
    event = ClickEvent.new(code=share.code, clicked_at=timezone.now(), visitor_hash="v")
    ClickBatch.objects.create(events='{"uid": "torn\n' + event.to_json() + "\n", clicks=2)
    hand_off_clicks([ClickEvent.new(code=share.code, clicked_at=timezone.now(), visitor_hash="w")])
    assert drain_click_batches() == 2
    assert ClickBatch.objects.count() == 0
