"""Tasks on RabbitMQ or Redis: a django-tasks backend that delivers through Celery (docs/adr/0032).

``TASKS_BACKEND=celery`` with ``TASKS_BROKER_URL=amqp://…`` or ``redis://…``. Each enqueued task is still
a row of django-tasks-db's ``DBTaskResult`` (status, return value, traceback, worker ids), written in the
caller's transaction exactly as with the database backend; only its *delivery* changes: after the
transaction commits, a small message carrying the row's id goes to the broker, and ``groundswell worker``
(a Celery worker) picks it up and runs the row. So ``task.get_result()``, the admin and every screen that
reads a task's state work the same on every engine, and the broker never holds anything we cannot rebuild.

Delivery is at least once. Messages are acknowledged after the task ran (``acks_late``), so a worker that
dies mid-task leaves its message to be redelivered (RabbitMQ: at once; Redis: after the visibility
timeout). A worker runs a row only if it is still READY, or RUNNING and the message says it was
redelivered (its first worker died); any other copy of a message is dropped. A row whose message never
reached the broker (the broker was down at commit time) is published again by the periodic
:func:`republish_stranded` job.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import DatabaseError, close_old_connections, transaction
from django.utils import timezone
from django_tasks import TaskContext, TaskResultStatus, task
from django_tasks.signals import task_enqueued, task_finished, task_started
from django_tasks_db.backend import DatabaseBackend, TaskResult

if TYPE_CHECKING:
    from celery import Celery

log = logging.getLogger(__name__)

RUN_TASK = "groundswell.run_task"
# Tasks deferred further than this are published when due, not at once with an ETA.
FAR_DEFER = dt.timedelta(minutes=5)
# How often the scheduler runs republish_stranded (core.scheduler.builtin_jobs).
REPUBLISH_EVERY_SECONDS = 60.0


def celery_queue(queue_name: str) -> str:
    """The broker queue of a django-tasks queue (prefixed: the broker may be shared with other apps)."""
    return f"{settings.TASKS_QUEUE_PREFIX}.{queue_name}"


@cache
def celery_app() -> Celery:
    """The Celery application: a publisher in web processes, a consumer in ``groundswell worker``."""
    from celery import Celery

    app = Celery("groundswell", set_as_current=False)
    app.conf.update(
        broker_url=settings.TASKS_BROKER_URL,
        broker_connection_retry_on_startup=True,
        # RabbitMQ confirms each publish before we return; Redis honours the visibility timeout.
        broker_transport_options={
            "confirm_publish": True,
            "visibility_timeout": settings.TASKS_VISIBILITY_TIMEOUT_SECONDS,
            # Redis: look for overdue unacknowledged tasks every 10 s (kombu's default checks every 100 s).
            "unacked_restore_throttle": 1,
        },
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,  # results live in the database row
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        enable_utc=True,
    )
    app.task(name=RUN_TASK, bind=True, acks_late=True, reject_on_worker_lost=True)(_run_task_message)
    return app


def publish(result_id: str, queue_name: str, eta: dt.datetime | None = None) -> None:
    celery_app().send_task(RUN_TASK, args=[result_id], queue=celery_queue(queue_name), eta=eta)


def _publish_after_commit(result_id: str, queue_name: str, eta: dt.datetime | None) -> None:
    try:
        publish(result_id, queue_name, eta)
    except Exception:
        # The row is safe in the database; republish_stranded sends it again once the broker answers.
        log.exception("could not publish task %s to the broker; it will be republished", result_id)


class CeleryBackend(DatabaseBackend):
    """django-tasks-db's rows for state, a Celery broker (RabbitMQ, Redis) for delivery."""

    def enqueue(self, task: Any, args: Any, kwargs: Any) -> TaskResult[Any, Any]:
        self.validate_task(task)
        db_result = self._task_to_db_task(task, args, kwargs)
        result_id, queue_name = str(db_result.id), db_result.queue_name
        eta = task.run_after if isinstance(task.run_after, dt.datetime) else None
        if eta is not None and eta > timezone.now() + FAR_DEFER:
            # Not held by a worker for hours (RabbitMQ would drop its unacknowledged message):
            # republish_stranded publishes it when it is due.
            task_enqueued.send(type(self), task_result=db_result.task_result)
            return db_result.task_result
        transaction.on_commit(
            lambda: _publish_after_commit(result_id, queue_name, eta), using=db_result._state.db or "default"
        )
        task_enqueued.send(type(self), task_result=db_result.task_result)
        return db_result.task_result

    async def aenqueue(self, task: Any, args: Any, kwargs: Any) -> TaskResult[Any, Any]:
        from asgiref.sync import sync_to_async

        return await sync_to_async(self.enqueue)(task, args, kwargs)


def _run_task_message(self: Any, result_id: str) -> str:
    request = self.request
    redelivered = bool((request.delivery_info or {}).get("redelivered"))
    try:
        # Celery names a worker "celery@<id>"; record the id `groundswell worker --worker-id` was given.
        worker_id = str(request.hostname or "celery").removeprefix("celery@")[:64]
        return run_task(result_id, worker_id=worker_id, redelivered=redelivered)
    except DatabaseError as exc:
        # The database did not answer while claiming (outcomes are recorded with retries): send the
        # message again later rather than drop it. retry() publishes a copy before this one is acked.
        close_old_connections()
        raise self.retry(exc=exc, countdown=min(2 ** (request.retries or 0), 60), max_retries=30) from exc


def run_task(result_id: str, *, worker_id: str, redelivered: bool = False) -> str:
    """Claim and run the task row ``result_id``; return what happened (for logs and tests).

    "ran" / "failed": this call ran it. "skipped": another copy of the message already ran it or is
    running it. "missing": no such row (pruned, or a message from another installation).
    """
    from django_tasks_db.models import DBTaskResult

    with transaction.atomic():
        row = DBTaskResult.objects.select_for_update().filter(id=result_id).first()
        if row is None:
            log.warning("task %s: no such row, message dropped", result_id)
            return "missing"
        if not (row.status == TaskResultStatus.READY or (row.status == TaskResultStatus.RUNNING and redelivered)):
            return "skipped"  # a duplicate message: the row already ran, or is running on a live worker
        if row.status == TaskResultStatus.RUNNING:
            log.warning("task %s: its worker died mid-task, running it again", result_id)
        row.claim(worker_id)
    return "ran" if _execute(row) else "failed"


def _execute(db_task_result: Any) -> bool:
    """Run a claimed row and record the outcome (as django-tasks-db's own worker does)."""
    try:
        task_obj = db_task_result.task
        task_result = db_task_result.task_result
        backend_type = type(task_obj.get_backend())
        task_started.send(sender=backend_type, task_result=task_result)
        if task_obj.takes_context:
            value = task_obj.call(TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs)
        else:
            value = task_obj.call(*task_result.args, **task_result.kwargs)
        db_task_result.set_successful(value)
        task_finished.send(sender=backend_type, task_result=db_task_result.task_result)
        return True
    except Exception as exc:
        db_task_result.set_failed(exc)
        try:
            sender = type(db_task_result.task.get_backend())
            finished = db_task_result.task_result
        except (ImportError, SuspiciousOperation):
            log.exception("task %s failed unexpectedly", db_task_result.id)
        else:
            task_finished.send(sender=sender, task_result=finished)
        return False


@task()
def republish_stranded() -> int:
    """Publish tasks whose message is missing: the broker was down at commit time, or deferred far ahead.

    A copy of a message that still sits in the broker is harmless: the second copy finds the row taken.
    """
    from django.db.models import F, Q
    from django_tasks_db.models import DBTaskResult, get_date_max

    now = timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.TASKS_REPUBLISH_AFTER_SECONDS)
    stranded = (
        DBTaskResult.objects.ready()
        .filter(
            Q(run_after=get_date_max(), enqueued_at__lte=cutoff)  # never delivered
            | Q(run_after__lte=cutoff)  # deferred a little (published with an ETA), never delivered
            | Q(run_after__lte=now, run_after__gt=F("enqueued_at") + FAR_DEFER)  # deferred far: due now
        )
        .order_by("run_after", "enqueued_at")
        .values_list("id", "queue_name")[:10_000]
    )
    count = 0
    for result_id, queue_name in stranded:
        publish(str(result_id), queue_name)
        count += 1
    if count:
        log.warning("republished %d task(s) that waited more than %ss", count, settings.TASKS_REPUBLISH_AFTER_SECONDS)
    return count
