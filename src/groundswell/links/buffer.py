"""The click buffer: clicks are appended in memory and written in batches by a background thread.

* ``record`` is O(1) and lock-free (``collections.deque.append`` is atomic), safe from any thread and
  from the event loop; it never touches the database or the disk.
* The flusher thread drains the buffer every ``CLICK_FLUSH_INTERVAL_SECONDS`` (sooner when
  ``CLICK_FLUSH_BATCH_SIZE`` clicks are waiting), turns raw clicks into ``ClickEvent``s (unique ``uid``,
  visitor hash; the raw IP address never leaves memory) and writes them with ``write_clicks``.
* When the write fails the batch is spooled to ``CLICK_SPOOL_DIR`` as JSON lines (written to a temporary
  file, fsynced, renamed, directory fsynced), and the database is left alone for a short back-off
  (1 s doubling to 30 s) during which new batches go straight to the spool.
* Spool files are replayed when the database answers again, periodically, at start-up and by
  ``manage.py flush_clicks``. ``write_clicks`` is idempotent by ``uid``, so a replay never counts twice.
  A replaying process claims a file by renaming it, so processes sharing a spool never replay the same
  file at once; claims of dead processes are taken back.
* ``stop`` (ASGI lifespan shutdown, ``atexit``) stops the thread and flushes what is left.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import datetime as dt
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
from groundswell.links.ingest import ClickEvent, write_clicks
from groundswell.links.visitor import NetworkHasher, VisitorHasher

log = logging.getLogger(__name__)

# (code, Unix time, client IP, user agent, raw referrer, is bot): what a request leaves behind.
RawClick = tuple[str, float, str, str, str, bool]
Writer = Callable[[list[ClickEvent]], int]

BACKOFF_START_SECONDS: Final = 1.0
BACKOFF_MAX_SECONDS: Final = 30.0
REPLAY_CHECK_SECONDS: Final = 30.0
MAX_BATCH_FACTOR: Final = 10
STALE_PART_SECONDS: Final = 60.0
SPOOL_SUFFIX: Final = ".jsonl"
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
        self.interval = interval
        self.batch_size = batch_size
        self.autostart = autostart
        self.writer: Writer = writer or write_clicks
        # Hand-off mode: batches go to the spool only; a worker process ingests them (ADR 0004).
        self.handoff = handoff
        self._init_state()

    def _init_state(self) -> None:
        self._pending: collections.deque[RawClick] = collections.deque()
        # Events that could be neither written nor spooled (disk full…): retried first, never dropped.
        self._carry: list[ClickEvent] = []
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._flush_lock = threading.RLock()
        self._thread: threading.Thread | None = None
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

    def record(self, code: str, when: float, ip: str, user_agent: str, referrer: str, is_bot: bool) -> None:
        """Remember one click. O(1), no I/O, callable from any thread or the event loop."""
        pending = self._pending
        pending.append((code, when, ip, user_agent[:_USER_AGENT_MAX], referrer[:2048], is_bot))
        if len(pending) >= self.batch_size:
            self._wake.set()
        if not self._started and self.autostart:
            self.start()

    def __len__(self) -> int:
        return len(self._pending) + len(self._carry)

    # --- thread ----------------------------------------------------------------------------------

    def start(self) -> None:
        with self._flush_lock:
            if self._started:
                return
            self._started = True
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name="click-flusher", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the flusher and write (or spool) everything still buffered. Idempotent."""
        self._stopping.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread.is_alive() and thread is not threading.current_thread():
            thread.join(timeout)
        self._thread = None
        self._started = False
        try:
            self.flush()
        finally:
            # The shutdown flush runs in this thread's own connection; do not leave it open.
            if threading.current_thread() is not threading.main_thread():
                with contextlib.suppress(Exception):
                    connection.close()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            if self._stopping.is_set():
                break
            try:
                # This thread's connection: reconnect after errors and at CONN_MAX_AGE, except that a
                # healthy SQLite connection is kept (its max age is 0), so its page cache stays warm.
                if self._backoff or connection.vendor != "sqlite":
                    close_old_connections()
                self.flush()
                if not self.handoff:
                    self.maybe_replay()
            except Exception:
                log.exception("click flusher: unexpected error")
                self.stats["loop_errors"] += 1
        with contextlib.suppress(Exception):
            connection.close()

    def wake(self) -> None:
        self._wake.set()

    # --- flushing --------------------------------------------------------------------------------

    def _utc_day(self, when: float) -> str:
        """The UTC day of ``when`` (ISO format), as the visitor hash wants it; cached per day."""
        day_number = int(when // 86400)
        cached_number, cached_day = self._day_cache
        if cached_number != day_number:
            cached_day = dt.datetime.fromtimestamp(when, tz=dt.UTC).date().isoformat()
            self._day_cache = (day_number, cached_day)
        return cached_day

    def _events(self, raws: list[RawClick]) -> list[ClickEvent]:
        """Raw clicks → events: a fresh random (version 4) uid each, the visitor hash instead of the IP."""
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

    def _drain(self, limit: int) -> list[RawClick]:
        pending = self._pending
        batch: list[RawClick] = []
        popleft = pending.popleft
        try:
            for _ in range(min(limit, len(pending))):
                batch.append(popleft())
        except IndexError:  # pragma: no cover - only one drainer at a time, kept for safety
            pass
        return batch

    def flush(self) -> int:
        """Write everything buffered now (spooling what cannot be written). Returns clicks handled."""
        handled = 0
        with self._flush_lock:
            if self._carry:
                carry, self._carry = self._carry, []
                self._write_or_spool(carry)
                handled += len(carry)
            while True:
                # Everything waiting, up to MAX_BATCH_FACTOR batches in one transaction: a flusher that
                # fell behind under load catches up with fewer, larger (cheaper per click) transactions.
                raw = self._drain(self.batch_size * MAX_BATCH_FACTOR)
                if not raw:
                    break
                self._write_or_spool(self._events(raw))
                handled += len(raw)
        return handled

    def _write_or_spool(self, events: list[ClickEvent]) -> None:
        if self.handoff:
            self._spool_or_carry(events)
            self.stats["handed_off"] += len(events)
            return
        if time.monotonic() < self._db_down_until:
            self._spool_or_carry(events)
            return
        try:
            self.writer(events)
        except Exception as exc:
            self._mark_down(exc)
            self._spool_or_carry(events)
            return
        self.stats["written"] += len(events)
        if self._backoff:
            log.info("click flusher: database is back")
            self._backoff = 0.0
            self._spool_dirty = True

    def _mark_down(self, exc: BaseException) -> None:
        self._backoff = min(BACKOFF_MAX_SECONDS, self._backoff * 2) if self._backoff else BACKOFF_START_SECONDS
        self._db_down_until = time.monotonic() + self._backoff
        self.stats["write_failures"] += 1
        log.warning("click flusher: cannot write clicks (%s); spooling, retry in %.0f s", exc, self._backoff)

    def _spool_or_carry(self, events: list[ClickEvent]) -> None:
        try:
            self.spool(events)
        except OSError:
            log.exception(
                "click flusher: cannot spool %d clicks to %s; keeping them in memory", len(events), self.spool_dir
            )
            self._carry.extend(events)

    def spool(self, events: list[ClickEvent]) -> Path:
        """Write ``events`` durably to a new spool file and return its path."""
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
                return any(entry.name.startswith("clicks-") for entry in entries)
        except FileNotFoundError:
            return False

    def _reclaim(self) -> None:
        """Take back files claimed by dead processes, and salvage old temporary files of dead writers."""
        try:
            entries = list(os.scandir(self.spool_dir))
        except FileNotFoundError:
            return
        for entry in entries:
            name = entry.name
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
        with self._flush_lock:
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
                    result.failed = True
                    return result
                claimed.unlink(missing_ok=True)
                result.files += 1
                result.events += len(events)
                result.written += written
                self.stats["replayed"] += len(events)
            self._spool_dirty = False
            if result.files:
                _fsync_dir(self.spool_dir)
                log.info(
                    "click spool: replayed %d files, %d clicks (%d new)", result.files, result.events, result.written
                )
        return result

    def ingest_forever(self, stop: threading.Event, interval: float | None = None) -> None:
        """Write spooled batches to the database until ``stop`` is set (the worker's side of hand-off).

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
            except Exception:
                log.exception("click ingest: unexpected error")
                self.stats["loop_errors"] += 1
            stop.wait(interval)
        with contextlib.suppress(Exception):
            connection.close()

    def _after_fork(self) -> None:
        # Clicks buffered before fork() belong to the parent; the child starts empty, with its own thread.
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
