"""Task engines side by side, and a worker killed mid-load (docs/scaling.md).

* A database of its own on PostgreSQL (``BENCH_POSTGRES_URL``, default ``postgres://postgres@127.0.0.1:5432``),
  copied from a migrated template database (``CREATE DATABASE … TEMPLATE``, remade when the migrations
  change) and dropped at the end.
* For each engine: the database backend (django-tasks-db), RabbitMQ (``BENCH_RABBITMQ_URL``, default
  guest on 127.0.0.1:5672) and Redis (``BENCH_REDIS_URL``, default 127.0.0.1:6379/14), two real
  ``groundswell worker`` processes (2 threads each on the brokers, the database worker is one at a time).
* Throughput: ``BENCH_TASKS`` tasks enqueued through the app's own ``Task.enqueue`` (4 threads standing for
  web processes) while the workers run,
  timed from the first enqueue until the database shows every one finished; reported per engine and as a
  ratio to the database backend measured in the same run.
* Chaos (full mode): a second load of tasks that take 20 ms each; when a third are done one worker is killed
  (SIGKILL) and started again. Each run of a task appends its number to a file, so runs are counted outside
  the database: lost = a task that never ran to the end, duplicated = one that ran to the end twice. The
  database backend is measured too: a row its killed worker was running stays RUNNING (``db_chaos_lost``).
* Nodes (``nodes.py``, both modes): 2 web nodes (``groundswell serve`` on two loopback ports, clicks handed
  off through PostgreSQL, Redis link cache at ``BENCH_REDIS_CACHE_URL``, default 127.0.0.1:6379/13) and 2
  workers on RabbitMQ, each with a journal directory of its own (a host of its own); tagged click load on
  both web nodes and a task load; one web node and one worker are killed (SIGKILL) and restarted mid-load.
* Every wait ends when everything has arrived, or after a window without progress (tasks: the ``timeout``
  given, 60 s in the chaos runs; clicks: 90 s), never after a fixed total: a loaded machine drains slowly and
  must read as slow, not as lost (on 2026-12-07 a fixed 60 s/90 s deadline at load 15 "lost" 426 tasks and
  18,165 clicks that were merely late).

Quick mode (``BENCH_QUICK=1``, for CI): 300 tasks per engine, then the node run (4 s of clicks, 300 tasks).
Last line: ``BENCH scale web_nodes=2 workers=2 clicks_sent=<n> clicks_lost=<n> tasks_sent=<n> tasks_lost=<n>
tasks_duplicated=<n> …`` then the throughput per engine (``db_per_s``, ``rabbitmq_ratio``, …). clicks_sent
counts the redirects answered (a request the killed node never answered is not a click it promised to keep);
tasks_* add up the node run and, in full mode, the broker chaos runs. Exit status 1 when anything was lost
or duplicated.
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BIN = Path(sys.executable).parent
QUICK = os.environ.get("BENCH_QUICK") == "1"
WORKERS = 2
ENQUEUERS = 4  # threads enqueueing, standing for web processes (a confirmed publish waits for the broker's disk)
BROKERS = {
    "rabbitmq": os.environ.get("BENCH_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//"),
    "redis": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
}
QUEUE_PREFIX = "groundswell-bench"  # not the queues of an installation (or the tests) on the same broker
BACKENDS = {"db": "django_tasks_db.DatabaseBackend", "celery": "groundswell.core.broker.CeleryBackend"}


T0 = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - T0:5.1f}s] {message}", file=sys.stderr, flush=True)


def database_url(base: str, name: str) -> str:
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def admin_sql(base: str, statement: str) -> None:
    with psycopg.connect(database_url(base, "postgres"), autocommit=True) as conn:
        conn.execute(statement)  # type: ignore[arg-type]


class Bench:
    def __init__(self, env: dict[str, str], data_dir: Path) -> None:
        self.env = env
        self.data_dir = data_dir
        self.workers: list[subprocess.Popen[bytes]] = []

    def engine_env(self, engine: str, marks: Path, task_seconds: float) -> dict[str, str]:
        env = dict(self.env, BENCH_SCALE_MARKS=str(marks), BENCH_TASK_SECONDS=str(task_seconds))
        if engine == "db":
            env["TASKS_BACKEND"] = "db"
        else:
            env.update(
                TASKS_BACKEND="celery",
                TASKS_BROKER_URL=BROKERS[engine],
                TASKS_VISIBILITY_TIMEOUT_SECONDS="10",
                TASKS_QUEUE_PREFIX=QUEUE_PREFIX,
            )
        return env

    def start_workers(self, engine: str, env: dict[str, str]) -> list[subprocess.Popen[bytes]]:
        """Start every worker at once, then wait until each is ready (they boot in parallel)."""
        procs = [self.start_worker(engine, i, env, wait=False) for i in range(WORKERS)]
        for i in range(WORKERS):
            self.wait_ready(engine, i)
        return procs

    def start_worker(self, engine: str, index: int, env: dict[str, str], wait: bool = True) -> subprocess.Popen[bytes]:
        out = (self.data_dir / f"worker-{engine}-{index}.log").open("ab")
        args = [
            str(BIN / "groundswell"),
            "worker",
            "--no-scheduler",
            "--worker-id",
            f"bench-{engine}-{index}",
            "-v",
            "2",
        ]
        if engine == "db":
            args += ["--interval", "0.05"]
        else:
            args += ["--concurrency", "2"]
        proc = subprocess.Popen(args, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        if wait:
            self.wait_ready(engine, index)
        return proc

    def wait_ready(self, engine: str, index: int) -> None:
        path = self.data_dir / f"worker-{engine}-{index}.log"
        needle = "ready." if engine != "db" else "Starting worker"
        deadline = time.monotonic() + 60
        while needle not in path.read_text(errors="replace"):
            if time.monotonic() > deadline:
                raise SystemExit(f"worker {engine}-{index} did not start:\n{path.read_text()[-3000:]}")
            time.sleep(0.05)

    def stop_workers(self, *, idle: bool = False) -> None:
        """SIGTERM (warm shutdown). ``idle``: every task has finished, so a Celery worker is simply killed
        (its warm shutdown takes ~10 s on RabbitMQ, a fifth of the quick run); a message whose ack was still
        in flight goes back to the queue, which the next run purges (``reset``)."""
        started = time.monotonic()
        for proc in self.workers:
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL if idle and "--concurrency" in proc.args else signal.SIGTERM)
        for proc in self.workers:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.workers = []
        log(f"workers stopped in {time.monotonic() - started:.1f} s")


def reset(engine: str) -> None:
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()
    if engine != "db":
        from groundswell.core.broker import celery_app, celery_queue

        with celery_app().connection_for_write() as conn, contextlib.suppress(Exception):  # not declared yet
            conn.default_channel.queue_purge(celery_queue("default"))


def configure(engine: str) -> Any:
    from django.test import override_settings

    from groundswell.core.broker import celery_app

    celery_app.cache_clear()
    if engine == "db":
        return override_settings(TASKS={"default": {"BACKEND": BACKENDS["db"], "QUEUES": ["default"]}})
    return override_settings(
        TASKS={"default": {"BACKEND": BACKENDS["celery"], "QUEUES": ["default"]}},
        TASKS_BROKER_URL=BROKERS[engine],
        TASKS_QUEUE_PREFIX=QUEUE_PREFIX,
    )


def wait_finished(expected: int, timeout: float, on_progress: Any = None) -> float:
    """Wait until ``expected`` tasks have finished, or until none has finished for ``timeout`` seconds.

    The window restarts with every task that finishes, so a loaded machine (slow, but moving) is measured
    as slow, not as lost; a task counts as lost only when the queue stalled without it (capped at 20 windows).
    """
    from django_tasks_db.models import DBTaskResult

    started = time.monotonic()
    last_done, last_progress = -1, started
    while True:
        done = DBTaskResult.objects.finished().count()
        now = time.monotonic()
        if on_progress is not None:
            on_progress(done)
        if done >= expected:
            return now
        if done > last_done:
            last_done, last_progress = done, now
        if now - last_progress > timeout or now - started > 20 * timeout:
            log(f"stalled at {done}/{expected} finished ({now - last_progress:.0f} s without progress)")
            return now
        time.sleep(0.02)


def enqueue_all(task: Any, tasks: int) -> None:
    """Enqueue tasks 0..n-1 from ENQUEUERS threads, as that many web processes would."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    def chunk(start: int) -> None:
        try:
            for n in range(start, tasks, ENQUEUERS):
                task.enqueue(n)
        finally:
            connection.close()

    with ThreadPoolExecutor(ENQUEUERS) as pool:
        list(pool.map(chunk, range(ENQUEUERS)))


def throughput(bench: Bench, engine: str, tasks: int) -> float:
    import scale_tasks

    marks = bench.data_dir / f"marks-{engine}-throughput"
    with configure(engine):
        reset(engine)
        env = bench.engine_env(engine, marks, 0)
        booting = time.monotonic()
        bench.workers = bench.start_workers(engine, env)
        log(f"{engine}: workers ready in {time.monotonic() - booting:.1f} s")
        try:
            started = time.monotonic()
            enqueue_all(scale_tasks.mark, tasks)
            enqueued = time.monotonic()
            ended = wait_finished(tasks, timeout=300)
        finally:
            bench.stop_workers(idle=True)
    runs = collections.Counter(marks.read_text().split()) if marks.exists() else collections.Counter()
    if len(runs) != tasks:
        raise SystemExit(f"{engine}: only {len(runs)} of {tasks} tasks ran")
    rate = tasks / (ended - started)
    log(
        f"{engine}: {tasks} tasks on {WORKERS} workers in {ended - started:.2f} s: {rate:.0f} tasks/s "
        f"(enqueueing took {enqueued - started:.2f} s)"
    )
    return rate


def chaos(bench: Bench, engine: str, tasks: int) -> tuple[int, int, int]:
    import scale_tasks

    marks = bench.data_dir / f"marks-{engine}-chaos"
    with configure(engine):
        reset(engine)
        env = bench.engine_env(engine, marks, 0.02)
        bench.workers = bench.start_workers(engine, env)
        killed = False

        def kill_once(done: int) -> None:
            nonlocal killed
            if not killed and done >= tasks // 3:
                killed = True
                victim = bench.workers[0]
                victim.send_signal(signal.SIGKILL)
                victim.wait()
                log(f"{engine}: killed worker 0 at {done}/{tasks} finished; starting it again")
                bench.workers[0] = bench.start_worker(engine, 0, env)

        try:
            enqueue_all(scale_tasks.mark, tasks)
            # Redis hands a dead worker's task on after the visibility timeout (10 s here).
            wait_finished(tasks, timeout=60, on_progress=kill_once)
        finally:
            bench.stop_workers()
    from django_tasks_db.models import DBTaskResult

    runs = collections.Counter(marks.read_text().split()) if marks.exists() else collections.Counter()
    lost = sum(1 for n in range(tasks) if runs[str(n)] == 0)
    duplicated = sum(1 for count in runs.values() if count > 1)
    # Tasks the killed worker had started (or reserved) that another worker ran again.
    rerun = sum(1 for ids in DBTaskResult.objects.values_list("worker_ids", flat=True) if len(ids) > 1)
    log(
        f"{engine}: chaos {tasks} tasks, one worker killed and restarted: lost={lost} duplicated={duplicated} "
        f"rerun_after_kill={rerun}"
    )
    return lost, duplicated, rerun


def migrated_database(postgres: str, name: str, env: dict[str, str]) -> None:
    """Create ``name`` as a copy of a migrated template (``CREATE DATABASE … TEMPLATE``), migrating a new
    template only when the migrations changed: a rerun skips the migrations (most of a quick run's time)."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "src" / "groundswell").glob("*/migrations/*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    template = f"gs_scale_template_{digest.hexdigest()[:12]}"
    with psycopg.connect(database_url(postgres, "postgres"), autocommit=True) as conn:
        names = {
            row[0] for row in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 'gs_scale_template_%'")
        }
    if template not in names:
        started = time.monotonic()
        building = f"{template}_{os.getpid()}"  # renamed once migrated: a failed run leaves no broken template
        admin_sql(postgres, f'CREATE DATABASE "{building}"')
        admin_sql(postgres, f'ALTER DATABASE "{building}" SET synchronous_commit TO off')
        subprocess.run(
            [str(BIN / "groundswell"), "migrate", "--noinput", "-v", "0"],
            env=dict(env, DATABASE_URL=database_url(postgres, building)),
            cwd=ROOT,
            check=True,
        )
        admin_sql(postgres, f'ALTER DATABASE "{building}" RENAME TO "{template}"')
        for old in names:  # templates of older migrations
            admin_sql(postgres, f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)')
        log(f"migrated a new template database {template} in {time.monotonic() - started:.0f} s")
    admin_sql(postgres, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    # A throw-away database: commits need not wait for the disk.
    admin_sql(postgres, f'ALTER DATABASE "{name}" SET synchronous_commit TO off')


def main() -> int:
    tasks = int(os.environ.get("BENCH_TASKS") or (300 if QUICK else 3000))
    chaos_tasks = 200 if QUICK else 1000
    node_tasks = 300 if QUICK else 2000
    node_seconds = 4.0 if QUICK else 20.0
    postgres = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
    redis_cache = os.environ.get("BENCH_REDIS_CACHE_URL", "redis://127.0.0.1:6379/13")
    name = f"gs_scale_{os.getpid()}"
    data_dir = Path(tempfile.mkdtemp(prefix="groundswell-scale-"))
    env = {
        **os.environ,
        "DATABASE_URL": database_url(postgres, name),
        "DJANGO_SETTINGS_MODULE": "groundswell.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SITE_URL": "http://127.0.0.1",
        "ALLOWED_HOSTS": "127.0.0.1",
        "GROUNDSWELL_DATA_DIR": str(data_dir),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(HERE)]),
    }
    started = time.monotonic()
    migrated_database(postgres, name, env)
    try:
        log(f"database ready in {time.monotonic() - started:.1f} s")
        os.environ.update({k: v for k, v in env.items() if k != "PYTHONPATH"})
        sys.path.insert(0, str(HERE))
        import django

        django.setup()
        import nodes

        nodes.T0 = T0
        bench = Bench(env, data_dir)
        rates = {engine: throughput(bench, engine, tasks) for engine in ("db", "rabbitmq", "redis")}
        # Quick mode: the node run below kills a RabbitMQ worker under load; the full run adds each engine alone.
        chaos_engines = [] if QUICK else ["rabbitmq", "redis", "db"]
        outcome = {engine: chaos(bench, engine, chaos_tasks) for engine in chaos_engines}
        with configure("rabbitmq"):
            reset("rabbitmq")
            marks = data_dir / "marks-nodes"
            scale = nodes.run(
                base_env=env,
                engine_env=bench.engine_env("rabbitmq", marks, 0.02),
                data_dir=data_dir / "nodes",
                redis_url=redis_cache,
                marks=marks,
                tasks=node_tasks,
                seconds=node_seconds,
                connections=16 if QUICK else 32,
                enqueue=enqueue_all,
                wait_finished=wait_finished,
            )
    finally:
        from django.db import connections

        connections.close_all()
        admin_sql(postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    broker_runs = [engine for engine in chaos_engines if engine != "db"]
    tasks_sent = scale.tasks_sent + chaos_tasks * len(broker_runs)
    lost = scale.tasks_lost + sum(outcome[e][0] for e in broker_runs)
    duplicated = scale.tasks_duplicated + sum(outcome[e][1] for e in broker_runs)
    rerun = scale.tasks_rerun + sum(outcome[e][2] for e in broker_runs)
    extra = f" db_chaos_lost={outcome['db'][0]}" if "db" in outcome else ""
    print(
        f"BENCH scale web_nodes={nodes.WEB_NODES} workers={WORKERS} clicks_sent={scale.clicks_sent} "
        f"clicks_lost={scale.clicks_lost} tasks_sent={tasks_sent} tasks_lost={lost} tasks_duplicated={duplicated} "
        f"clicks_per_s={scale.rps} clicks_drain_s={scale.drain_s:.1f} tasks={tasks} db_per_s={rates['db']:.0f} "
        f"rabbitmq_per_s={rates['rabbitmq']:.0f} rabbitmq_ratio={rates['rabbitmq'] / rates['db']:.2f} "
        f"redis_per_s={rates['redis']:.0f} redis_ratio={rates['redis'] / rates['db']:.2f} tasks_rerun={rerun}{extra}",
        flush=True,
    )
    return 1 if lost or duplicated or scale.clicks_lost else 0


if __name__ == "__main__":
    sys.exit(main())
