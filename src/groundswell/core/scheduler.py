"""Periodic jobs: a tiny in-process scheduler that runs inside every ``groundswell worker``.

django-tasks has no periodic scheduler, so each worker runs a thread that, every few seconds, looks
at the registry below and enqueues the jobs that are due. Several workers may run at once: a run is
claimed with one conditional UPDATE on :class:`~groundswell.core.models.PeriodicRun`
(``WHERE name = … AND next_run_at <= now``), which exactly one of them wins, and the task is enqueued
in the same transaction (the database task backend writes to the same database).

Registering a job (at import time of your app's ``tasks.py``, which the worker imports)::

    from groundswell.core.scheduler import register_periodic

    @task()
    def prune_things() -> None: ...

    register_periodic(prune_things, every_seconds=3600)
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, close_old_connections, connections, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules, import_string
from django_tasks import task

from groundswell.core.models import PeriodicRun

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: Any  # a django_tasks Task, or a dotted path to one (resolved when first due)
    every: dt.timedelta
    run_at_start: bool = True

    def resolve(self) -> Any:
        return import_string(self.task) if isinstance(self.task, str) else self.task


_REGISTRY: dict[str, PeriodicJob] = {}


@task()
def prune_task_results() -> None:
    """Delete finished background-task results older than two weeks (both engines keep them in the database)."""
    call_command("prune_db_task_results", queue_name="*", min_age_days=14, verbosity=0)


#: Starts a thread that a worker process runs beside its tasks; setting the event stops it.
WorkerThread = Callable[[], tuple[threading.Thread, threading.Event]]
_WORKER_THREADS: dict[str, WorkerThread] = {}


def register_worker_thread(name: str, start: WorkerThread) -> None:
    """Run ``start()``'s thread in every worker process (links: the click ingest), registered from an app's
    ``tasks.py`` like the periodic jobs, so core starts it without importing the app."""
    _WORKER_THREADS[name] = start


def start_worker_threads() -> list[tuple[threading.Thread, threading.Event]]:
    autodiscover_modules("tasks")
    return [start() for start in _WORKER_THREADS.values()]


def builtin_jobs() -> list[tuple[Any, float]]:
    from groundswell.core import broker

    jobs: list[tuple[Any, float]] = []
    backend = settings.TASKS["default"]["BACKEND"]
    if backend in ("django_tasks_db.DatabaseBackend", "groundswell.core.broker.CeleryBackend"):
        jobs.append((prune_task_results, 24 * 3600.0))  # both keep their results in the database
    if backend == "groundswell.core.broker.CeleryBackend":
        jobs.append((broker.republish_stranded, broker.REPUBLISH_EVERY_SECONDS))
    return jobs


def _task_name(task: Any) -> str:
    if isinstance(task, str):
        return task
    module_path = getattr(task, "module_path", None)
    if isinstance(module_path, str):
        return module_path
    func = getattr(task, "func", task)
    return f"{func.__module__}.{func.__qualname__}"


def register_periodic(task: Any, every_seconds: float, *, name: str = "", run_at_start: bool = True) -> PeriodicJob:
    """Enqueue ``task`` (no arguments) every ``every_seconds``. Re-registering a name replaces it."""
    if every_seconds <= 0:
        raise ValueError("every_seconds must be positive")
    job = PeriodicJob(
        name=(name or _task_name(task))[:200],
        task=task,
        every=dt.timedelta(seconds=every_seconds),
        run_at_start=run_at_start,
    )
    _REGISTRY[job.name] = job
    return job


def unregister_periodic(name: str) -> None:
    _REGISTRY.pop(name, None)


def registered_jobs() -> list[PeriodicJob]:
    return list(_REGISTRY.values())


def discover() -> list[PeriodicJob]:
    """Import every installed app's ``tasks`` module (where jobs register) and add the built-in jobs."""
    autodiscover_modules("tasks")
    for job_task, every in builtin_jobs():
        if _task_name(job_task) not in _REGISTRY:
            register_periodic(job_task, every)
    return registered_jobs()


def claim(job: PeriodicJob, now: dt.datetime, worker_id: str = "") -> bool:
    """Claim the run of ``job`` due at ``now``. True for exactly one caller per due run.

    Must be called inside a transaction when the caller enqueues afterwards, so the claim and the
    enqueued task commit together.
    """
    first_due = now if job.run_at_start else now + job.every
    if not PeriodicRun.objects.filter(name=job.name).exists():
        try:
            with transaction.atomic():
                PeriodicRun.objects.create(name=job.name, next_run_at=first_due)
        except IntegrityError:
            pass  # another worker created it first
    updated = PeriodicRun.objects.filter(name=job.name, next_run_at__lte=now).update(
        next_run_at=now + job.every, last_run_at=now, last_claimed_by=worker_id[:64]
    )
    return updated == 1


def run_pending(
    now: dt.datetime | None = None, worker_id: str = "", jobs: list[PeriodicJob] | None = None
) -> list[str]:
    """Enqueue every job that is due; return the names this worker enqueued."""
    now = now or timezone.now()
    enqueued: list[str] = []
    for job in jobs if jobs is not None else registered_jobs():
        try:
            with transaction.atomic():
                if not claim(job, now, worker_id):
                    continue
                job.resolve().enqueue()
        except Exception:
            log.exception("could not enqueue periodic job %s", job.name)
            continue
        enqueued.append(job.name)
        log.info("enqueued periodic job %s", job.name)
    return enqueued


class SchedulerThread(threading.Thread):
    """Checks the registry every ``tick`` seconds until :meth:`stop` is called."""

    def __init__(self, *, tick: float = 5.0, worker_id: str = "") -> None:
        super().__init__(name="groundswell-scheduler", daemon=True)
        self.tick = tick
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}"
        self._stop_event = threading.Event()

    def stop(self) -> None:
        self._stop_event.set()

    def run(self) -> None:
        jobs = discover()
        log.info("scheduler started with %d periodic job(s): %s", len(jobs), ", ".join(j.name for j in jobs) or "-")
        try:
            while not self._stop_event.is_set():
                close_old_connections()
                try:
                    run_pending(worker_id=self.worker_id)
                except Exception:  # the database may be briefly unavailable: try again next tick
                    log.exception("scheduler tick failed")
                self._stop_event.wait(self.tick)
        finally:
            connections.close_all()  # this thread's connections
