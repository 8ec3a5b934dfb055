"""The click journal: a redirect is answered only once its click is on disk, and a killed process loses none."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from unittest import mock

import pytest

from groundswell.links.buffer import ClickBuffer
from groundswell.links.ingest import ClickEvent, write_clicks
from groundswell.links.models import Click
from groundswell.links.tests.conftest import BROWSER
from groundswell.sharing.models import Share

pytestmark = pytest.mark.django_db

# A web process in miniature: 32 concurrent "redirects" on an event loop, each recording a click tagged by
# its referrer and waiting for it to be durable, then acknowledging it on stdout (the "302").
CHILD = r"""
import asyncio, itertools, sys, time
import django
django.setup()
from pathlib import Path
from groundswell.links.buffer import ClickBuffer
from groundswell.links.ingest import ClickEvent, write_clicks

spool, code = Path(sys.argv[1]), sys.argv[2]
buffer = ClickBuffer(spool_dir=spool, interval=0.05, batch_size=1000, handoff=True)
counter = itertools.count()

async def redirect_forever():
    while True:
        n = next(counter)
        group = buffer.record(code, time.time(), f"198.51.100.{n % 250}", "Mozilla/5.0", f"http://c{n}.crash.test/", False)
        await buffer.wait_async(group)
        sys.stdout.write(f"{n}\n")
        sys.stdout.flush()

async def main():
    await asyncio.gather(*(redirect_forever() for _ in range(32)))

asyncio.run(main())
"""


def stored_tags() -> set[int]:
    hosts = Click.objects.filter(referrer_host__endswith=".crash.test").values_list("referrer_host", flat=True)
    return {int(host.split(".", 1)[0][1:]) for host in hosts}


def kill_after_acknowledged(spool: Path, code: str, data_dir: Path, count: int) -> tuple[set[int], int | None]:
    """Run CHILD (a web process answering redirects into ``spool``), SIGKILL it once it has acknowledged
    ``count`` clicks (no shutdown, no flush, no atexit), and return every tag it acknowledged before the kill
    and its exit status."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "groundswell.test_settings", "GROUNDSWELL_DATA_DIR": str(data_dir)}
    child = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", CHILD, str(spool), code], env=env, stdout=subprocess.PIPE, text=True
    )
    acknowledged: set[int] = set()
    try:
        assert child.stdout is not None
        deadline = time.monotonic() + 60
        while len(acknowledged) < count and time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line:
                break
            acknowledged.add(int(line))
        child.send_signal(signal.SIGKILL)
        child.wait(10)
        acknowledged.update(int(line) for line in child.stdout.read().split())  # acked before the kill
    finally:
        if child.poll() is None:
            child.kill()
    return acknowledged, child.returncode


def test_clicks_acknowledged_before_sigkill_are_all_ingested(share: Share, tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    acknowledged, returncode = kill_after_acknowledged(spool, share.code, tmp_path, 3000)
    assert len(acknowledged) >= 3000
    assert returncode == -signal.SIGKILL
    assert list(spool.glob("journal-*.open")), "the killed process left its open segment behind"

    ingester = ClickBuffer(spool_dir=spool, interval=0.05, batch_size=500, autostart=False)
    result = ingester.replay_spool()
    assert not result.failed
    assert ingester.stats["reclaimed_segments"] == 1
    assert acknowledged <= stored_tags()  # every click whose redirect was answered is in the database
    assert list(spool.iterdir()) == []
    share.refresh_from_db()
    assert share.human_clicks == Click.objects.count() >= len(acknowledged)


def test_replaying_a_segment_again_counts_nothing_twice(share: Share, spool_dir: Path, tmp_path: Path) -> None:
    web = ClickBuffer(spool_dir=spool_dir, interval=3600, batch_size=1000, autostart=False, handoff=True)
    for i in range(20):
        web.record(share.code, time.time(), f"203.0.113.{i}", BROWSER, f"http://c{i}.crash.test/", False)
    assert web.flush() == 20
    (segment,) = spool_dir.glob("clicks-*.jsonl")
    copy = tmp_path / "copy.jsonl"
    shutil.copy(segment, copy)

    ingester = ClickBuffer(spool_dir=spool_dir, interval=3600, batch_size=7, autostart=False)
    assert ingester.replay_spool().written == 20
    share.refresh_from_db()
    counters = (share.human_clicks, share.unique_clicks)
    # A crash after the database commit and before the file was removed: the same segment comes back.
    shutil.copy(copy, segment)
    result = ingester.replay_spool()
    assert (result.files, result.events, result.written) == (1, 20, 0)
    share.refresh_from_db()
    assert (share.human_clicks, share.unique_clicks) == counters == (20, 20)
    assert Click.objects.count() == 20


def test_the_open_segment_of_a_live_process_is_left_alone(share: Share, spool_dir: Path) -> None:
    web = ClickBuffer(spool_dir=spool_dir, interval=3600, batch_size=1000, autostart=False, handoff=True)
    web.record(share.code, time.time(), "203.0.113.1", BROWSER, "", False)
    (segment,) = spool_dir.glob("journal-*.open")
    ingester = ClickBuffer(spool_dir=spool_dir, interval=3600, batch_size=1000, autostart=False)
    assert ingester.replay_spool().files == 0
    assert segment.exists() and Click.objects.count() == 0
    assert web.seal() == 1
    assert ingester.replay_spool().written == 1


def test_the_redirect_waits_until_its_click_is_on_disk(share: Share, spool_dir: Path) -> None:
    """The journal thread's fdatasync is held: the waiter must not be released before it returns."""
    disk = threading.Event()
    real_fdatasync = os.fdatasync

    def slow_fdatasync(fd: int) -> None:
        disk.wait(10)
        real_fdatasync(fd)

    buffer = ClickBuffer(spool_dir=spool_dir, interval=3600, batch_size=1000, handoff=True)
    with mock.patch("groundswell.links.buffer.os.fdatasync", slow_fdatasync):
        group = buffer.record(share.code, time.time(), "203.0.113.1", BROWSER, "", False)
        assert buffer.running
        assert not buffer.wait(group, timeout=0.3)
        disk.set()
        assert buffer.wait(group, timeout=5)
    (segment,) = spool_dir.glob("journal-*.open")
    assert share.code in segment.read_text()
    buffer.stop()
    assert len(list(spool_dir.glob("clicks-*.jsonl"))) == 1


def test_a_disk_that_refuses_keeps_the_clicks_and_answers(share: Share, spool_dir: Path) -> None:
    buffer = ClickBuffer(spool_dir=spool_dir, interval=3600, batch_size=1000, autostart=False, handoff=True)
    with mock.patch("groundswell.links.buffer.os.fdatasync", side_effect=OSError(28, "No space left on device")):
        group = buffer.record(share.code, time.time(), "203.0.113.1", BROWSER, "", False)
    assert group.done  # answered, not hung
    assert len(buffer) == 1 and buffer.stats["journal_failures"] == 1
    buffer._journal_down_until = 0
    buffer.commit()  # the disk is back: written to a fresh segment
    assert len(buffer) == 1 and buffer.stats["journaled"] == 1
    buffer.seal()
    ingester = ClickBuffer(spool_dir=spool_dir, interval=3600, batch_size=1000, autostart=False)
    ingester.replay_spool()
    assert Click.objects.count() == 1


def test_a_segment_sealed_while_a_replay_runs_is_ingested_next_round(share: Share, spool_dir: Path) -> None:
    """Inline mode: the journal thread seals while the ingest thread replays; no seal may go unnoticed."""
    buffer = ClickBuffer(spool_dir=spool_dir, interval=3600, batch_size=1000, autostart=False)
    buffer.record(share.code, time.time(), "203.0.113.1", BROWSER, "", False)
    buffer.seal()
    sealed_meanwhile: list[int] = []

    def writer(events: list[ClickEvent]) -> int:
        if not sealed_meanwhile:
            buffer.record(share.code, time.time(), "203.0.113.2", BROWSER, "", False)
            sealed_meanwhile.append(buffer.seal())
        return write_clicks(events)

    buffer.writer = writer
    assert buffer.maybe_replay() is not None
    assert sealed_meanwhile == [1] and Click.objects.count() == 1
    result = buffer.maybe_replay()
    assert result is not None and result.written == 1
    assert Click.objects.count() == 2


def test_a_segment_deleted_by_a_replay_before_its_writer_locks_it_is_not_used(
    share: Share, spool_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race bench/scale found: a replay (another thread or process on the host) sees the writer's fresh,
    still unlocked, empty segment as a dead process's, and deletes it; the writer must not journal into it."""
    import fcntl

    from groundswell.links import buffer as buffer_module

    web = ClickBuffer(spool_dir=spool_dir, interval=60, batch_size=1000, autostart=False)
    replayer = ClickBuffer(spool_dir=spool_dir, interval=60, batch_size=1000, autostart=False)
    real_flock = fcntl.flock
    raced = []

    def flock(fd: int, operation: int) -> None:
        if not raced and operation == fcntl.LOCK_EX | fcntl.LOCK_NB:
            raced.append(True)
            replayer._reclaim()  # runs between the writer's open and its lock
        real_flock(fd, operation)

    monkeypatch.setattr(buffer_module.fcntl, "flock", flock)
    web.record(share.code, time.time(), "203.0.113.5", BROWSER, "", False)
    assert raced
    monkeypatch.setattr(buffer_module.fcntl, "flock", real_flock)
    assert web.seal() == 1
    assert web.replay_spool().written == 1
    assert Click.objects.count() == 1
