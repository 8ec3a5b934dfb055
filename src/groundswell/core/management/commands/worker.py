"""``groundswell worker``: runs background tasks on the configured engine, plus the periodic-job scheduler.

The database backend (default) runs django-tasks-db's worker; ``TASKS_BACKEND=celery`` runs a Celery worker
on ``TASKS_BROKER_URL`` (RabbitMQ or Redis, docs/adr/0032). Either way each worker also runs the scheduler,
which several nodes can run at once (a due run is claimed by one of them).
"""

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

from groundswell.core.scheduler import SchedulerThread, start_worker_threads


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
        parser.add_argument(
            "--concurrency", type=int, default=4, help="Tasks run at once (TASKS_BACKEND=celery: worker threads)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        backend = settings.TASKS["default"]["BACKEND"]
        worker_id = options["worker_id"] or f"{socket.gethostname()}:{os.getpid()}:{get_random_string(6)}"
        worker_id = worker_id[:64]
        # The threads apps run beside the tasks (links: clicks spooled by the web server on this host).
        threads = start_worker_threads()
        try:
            self._run(worker_id, backend, options)
        finally:
            for _, stop in threads:
                stop.set()
            for thread, _ in threads:
                thread.join(timeout=30)

    def _run(self, worker_id: str, backend: object, options: dict[str, Any]) -> None:
        if backend == "groundswell.core.broker.CeleryBackend" and not options["scheduler_only"]:
            self._celery(worker_id, options)
            return
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

    def _celery(self, worker_id: str, options: dict[str, Any]) -> None:
        from groundswell.core.broker import celery_app, celery_queue

        if options["concurrency"] < 1:
            raise CommandError("--concurrency must be at least 1.")
        names = settings.TASKS["default"].get("QUEUES") or ["default"]
        if options["queue_name"] != "*":
            names = [n.strip() for n in options["queue_name"].split(",") if n.strip()]
        scheduler = None
        if not options["no_scheduler"]:
            scheduler = SchedulerThread(tick=options["tick"], worker_id=worker_id)
            scheduler.start()
        self.stdout.write(f"Groundswell worker {worker_id} started on the broker (queues: {', '.join(names)}).")
        try:
            # Threads, not forked children: the scheduler and click-ingest threads live in this process, and
            # a task's unacknowledged message goes back to the broker if the whole process dies.
            worker = celery_app().Worker(
                hostname=worker_id,
                pool_cls="threads",
                concurrency=options["concurrency"],
                queues=[celery_queue(n) for n in names],
                loglevel="INFO" if options["verbosity"] > 1 else "WARNING",
                without_gossip=True,
                without_mingle=True,
                without_heartbeat=True,
                optimization="fair",
                quiet=True,
            )
            worker.start()
            if worker.exitcode:
                raise CommandError(f"the Celery worker stopped with exit code {worker.exitcode}")
        finally:
            if scheduler is not None:
                scheduler.stop()
                scheduler.join(timeout=5)
