"""The click journal: a click is on disk before its redirect is answered (docs/adr/0030).

* ``record`` adds the click to the current commit group (O(1), no I/O) and returns the group; the
  redirect then waits for the group to be durable (``wait_async`` on the event loop, ``wait`` in a
  thread) before it answers. Without a journal thread (``autostart=False``: tests, commands) ``record``
  commits in the caller.
* The journal thread commits groups (group commit): it turns raw clicks into ``ClickEvent``s (unique
  ``uid``, visitor hash; the raw IP address never leaves memory), appends them as JSON lines to this
  process's open segment file in ``CLICK_SPOOL_DIR``, calls ``fdatasync`` and releases the waiting
  redirects. While one group is written the next one fills up, so a busy server pays one disk flush per
  group, not per click.
* Every ``CLICK_FLUSH_INTERVAL_SECONDS`` the open segment (``journal-….open``, held with ``flock``) is
  sealed: renamed to ``clicks-….jsonl``, the name every ingester reads. A segment whose lock can be taken
  belongs to a process that died (SIGKILL, OOM): the next replay seals it, whoever runs it.
* Ingest: ``replay_spool`` writes sealed segments to the database with ``write_clicks``, which is
  idempotent by ``uid``, so a segment replayed twice (a crash between commit and unlink) counts once.
  Inline mode runs an ingest thread in the web process; hand-off mode leaves it to the worker
  (``flush_clicks --follow``). While the database is down the segments wait on disk: the journal is the
  buffer. A replaying process claims a file by renaming it; claims of dead processes are taken back.
* ``stop`` (ASGI lifespan shutdown, ``atexit``) commits and seals what is left and, inline, ingests it.
"""

from __future__ import annotations

import asyncio
import atexit
import collections
import contextlib
import datetime as dt
import fcntl
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from django.conf import settings
from django.db import close_old_connections, connection

from groundswell.links.clients import referrer_host
from groundswell.links.handoff import drain_click_batches, hand_off_clicks
from groundswell.links.ingest import ClickEvent, write_clicks
from groundswell.links.visitor import NetworkHasher, VisitorHasher

log = logging.getLogger(__name__)

# (code, Unix time, client IP, user agent, raw referrer, is bot): what a request leaves behind.
RawClick = tuple[str, float, str, str, str, bool]
Writer = Callable[[list[ClickEvent]], int]

BACKOFF_START_SECONDS: Final = 1.0
BACKOFF_MAX_SECONDS: Final = 30.0
REPLAY_CHECK_SECONDS: Final = 30.0
STALE_PART_SECONDS: Final = 60.0
# A redirect waits at most this long for its click to be on disk, then answers anyway (a hung disk must
# not take the links down; the click stays in memory and is retried).
DURABLE_WAIT_SECONDS: Final = 5.0
JOURNAL_RETRY_SECONDS: Final = 1.0
SPOOL_SUFFIX: Final = ".jsonl"
SEGMENT_PREFIX: Final = "journal-"
SEGMENT_SUFFIX: Final = ".open"
_CLAIM_MARK: Final = ".replaying-"
_USER_AGENT_MAX: Final = 300


def _uuid7_strings(n: int, when: float) -> list[str]:
    """``n`` distinct UUIDs (version 7: a millisecond timestamp, then 74 random bits) as strings.

    Time-ordered ids keep the unique index on ``Click.uid`` append-mostly (random version-4 ids scatter
    every insert over the whole index, which gets slow once it no longer fits in the page cache), and one
    ``os.urandom`` call per batch is much cheaper than ``uuid.uuid4()`` per click.
    """
    stamp = f"{int(when * 1000) & 0xFFFFFFFFFFFF:012x}"
    prefix = f"{stamp[:8]}-{stamp[8:12]}-7"
    h = os.urandom(16 * n).hex()
    return [
        f"{prefix}{h[i : i + 3]}-{'89ab'[int(h[i + 3], 16) & 3]}{h[i + 4 : i + 7]}-{h[i + 7 : i + 19]}"
        for i in range(0, 32 * n, 32)
    ]


@dataclass
class ReplayResult:
    files: int = 0
    events: int = 0
    written: int = 0
    failed: bool = False
    bad_lines: int = 0


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _resolve(futures: list[asyncio.Future[None]], timer: asyncio.TimerHandle | None) -> None:
    """Wake the redirects waiting for one commit group (runs on their event loop)."""
    if timer is not None:
        timer.cancel()
    for future in futures:
        if not future.done():
            future.set_result(None)


class CommitGroup:
    """Clicks committed together by one ``fdatasync``, and the requests waiting for it."""

    __slots__ = ("done", "event", "raws", "waiters")

    def __init__(self) -> None:
        self.raws: list[RawClick] = []
        self.done = False
        self.event: threading.Event | None = None  # made by the first thread that waits
        # Per event loop: the futures of its waiting requests, and the timer that gives up on the disk.
        self.waiters: dict[asyncio.AbstractEventLoop, tuple[list[asyncio.Future[None]], asyncio.TimerHandle]] = {}


@dataclass
class _Segment:
    fd: int
    path: Path
    stem: str  # "<ns>-<pid>-<seq>": the sealed name is clicks-<stem>.jsonl
    opened: float
    count: int = 0


class ClickBuffer:
    def __init__(
        self,
        *,
        spool_dir: Path,
        interval: float,
        batch_size: int,
        autostart: bool = True,
        writer: Writer | None = None,
        handoff: bool = False,
    ) -> None:
        self.spool_dir = Path(spool_dir)
        # How long a segment stays open before it is sealed and handed to ingest (and how often ingest looks).
        self.interval = interval
        self.batch_size = batch_size  # clicks per database transaction when ingesting
        self.autostart = autostart
        self.writer: Writer = writer or write_clicks
        # Hand-off mode: this process only journals; a worker process ingests the segments (ADR 0004).
        self.handoff = handoff
        self._init_state()

    def _init_state(self) -> None:
        self._lock = threading.Lock()  # guards the current group
        self._group = CommitGroup()
        # Events that could not be journaled (disk full…): retried first, never dropped.
        self._carry: list[ClickEvent] = []
        self._journal_down_until = 0.0
        self._segment: _Segment | None = None
        self._commit_lock = threading.RLock()  # one committer (and sealer) at a time
        self._replay_lock = threading.RLock()
        self._state_lock = threading.Lock()
        self._wake = threading.Event()
        self._ingest_wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._ingest_thread: threading.Thread | None = None
        self._started = False
        self._db_down_until = 0.0
        self._backoff = 0.0
        self._spool_dirty = True  # check the spool once at start-up
        self._next_spool_check = 0.0
        self._seq = 0
        self._day_cache: tuple[int, str] = (-1, "")
        self._hasher: VisitorHasher | None = None
        self._network_hasher: NetworkHasher | None = None
        self.stats: collections.Counter[str] = collections.Counter()

    # --- the hot path ----------------------------------------------------------------------------

    def record(self, code: str, when: float, ip: str, user_agent: str, referrer: str, is_bot: bool) -> CommitGroup:
        """Add one click to the current commit group and return the group (wait on it before answering).

        O(1) and no I/O while the journal thread runs; without it, commits here, in the caller.
        """
        raw = (code, when, ip, user_agent[:_USER_AGENT_MAX], referrer[:2048], is_bot)
        with self._lock:
            group = self._group
            group.raws.append(raw)
            first = len(group.raws) == 1
        if not self._started and self.autostart:
            self.start()
        if self._thread is None:
            self.commit()
        elif first:
            self._wake.set()
        return group

    def wait(self, group: CommitGroup, timeout: float = DURABLE_WAIT_SECONDS) -> bool:
        """Block until ``group`` is on disk (from a thread). False when it took longer than ``timeout``."""
        if group.done:
            return True
        with self._lock:
            if group.done:
                return True
            if group.event is None:
                group.event = threading.Event()
            event = group.event
        if event.wait(timeout):
            return True
        self.stats["durable_wait_timeouts"] += 1
        return False

    async def wait_async(self, group: CommitGroup) -> None:
        """Wait until ``group`` is on disk, without blocking the event loop (at most DURABLE_WAIT_SECONDS)."""
        if group.done:
            return
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._lock:
            if group.done:
                return
            entry = group.waiters.get(loop)
            if entry is None:
                futures: list[asyncio.Future[None]] = []
                timer = loop.call_later(DURABLE_WAIT_SECONDS, self._give_up, futures)
                group.waiters[loop] = (futures, timer)
            else:
                futures = entry[0]
            futures.append(future)
        await future

    def _give_up(self, futures: list[asyncio.Future[None]]) -> None:
        self.stats["durable_wait_timeouts"] += 1
        log.warning(
            "click journal: %d redirects waited %.0f s for the disk; answering", len(futures), DURABLE_WAIT_SECONDS
        )
        _resolve(futures, None)

    def _release(self, group: CommitGroup) -> None:
        with self._lock:
            group.done = True
            waiters, group.waiters = group.waiters, {}
            event = group.event
        if event is not None:
            event.set()
        for loop, (futures, timer) in waiters.items():
            with contextlib.suppress(RuntimeError):  # the loop has closed: nobody waits any more
                loop.call_soon_threadsafe(_resolve, futures, timer)

    def __len__(self) -> int:
        """Clicks recorded and not yet handed to ingest (waiting, in the open segment, or carried)."""
        segment = self._segment
        return len(self._group.raws) + (segment.count if segment is not None else 0) + len(self._carry)

    # --- threads ---------------------------------------------------------------------------------

    def start(self) -> None:
        with self._state_lock:
            if self._started:
                return
            self._started = True
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name="click-journal", daemon=True)
            self._thread.start()
            if not self.handoff:
                self._ingest_thread = threading.Thread(target=self._ingest_run, name="click-ingest", daemon=True)
                self._ingest_thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the threads, journal and seal everything recorded, and (inline) ingest it. Idempotent."""
        self._stopping.set()
        self._wake.set()
        self._ingest_wake.set()
        for thread in (self._thread, self._ingest_thread):
            if thread is not None and thread.is_alive() and thread is not threading.current_thread():
                thread.join(timeout)
        self._thread = self._ingest_thread = None
        self._started = False
        try:
            self.commit()
            self.seal()
            if not self.handoff and time.monotonic() >= self._db_down_until:
                self.replay_spool()
        finally:
            # The shutdown ingest runs in this thread's own connection; do not leave it open.
            if threading.current_thread() is not threading.main_thread():
                with contextlib.suppress(Exception):
                    connection.close()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        """The journal thread: commit groups as they fill, seal the segment every ``interval``."""
        while not self._stopping.is_set():
            if not self._group.raws:
                segment = self._segment
                timeout = self.interval if segment is None else segment.opened + self.interval - time.monotonic()
                if self._carry:  # the disk refused: retry when the back-off ends
                    timeout = min(timeout, self._journal_down_until - time.monotonic())
                self._wake.wait(max(timeout, 0.0))
            self._wake.clear()
            if self._stopping.is_set():
                break
            try:
                self.commit()
                segment = self._segment
                if segment is not None and time.monotonic() - segment.opened >= self.interval:
                    self.seal()
            except Exception:
                log.exception("click journal: unexpected error")
                self.stats["loop_errors"] += 1
                time.sleep(0.01)

    def _ingest_run(self) -> None:
        """Inline mode: write sealed segments to the database soon after they are sealed."""
        while not self._stopping.is_set():
            self._ingest_wake.wait(self.interval)
            self._ingest_wake.clear()
            if self._stopping.is_set():
                break
            try:
                # This thread's connection: reconnect after errors and at CONN_MAX_AGE, except that a
                # healthy SQLite connection is kept (its max age is 0), so its page cache stays warm.
                if self._backoff or connection.vendor != "sqlite":
                    close_old_connections()
                self.maybe_replay()
            except Exception:
                log.exception("click ingest: unexpected error")
                self.stats["loop_errors"] += 1
        with contextlib.suppress(Exception):
            connection.close()

    def wake(self) -> None:
        self._wake.set()
        self._ingest_wake.set()

    # --- the journal -----------------------------------------------------------------------------

    def _utc_day(self, when: float) -> str:
        """The UTC day of ``when`` (ISO format), as the visitor hash wants it; cached per day."""
        day_number = int(when // 86400)
        cached_number, cached_day = self._day_cache
        if cached_number != day_number:
            cached_day = dt.datetime.fromtimestamp(when, tz=dt.UTC).date().isoformat()
            self._day_cache = (day_number, cached_day)
        return cached_day

    def _events(self, raws: list[RawClick]) -> list[ClickEvent]:
        """Raw clicks → events: a fresh uid each, the visitor and network hashes instead of the IP."""
        hasher = self._hasher
        if hasher is None:
            hasher = self._hasher = VisitorHasher()
        network = self._network_hasher
        if network is None:
            network = self._network_hasher = NetworkHasher()
        uids = _uuid7_strings(len(raws), raws[-1][1] if raws else time.time())
        events = []
        fromtimestamp = dt.datetime.fromtimestamp
        utc = dt.UTC
        for uid, (code, when, ip, user_agent, referrer, is_bot) in zip(uids, raws, strict=True):
            events.append(
                ClickEvent(
                    uid=uid,
                    code=code,
                    clicked_at=fromtimestamp(when, tz=utc),
                    visitor_hash=hasher(ip, user_agent, self._utc_day(when)),
                    user_agent=user_agent,
                    referrer_host=referrer_host(referrer) if referrer else "",
                    is_bot=is_bot,
                    network_hash=network(ip),
                )
            )
        return events

    def commit(self) -> int:
        """Journal the current group durably (append + fdatasync), then release its waiters.

        Returns the clicks journaled. When the disk refuses, the clicks stay in memory and are retried
        (the redirects are answered anyway: availability first, and the failure is logged).
        """
        with self._commit_lock:
            with self._lock:
                group, self._group = self._group, CommitGroup()
            try:
                events = self._carry
                self._carry = []
                if group.raws:
                    events.extend(self._events(group.raws))
                if not events:
                    return 0
                if time.monotonic() < self._journal_down_until:
                    self._carry = events
                    self.stats["not_durable"] += len(group.raws)
                    return 0
                try:
                    self._append(events)
                except OSError as exc:
                    self._carry = events
                    self._journal_down_until = time.monotonic() + JOURNAL_RETRY_SECONDS
                    self.stats["journal_failures"] += 1
                    self.stats["not_durable"] += len(group.raws)
                    log.error(
                        "click journal: cannot write to %s (%s); %d clicks kept in memory",
                        self.spool_dir,
                        exc,
                        len(events),
                    )
                    return 0
                return len(events)
            finally:
                self._release(group)

    def _append(self, events: list[ClickEvent]) -> None:
        segment = self._segment or self._open_segment()
        data = "".join(event.to_json() + "\n" for event in events).encode()
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(segment.fd, view) :]
            os.fdatasync(segment.fd)
        except OSError:
            # What reached the file may end with a torn line (skipped on replay); the retry goes to a new
            # segment, and clicks written twice are counted once (uid).
            self._segment = None
            self._seal_segment(segment, force=True)
            raise
        segment.count += len(events)
        self.stats["journaled"] += len(events)
        self.stats["commits"] += 1

    def _open_segment(self) -> _Segment:
        self.spool_dir.mkdir(parents=True, exist_ok=True)
        for _ in range(5):
            self._seq += 1
            stem = f"{time.time_ns():020d}-{os.getpid()}-{self._seq:06d}"
            path = self.spool_dir / f"{SEGMENT_PREFIX}{stem}{SEGMENT_SUFFIX}"
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                # Between open and lock, a replay may have taken the fresh, empty, unlocked file for a dead
                # process's segment and deleted it: then the lock is on a file without a name, and clicks
                # written there would be acknowledged and lost. Only a file still under its name is ours.
                if os.stat(path).st_ino != os.fstat(fd).st_ino:
                    raise FileNotFoundError(path)
            except OSError:
                os.close(fd)
                continue
            _fsync_dir(self.spool_dir)  # the name is durable before any click in the file is acknowledged
            self._segment = _Segment(fd=fd, path=path, stem=stem, opened=time.monotonic())
            return self._segment
        raise OSError(f"cannot open a journal segment in {self.spool_dir}")

    def seal(self) -> int:
        """Close the open segment and hand it to ingest (rename to ``clicks-….jsonl``). Returns its clicks."""
        with self._commit_lock:
            segment, self._segment = self._segment, None
            if segment is None:
                return 0
            return self._seal_segment(segment)

    def _seal_segment(self, segment: _Segment, *, force: bool = False) -> int:
        try:
            if segment.count or force:
                os.replace(segment.path, self.spool_dir / f"clicks-{segment.stem}{SPOOL_SUFFIX}")
                _fsync_dir(self.spool_dir)
            else:
                segment.path.unlink(missing_ok=True)
        except OSError:
            # Left as an unlocked ``journal-….open`` once closed: the next replay seals it.
            log.exception("click journal: cannot seal %s", segment.path.name)
        finally:
            os.close(segment.fd)  # after the rename: the lock says "alive" until the name has changed
        if segment.count:
            self._spool_dirty = True
            self._ingest_wake.set()
            self.stats["sealed"] += 1
        return segment.count

    def flush(self) -> int:
        """Journal what is recorded, seal the segment and (inline) ingest now. Returns the clicks sealed."""
        self.commit()
        sealed = self.seal()
        if not self.handoff:
            self.maybe_replay()
        return sealed

    def spool(self, events: list[ClickEvent]) -> Path:
        """Write ``events`` durably to a new sealed spool file and return its path."""
        self.spool_dir.mkdir(parents=True, exist_ok=True)
        self._seq += 1
        name = f"clicks-{time.time_ns():020d}-{os.getpid()}-{self._seq:06d}{SPOOL_SUFFIX}"
        final = self.spool_dir / name
        part = self.spool_dir / f"{name}.part"
        with open(part, "w", encoding="utf-8") as fh:
            fh.write("".join(event.to_json() + "\n" for event in events))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(part, final)
        _fsync_dir(self.spool_dir)
        self._spool_dirty = True
        self.stats["spooled"] += len(events)
        return final

    def _mark_down(self, exc: BaseException) -> None:
        self._backoff = min(BACKOFF_MAX_SECONDS, self._backoff * 2) if self._backoff else BACKOFF_START_SECONDS
        self._db_down_until = time.monotonic() + self._backoff
        self.stats["write_failures"] += 1
        log.warning("click ingest: cannot write clicks (%s); they wait on disk, retry in %.0f s", exc, self._backoff)

    # --- replay ----------------------------------------------------------------------------------

    def maybe_replay(self) -> ReplayResult | None:
        """Replay the spool if the database is believed up and there may be something to replay."""
        now = time.monotonic()
        if now < self._db_down_until:
            return None
        if not self._spool_dirty and now < self._next_spool_check:
            return None
        self._next_spool_check = now + REPLAY_CHECK_SECONDS
        if not self._spool_files_exist():
            self._spool_dirty = False
            return None
        return self.replay_spool()

    def _spool_files_exist(self) -> bool:
        try:
            with os.scandir(self.spool_dir) as entries:
                # Open journal segments too: one may have been left by a process that died.
                return any(entry.name.startswith(("clicks-", SEGMENT_PREFIX)) for entry in entries)
        except FileNotFoundError:
            return False

    def _reclaim(self) -> None:
        """Take back files claimed by dead processes, seal the journal segments of dead processes, and
        salvage old temporary files of dead writers."""
        try:
            entries = list(os.scandir(self.spool_dir))
        except FileNotFoundError:
            return
        for entry in entries:
            name = entry.name
            if name.startswith(SEGMENT_PREFIX) and name.endswith(SEGMENT_SUFFIX):
                self._reclaim_segment(Path(entry.path), name[len(SEGMENT_PREFIX) : -len(SEGMENT_SUFFIX)])
                continue
            if not name.startswith("clicks-"):
                continue
            if _CLAIM_MARK in name:
                base, _, pid_text = name.rpartition(_CLAIM_MARK)
                pid = int(pid_text) if pid_text.isdigit() else 0
                if pid == os.getpid() or not _pid_alive(pid):
                    with contextlib.suppress(FileNotFoundError):
                        os.replace(entry.path, self.spool_dir / base)
            elif name.endswith(".part"):
                parts = name.split("-")
                pid = int(parts[2]) if len(parts) > 3 and parts[2].isdigit() else 0
                age = time.time() - entry.stat().st_mtime
                if pid != os.getpid() and not _pid_alive(pid) and age > STALE_PART_SECONDS:
                    with contextlib.suppress(FileNotFoundError):
                        os.replace(entry.path, self.spool_dir / name.removesuffix(".part"))

    def _reclaim_segment(self, path: Path, stem: str) -> None:
        """Seal a journal segment whose writer is gone: its ``flock`` is free only once that process died."""
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            return
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return  # its writer is alive (possibly this process)
            if os.fstat(fd).st_size == 0:
                path.unlink(missing_ok=True)
                return
            os.replace(path, self.spool_dir / f"clicks-{stem}{SPOOL_SUFFIX}")
            _fsync_dir(self.spool_dir)
            self.stats["reclaimed_segments"] += 1
            log.warning("click journal: sealed %s left by a process that stopped without sealing it", path.name)
        except FileNotFoundError:
            pass  # sealed by its writer meanwhile
        finally:
            os.close(fd)

    def _read_spool(self, path: Path, result: ReplayResult) -> Iterator[ClickEvent]:
        with open(path, encoding="utf-8") as fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    event = ClickEvent.from_json(line)
                    uuid.UUID(event.uid)
                except (ValueError, TypeError, KeyError, AttributeError):
                    # A torn last line of a salvaged temporary file; nothing to recover from it.
                    result.bad_lines += 1
                    log.warning("click spool %s:%d: unreadable line skipped", path.name, number)
                    continue
                yield event

    def replay_spool(self) -> ReplayResult:
        """Write every spool file to the database, oldest first; stop at the first failure."""
        result = ReplayResult()
        with self._replay_lock:
            # Cleared before looking, not after: a segment sealed while this replay runs (the journal
            # thread does not wait for it) sets it again, and the next round picks that segment up.
            self._spool_dirty = False
            self._reclaim()
            try:
                names = sorted(
                    entry.name
                    for entry in os.scandir(self.spool_dir)
                    if entry.name.startswith("clicks-") and entry.name.endswith(SPOOL_SUFFIX)
                )
            except FileNotFoundError:
                names = []
            for name in names:
                path = self.spool_dir / name
                claimed = self.spool_dir / f"{name}{_CLAIM_MARK}{os.getpid()}"
                try:
                    os.replace(path, claimed)
                except FileNotFoundError:
                    continue  # another process took it
                try:
                    events = list(self._read_spool(claimed, result))
                    written = 0
                    for offset in range(0, len(events), self.batch_size):
                        written += self.writer(events[offset : offset + self.batch_size])
                except Exception as exc:
                    with contextlib.suppress(FileNotFoundError):
                        os.replace(claimed, path)
                    self._mark_down(exc)
                    self._spool_dirty = True
                    result.failed = True
                    return result
                claimed.unlink(missing_ok=True)
                result.files += 1
                result.events += len(events)
                result.written += written
                self.stats["replayed"] += len(events)
            if self._backoff:
                log.info("click ingest: database is back")
                self._backoff = 0.0
            if result.files:
                _fsync_dir(self.spool_dir)
                log.info(
                    "click spool: replayed %d files, %d clicks (%d new)", result.files, result.events, result.written
                )
        return result

    def ingest_forever(self, stop: threading.Event, interval: float | None = None, *, drain: bool = True) -> None:
        """Write spooled batches, and batches other nodes handed off, to the database until ``stop`` is set
        (the worker's side of hand-off).

        Backs off while the database refuses writes; files stay in the spool until they are written.
        """
        interval = self.interval if interval is None else interval
        while not stop.is_set():
            try:
                if time.monotonic() >= self._db_down_until:
                    if self._backoff or connection.vendor != "sqlite":
                        close_old_connections()
                    result = self.replay_spool()
                    if not result.failed and self._backoff:
                        log.info("click ingest: database is back")
                        self._backoff = 0.0
                    if not result.failed and drain:
                        # Batches handed off by web nodes on any host (CLICK_INGEST=database).
                        while drain_click_batches():
                            if stop.is_set():
                                break
            except Exception:
                log.exception("click ingest: unexpected error")
                self.stats["loop_errors"] += 1
            stop.wait(interval)
        with contextlib.suppress(Exception):
            connection.close()

    def _after_fork(self) -> None:
        # Clicks recorded before fork() belong to the parent; the child starts empty, with its own thread
        # and segment. Closing the inherited descriptor leaves the parent's lock in place (flock locks
        # belong to the open file, which the parent still holds).
        segment = self._segment
        if segment is not None:
            with contextlib.suppress(OSError):
                os.close(segment.fd)
        self._init_state()


# --- the process-wide buffer -------------------------------------------------------------------------

_buffer: ClickBuffer | None = None
_buffer_lock = threading.Lock()


def _from_settings() -> ClickBuffer:
    return ClickBuffer(
        spool_dir=Path(settings.CLICK_SPOOL_DIR),
        interval=float(settings.CLICK_FLUSH_INTERVAL_SECONDS),
        batch_size=int(settings.CLICK_FLUSH_BATCH_SIZE),
        autostart=bool(getattr(settings, "CLICK_FLUSHER_AUTOSTART", True)),
        handoff=getattr(settings, "CLICK_INGEST", "inline") == "worker",
        # "database": the ingest thread only hands sealed batches to the database; any worker writes them.
        writer=hand_off_clicks if getattr(settings, "CLICK_INGEST", "inline") == "database" else None,
    )


def get_buffer() -> ClickBuffer:
    global _buffer
    buffer = _buffer
    if buffer is None:
        with _buffer_lock:
            if _buffer is None:
                _buffer = _from_settings()
            buffer = _buffer
    return buffer


def set_buffer(buffer: ClickBuffer | None) -> ClickBuffer | None:
    """Replace the process-wide buffer (tests); returns the previous one."""
    global _buffer
    with _buffer_lock:
        previous, _buffer = _buffer, buffer
    return previous


def _shutdown() -> None:
    buffer = _buffer
    if buffer is not None:
        try:
            buffer.stop()
        except Exception:
            log.exception("click buffer: final flush failed")


def _after_fork_in_child() -> None:
    global _buffer_lock
    _buffer_lock = threading.Lock()
    if _buffer is not None:
        _buffer._after_fork()


atexit.register(_shutdown)
os.register_at_fork(after_in_child=_after_fork_in_child)


def start_ingest_thread() -> tuple[threading.Thread, threading.Event]:
    """Start a thread that writes this host's spooled clicks to the database; set the event to stop it.

    The worker runs one: in hand-off mode it is how clicks reach the database, otherwise it replays
    batches spooled during an outage as soon as the database is back.
    """
    stop = threading.Event()
    buffer = ClickBuffer(
        spool_dir=Path(settings.CLICK_SPOOL_DIR),
        interval=float(settings.CLICK_FLUSH_INTERVAL_SECONDS),
        batch_size=int(settings.CLICK_FLUSH_BATCH_SIZE),
        autostart=False,
    )
    thread = threading.Thread(target=buffer.ingest_forever, args=(stop,), name="click-ingest", daemon=True)
    thread.start()
    return thread, stop
