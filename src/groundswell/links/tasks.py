"""Background work of short links, registered with the scheduler by links (core knows no links)."""

from __future__ import annotations

import threading
from pathlib import Path

from django.conf import settings
from django_tasks import task

from groundswell.core.scheduler import register_periodic, register_worker_thread

#: How often the worker looks for spool files a web process left behind.
REPLAY_SPOOL_EVERY_SECONDS = 300.0


@task()
def replay_click_spool() -> int:
    """Write clicks that a web process spooled to disk while the database was unavailable.

    The web processes replay their spool themselves once the database answers again; this catches
    files left behind by a web process that stopped before it could (same host only).
    """
    from groundswell.links.buffer import ClickBuffer

    buffer = ClickBuffer(
        spool_dir=Path(settings.CLICK_SPOOL_DIR),
        interval=float(settings.CLICK_FLUSH_INTERVAL_SECONDS),
        batch_size=int(settings.CLICK_FLUSH_BATCH_SIZE),
        autostart=False,
    )
    return buffer.replay_spool().written


def _start_ingest_thread() -> tuple[threading.Thread, threading.Event]:
    from groundswell.links.buffer import start_ingest_thread

    return start_ingest_thread()


register_periodic(replay_click_spool, REPLAY_SPOOL_EVERY_SECONDS)
# Every worker writes the clicks spooled on its host (hand-off mode, or during an outage).
register_worker_thread("click-ingest", _start_ingest_thread)
