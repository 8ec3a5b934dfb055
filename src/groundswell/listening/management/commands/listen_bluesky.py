"""Listen to the Bluesky event stream for one source, forever: ``manage.py listen_bluesky --source <id>``.

Each batch goes to ``groundswell.listening.pipeline.ingest(source, posts, cursor)``, which stores the posts
and the cursor in one transaction; the next batch is read only after that returned, so the stored cursor
never runs ahead of the stored posts. A restart resumes from ``source.cursor["seq"]``. SIGTERM / SIGINT stop
after the batch in hand.
"""

from __future__ import annotations

import importlib
import signal
import threading
from collections.abc import Callable, Sequence
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from groundswell.listening.models import Source, SourceKind
from groundswell.listening.sources.base import FetchedPost, SourceError
from groundswell.listening.sources.bluesky import parse_config, stream_service_url
from groundswell.listening.sources.bluesky_stream import appview_handles, stream_posts

Handler = Callable[[Source, Sequence[FetchedPost], dict[str, Any]], object]


def pipeline_handler() -> Handler:
    """The pipeline's ``ingest``, imported when the command runs (it lives in its own module)."""
    try:
        module = importlib.import_module("groundswell.listening.pipeline")
        handler: Handler = module.ingest
    except (ImportError, AttributeError) as exc:
        raise CommandError(f"The listening pipeline is not available ({exc}); nothing can be stored.") from exc
    return handler


class Command(BaseCommand):
    help = "Listen to the Bluesky event stream for one listening source and hand each batch to the pipeline."

    def __init__(
        self, *args: Any, handler: Handler | None = None, stop_event: threading.Event | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.handler = handler  # tests inject their own
        self.stop_event = stop_event or threading.Event()

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", type=int, required=True, help="Id of a Bluesky listening source.")
        parser.add_argument("--batch-size", type=int, default=100, help="Posts per batch (default 100).")
        parser.add_argument("--flush-seconds", type=float, default=1.0, help="Longest wait before a batch.")

    def handle(self, *args: Any, **options: Any) -> None:
        source = Source.objects.filter(pk=options["source"], kind=SourceKind.BLUESKY).first()
        if source is None:
            raise CommandError(f"There is no Bluesky listening source with id {options['source']}.")
        try:
            config = parse_config(source.config)
        except ValueError as exc:
            raise CommandError(f"Source {source.pk} has invalid settings: {exc}") from None
        if not source.is_active:
            raise CommandError(f"Source {source.pk} is switched off; switch it on before listening.")
        if options["batch_size"] < 1 or options["flush_seconds"] < 0:
            raise CommandError("--batch-size must be at least 1 and --flush-seconds at least 0.")
        if config.mode != "stream":
            raise CommandError(f"Source {source.pk} is a Bluesky search (polled); only stream sources listen.")
        handler = self.handler or pipeline_handler()
        seq = source.cursor.get("seq")
        cursor = seq if isinstance(seq, int) else None
        url = stream_service_url(config)
        self.stdout.write(f"Listening to {url} for {source.name!r} from seq {cursor if cursor is not None else 'now'}")
        restore = self._stop_on_signals()
        heard = 0
        try:
            for batch in stream_posts(
                url,
                cursor,
                self.stop_event,
                batch_size=options["batch_size"],
                flush_seconds=options["flush_seconds"],
                resolve_handles=appview_handles(str(settings.BLUESKY_APPVIEW_URL)),
            ):
                handler(source, batch.posts, batch.cursor)
                heard += len(batch.posts)
        except SourceError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            restore()
        self.stdout.write(f"Stopped after {heard} post(s).")

    def _stop_on_signals(self) -> Callable[[], None]:
        if threading.current_thread() is not threading.main_thread():
            return lambda: None

        def stop(signum: int, frame: FrameType | None) -> None:
            self.stop_event.set()

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}

        def restore() -> None:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

        return restore
