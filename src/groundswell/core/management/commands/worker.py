"""``groundswell worker``: the django-tasks database worker plus the periodic-job scheduler."""

from __future__ import annotations

import os
import signal
import socket
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.crypto import get_random_string

from groundswell.core.scheduler import SchedulerThread
from groundswell.links.buffer import start_ingest_thread


class Command(BaseCommand):
    help = "Run background tasks (django-tasks database worker) and enqueue periodic jobs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queue-name", default="*", help="Queues to process, comma-separated ('*' for all).")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds to wait when the queue is empty.")
        parser.add_argument("--tick", type=float, default=5.0, help="Seconds between scheduler checks.")
        parser.add_argument("--no-scheduler", action="store_true", help="Only run tasks; enqueue no periodic jobs.")
        parser.add_argument(
            "--scheduler-only",
            action="store_true",
            help="Only enqueue periodic jobs (when another worker runs the tasks, e.g. RQ's rqworker).",
        )
        parser.add_argument("--worker-id", default="", help="Unique id of this worker (default: host:pid:random).")

    def handle(self, *args: Any, **options: Any) -> None:
        backend = settings.TASKS["default"]["BACKEND"]
        worker_id = options["worker_id"] or f"{socket.gethostname()}:{os.getpid()}:{get_random_string(6)}"
        worker_id = worker_id[:64]
        # Clicks spooled by the web server on this host (hand-off mode, or during an outage).
        ingest, stop_ingest = start_ingest_thread()
        try:
            self._run(worker_id, backend, options)
        finally:
            stop_ingest.set()
            ingest.join(timeout=30)

    def _run(self, worker_id: str, backend: object, options: dict[str, Any]) -> None:
        if options["scheduler_only"] or backend != "django_tasks_db.DatabaseBackend":
            if options["no_scheduler"]:
                raise CommandError("--no-scheduler with a non-database task backend leaves nothing to do.")
            if not options["scheduler_only"]:
                self.stderr.write(
                    f"TASKS_BACKEND is {backend!r}: only enqueuing periodic jobs here. Run the backend's own "
                    "worker for the tasks (django-tasks-rq: `groundswell rqworker --job-class django_tasks_rq.Job`)."
                )
            self._scheduler_only(worker_id, options["tick"])
            return
        scheduler = None
        if not options["no_scheduler"]:
            scheduler = SchedulerThread(tick=options["tick"], worker_id=worker_id)
            scheduler.start()
        self.stdout.write(f"Groundswell worker {worker_id} started (queues: {options['queue_name']}).")
        try:
            call_command(
                "db_worker",
                queue_name=options["queue_name"],
                interval=options["interval"],
                reload=False,
                worker_id=worker_id,
                verbosity=options["verbosity"],
            )
        finally:
            if scheduler is not None:
                scheduler.stop()
                scheduler.join(timeout=5)

    def _scheduler_only(self, worker_id: str, tick: float) -> None:
        scheduler = SchedulerThread(tick=tick, worker_id=worker_id)

        def stop(signum: int, frame: FrameType | None) -> None:
            scheduler.stop()

        previous = signal.signal(signal.SIGTERM, stop)
        scheduler.start()
        self.stdout.write(f"Groundswell scheduler {worker_id} started.")
        try:
            while scheduler.is_alive():
                scheduler.join(timeout=0.5)
        except KeyboardInterrupt:
            scheduler.stop()
            scheduler.join(timeout=5)
        finally:
            signal.signal(signal.SIGTERM, previous)
