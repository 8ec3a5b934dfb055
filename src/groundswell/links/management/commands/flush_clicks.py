"""Write the click journal's sealed segments (``CLICK_SPOOL_DIR``) into the database.

Also seals the segments that killed web processes left open. Safe to run at any time and from several
processes: files are claimed by renaming, and ``write_clicks`` is idempotent by click ``uid``. Exits
non-zero while the database still refuses the clicks.
"""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from groundswell.links.buffer import ClickBuffer, get_buffer


class Command(BaseCommand):
    help = "Write the clicks journaled in CLICK_SPOOL_DIR to the database (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--spool-dir", type=Path, default=None, help=f"Spool directory (default: {settings.CLICK_SPOOL_DIR})."
        )
        parser.add_argument(
            "--follow",
            action="store_true",
            help="Keep writing new spool files as they appear, until SIGTERM or Ctrl-C (a click ingester).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        spool_dir: Path | None = options["spool_dir"]
        if spool_dir is None:
            buffer = get_buffer()
            buffer.flush()  # anything this process buffered itself
        else:
            buffer = ClickBuffer(
                spool_dir=spool_dir,
                interval=float(settings.CLICK_FLUSH_INTERVAL_SECONDS),
                batch_size=int(settings.CLICK_FLUSH_BATCH_SIZE),
                autostart=False,
            )
        if options["follow"]:
            self._follow(buffer)
            return
        result = buffer.replay_spool()
        self.stdout.write(
            f"Replayed {result.files} spool file(s): {result.events} click(s), {result.written} new"
            + (f", {result.bad_lines} unreadable line(s) skipped" if result.bad_lines else "")
            + "."
        )
        if result.failed:
            raise CommandError("The database refused the clicks; the remaining spool files were kept. Try again later.")

    def _follow(self, buffer: ClickBuffer) -> None:
        stop = threading.Event()

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        self.stdout.write(f"Writing spooled clicks from {buffer.spool_dir} until stopped.")
        buffer.ingest_forever(stop)
        buffer.replay_spool()  # what arrived while stopping
        self.stdout.write(f"Stopped; {buffer.stats['replayed']} click(s) written.")
