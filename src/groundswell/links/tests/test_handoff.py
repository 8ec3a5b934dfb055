"""Hand-off mode: the web process only spools click batches; the worker's ingester writes them."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from groundswell.links.buffer import ClickBuffer
from groundswell.links.models import Click
from groundswell.links.tests.conftest import BROWSER
from groundswell.sharing.models import Share

pytestmark = pytest.mark.django_db(transaction=True)


def test_web_side_spools_and_ingester_writes_exactly_once(share: Share, spool_dir: Path) -> None:
    web = ClickBuffer(spool_dir=spool_dir, interval=0.05, batch_size=1000, autostart=False, handoff=True)
    for i in range(25):
        web.record(share.code, time.time(), f"203.0.113.{i}", BROWSER, "", False)
    web.record(share.code, time.time(), "203.0.113.200", "Twitterbot/1.0", "", True)
    assert web.flush() == 26
    assert Click.objects.count() == 0  # the web process wrote nothing to the database
    assert len(list(spool_dir.glob("clicks-*.jsonl"))) == 1

    worker = ClickBuffer(spool_dir=spool_dir, interval=0.05, batch_size=10, autostart=False)
    stop = threading.Event()
    thread = threading.Thread(target=worker.ingest_forever, args=(stop,))
    thread.start()
    try:
        # Watch the spool, not the database: reading SQLite while the ingester writes can hit a lock.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (list(spool_dir.glob("clicks-*")) or worker.stats["replayed"] < 26):
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(5)
    assert Click.objects.filter(is_bot=False).count() == 25
    assert Click.objects.filter(is_bot=True).count() == 1
    assert list(spool_dir.glob("clicks-*")) == []
    share.refresh_from_db()
    assert share.human_clicks == 25


def test_ingester_keeps_files_while_the_database_refuses(share: Share, spool_dir: Path) -> None:
    web = ClickBuffer(spool_dir=spool_dir, interval=0.05, batch_size=1000, autostart=False, handoff=True)
    web.record(share.code, time.time(), "203.0.113.9", BROWSER, "", False)
    web.flush()

    def refuse(events: list[object]) -> int:
        raise OSError("database is down")

    worker = ClickBuffer(spool_dir=spool_dir, interval=0.05, batch_size=10, autostart=False, writer=refuse)  # type: ignore[arg-type]
    stop = threading.Event()
    thread = threading.Thread(target=worker.ingest_forever, args=(stop,))
    thread.start()
    time.sleep(0.3)
    stop.set()
    thread.join(5)
    assert worker.stats["write_failures"] >= 1
    assert len(list(spool_dir.glob("clicks-*.jsonl"))) == 1  # kept for later
    assert Click.objects.count() == 0
