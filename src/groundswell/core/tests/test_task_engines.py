"""The real task path on each engine: TASKS_ENGINE=db (default) | rabbitmq | redis (``make test-tasks``).

On rabbitmq and redis the tests enqueue through :class:`~groundswell.core.broker.CeleryBackend`, a Celery
worker consumes from the real broker on 127.0.0.1, and the results are read back from the database, as
the app reads them. Without TASKS_ENGINE they run on the database backend and need no broker.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connections, transaction
from django.test import override_settings
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from groundswell.core import broker, scheduler
from groundswell.core.models import PeriodicRun
from groundswell.core.tests import engine_tasks

ENGINE = os.environ.get("TASKS_ENGINE", "db")
BROKERS = {
    "rabbitmq": os.environ.get("TASKS_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//"),
    "redis": os.environ.get("TASKS_REDIS_URL", "redis://127.0.0.1:6379/15"),
}
QUEUE_PREFIX = "groundswell-test"  # not the queues of an installation (or a benchmark) on the same broker
if ENGINE not in ("db", *BROKERS):
    raise RuntimeError(f"TASKS_ENGINE={ENGINE!r}: expected db, rabbitmq or redis")

pytestmark = [pytest.mark.tasks_engine, pytest.mark.django_db(transaction=True)]
on_a_broker = pytest.mark.skipif(ENGINE == "db", reason="needs TASKS_ENGINE=rabbitmq or redis")

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
CELERY_TASKS = {"default": {"BACKEND": "groundswell.core.broker.CeleryBackend", "QUEUES": ["default"]}}


class Engine:
    """Enqueue with the engine's backend, then ``drain()`` runs what was enqueued the way production does."""

    def __init__(self, name: str) -> None:
        self.name = name

    def drain(self, expected: int, timeout: float = 30.0) -> None:
        """Wait until ``expected`` task rows are finished (db: run a batch worker in this thread)."""
        if self.name == "db":
            call_command("db_worker", batch=True, interval=0, worker_id="test-db-worker", verbosity=0)
        deadline = time.monotonic() + timeout
        while DBTaskResult.objects.finished().count() < expected:
            if time.monotonic() > deadline:
                states = list(DBTaskResult.objects.values_list("status", flat=True))
                raise AssertionError(f"only {len(states)} task(s), states {states}; expected {expected} finished")
            time.sleep(0.05)


def _purge(app: Any) -> None:
    with app.connection_for_write() as conn, contextlib.suppress(Exception):  # not declared yet: nothing to purge
        conn.default_channel.queue_purge(broker.celery_queue("default"))


@contextmanager
def _celery_worker(concurrency: int) -> Iterator[None]:
    """A Celery worker in this process, as ``groundswell worker`` runs it (threads), on the real broker."""
    from celery.contrib.testing.worker import start_worker

    with start_worker(
        broker.celery_app(),
        pool="threads",
        concurrency=concurrency,
        perform_ping_check=False,
        shutdown_timeout=30,
        queues=[broker.celery_queue("default")],
        without_heartbeat=True,
    ):
        yield


@pytest.fixture
def engine() -> Iterator[Engine]:
    engine_tasks.RUNS.clear()
    if ENGINE == "db":
        with override_settings(TASKS=DB_TASKS):
            yield Engine("db")
        return
    with override_settings(TASKS=CELERY_TASKS, TASKS_BROKER_URL=BROKERS[ENGINE], TASKS_QUEUE_PREFIX=QUEUE_PREFIX):
        broker.celery_app.cache_clear()
        _purge(broker.celery_app())
        try:
            yield Engine(ENGINE)
        finally:
            broker.celery_app.cache_clear()


@pytest.fixture
def worker(engine: Engine) -> Callable[..., AbstractContextManager[None]]:
    """``with worker(n):`` runs a worker of n threads on the broker (a no-op on the database engine)."""

    @contextmanager
    def run(concurrency: int = 1) -> Iterator[None]:
        if engine.name == "db":
            yield
        else:
            with _celery_worker(concurrency):
                yield

    return run


def test_a_task_runs_and_its_result_is_recorded(engine: Engine, worker: Any) -> None:
    with transaction.atomic():
        result = engine_tasks.add.enqueue(2, 3)
        assert result.status == TaskResultStatus.READY
    with worker():
        engine.drain(1)
    result.refresh()
    assert (result.status, result.return_value) == (TaskResultStatus.SUCCESSFUL, 5)
    assert len(result.worker_ids) == 1


def test_a_failing_task_is_recorded_as_failed(engine: Engine, worker: Any) -> None:
    result = engine_tasks.boom.enqueue()
    with worker():
        engine.drain(1)
    result.refresh()
    assert result.status == TaskResultStatus.FAILED
    assert result.errors[0].exception_class_path == "builtins.ValueError"
    assert "always fails" in result.errors[0].traceback


def test_a_rolled_back_enqueue_never_runs(engine: Engine, worker: Any) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        engine_tasks.record.enqueue(1)
        raise RuntimeError("the view failed")
    engine_tasks.record.enqueue(2)
    with worker():
        engine.drain(1)
        time.sleep(0.3)  # a message of the rolled-back task would have arrived by now
    assert engine_tasks.RUNS == [2]
    assert DBTaskResult.objects.count() == 1


def test_many_tasks_on_concurrent_threads_each_run_once(engine: Engine, worker: Any) -> None:
    results = [engine_tasks.record.enqueue(n) for n in range(60)]
    with worker(2):
        engine.drain(60, timeout=60)
    assert sorted(engine_tasks.RUNS) == list(range(60))
    for result in results:
        result.refresh()
        assert result.status == TaskResultStatus.SUCCESSFUL


@on_a_broker
def test_a_duplicate_message_does_not_run_a_task_twice(engine: Engine, worker: Any) -> None:
    result = engine_tasks.record.enqueue(7)
    broker.publish(str(result.id), "default")  # e.g. republished while the first copy was still queued
    with worker():
        engine.drain(1)
        time.sleep(0.5)
    assert engine_tasks.RUNS == [7]


@on_a_broker
def test_a_task_whose_publish_failed_is_republished(engine: Engine, worker: Any) -> None:
    with mock.patch.object(broker, "publish", side_effect=ConnectionError("broker down")):
        result = engine_tasks.record.enqueue(9)  # the row is committed; its message is lost
    DBTaskResult.objects.filter(id=result.id).update(enqueued_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert broker.republish_stranded.call() == 1
    with worker():
        engine.drain(1)
    assert engine_tasks.RUNS == [9]


# --- Delivery rules (no broker needed: the worker's entry point called directly) ----------------------


@pytest.mark.usefixtures("engine")
def test_run_task_skips_copies_and_reruns_after_a_dead_worker() -> None:
    with override_settings(TASKS=CELERY_TASKS, TASKS_BROKER_URL="redis://127.0.0.1:1/0"):
        with mock.patch.object(broker, "publish"):
            result = engine_tasks.record.enqueue(4)
        result_id = str(result.id)
        assert broker.run_task(result_id, worker_id="w1") == "ran"
        assert broker.run_task(result_id, worker_id="w2") == "skipped"  # a second copy of the message
        assert broker.run_task(result_id, worker_id="w2", redelivered=True) == "skipped"  # it finished
        # A worker claimed it and died mid-task: only a redelivered message runs it again.
        DBTaskResult.objects.filter(id=result_id).update(status=TaskResultStatus.RUNNING)
        assert broker.run_task(result_id, worker_id="w3") == "skipped"
        assert broker.run_task(result_id, worker_id="w4", redelivered=True) == "ran"
        assert broker.run_task(str(uuid.uuid4()), worker_id="w5") == "missing"
    assert engine_tasks.RUNS == [4, 4]
    assert DBTaskResult.objects.get(id=result_id).worker_ids == ["w1", "w4"]


def test_two_schedulers_racing_enqueue_each_slot_once(engine: Engine) -> None:
    """Two nodes' schedulers tick at the same instants: each due slot is enqueued by exactly one."""
    job = scheduler.register_periodic(engine_tasks.record, 60, name="race-slot")
    publish = mock.patch.object(broker, "publish") if engine.name != "db" else mock.MagicMock()
    won: dict[str, list[dt.datetime]] = {"a": [], "b": []}
    start = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)
    slots = [start + dt.timedelta(seconds=60 * i) for i in range(10)]
    barrier = threading.Barrier(2)

    def node(name: str) -> None:
        try:
            for now in slots:
                barrier.wait(timeout=10)
                if scheduler.run_pending(now=now, worker_id=name, jobs=[job]):
                    won[name].append(now)
        finally:
            connections.close_all()

    try:
        with publish:
            threads = [threading.Thread(target=node, args=(n,)) for n in ("a", "b")]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=60)
    finally:
        scheduler.unregister_periodic("race-slot")
    assert sorted(won["a"] + won["b"]) == slots  # every slot fired, none twice
    assert DBTaskResult.objects.filter(task_path=engine_tasks.record.module_path).count() == len(slots)
    assert PeriodicRun.objects.get(name="race-slot").next_run_at == slots[-1] + dt.timedelta(seconds=60)


# --- A real `groundswell worker` process killed mid-task ----------------------------------------------


def _worker_env(tmp_path: Path, marks: Path) -> dict[str, str]:
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        url = f"sqlite:///{db['NAME']}"
    else:
        url = f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "PYTEST_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="groundswell.settings",
        DEBUG="0",
        SECRET_KEY="engine-test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGH",
        GROUNDSWELL_DATA_DIR=str(tmp_path),
        DATABASE_URL=url,
        SITE_URL="http://127.0.0.1:8000",
        LOG_LEVEL="WARNING",
        TASKS_BACKEND="celery",
        TASKS_BROKER_URL=BROKERS[ENGINE],
        TASKS_VISIBILITY_TIMEOUT_SECONDS="10",
        TASKS_QUEUE_PREFIX=QUEUE_PREFIX,
        ENGINE_TEST_MARKS=str(marks),
    )
    return env


def _start_worker(env: dict[str, str], name: str, log: Path) -> subprocess.Popen[bytes]:
    command = [str(Path(sys.executable).parent / "groundswell"), "worker", "--no-scheduler"]
    return subprocess.Popen(  # noqa: S603
        [*command, "--concurrency", "1", "--worker-id", name], env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT
    )


@on_a_broker
@pytest.mark.slow
def test_a_task_whose_worker_is_killed_runs_again_on_another(engine: Engine, tmp_path: Path) -> None:
    marks = tmp_path / "marks"
    env = _worker_env(tmp_path, marks)
    result = engine_tasks.slow_mark.enqueue(42)
    first = _start_worker(env, "doomed", tmp_path / "doomed.log")
    second = None
    try:
        deadline = time.monotonic() + 60
        while DBTaskResult.objects.get(id=result.id).status != TaskResultStatus.RUNNING:
            assert first.poll() is None, (tmp_path / "doomed.log").read_text()
            assert time.monotonic() < deadline, "the first worker never started the task"
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)  # mid-task: its message is not acknowledged
        first.wait()
        second = _start_worker(env, "survivor", tmp_path / "survivor.log")
        engine.drain(1, timeout=90)  # Redis hands the task on after the visibility timeout (10 s here)
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=30)
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.worker_ids == ["doomed", "survivor"]
    assert marks.read_text().split() == ["42"]  # ran to the end exactly once
