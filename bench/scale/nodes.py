"""Two web nodes and two workers under click and task load, one of each killed (SIGKILL) and restarted.

Each node stands for a host of its own: its own click journal directory (``CLICK_SPOOL_DIR``), nothing
shared on disk. The web nodes (``groundswell serve --no-worker``, ``CLICK_INGEST=database``) hand sealed
click batches to PostgreSQL and share the Redis link cache; the workers (Celery on RabbitMQ) drain the
hand-off table and run the tasks (docs/adr/0033). Clicks come from ``bench/redirect/crashload.py``, one load
per web node with disjoint tags, so a lost click is exact: a tag answered with a 302 that never reached
the database. Tasks leave a mark per run in a file (``scale_tasks.mark``), counted outside the database.
"""

from __future__ import annotations

import collections
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BIN = Path(sys.executable).parent
CRASHLOAD = ROOT / "bench" / "redirect" / "crashload.py"
TAG_STRIDE = 10_000_000  # node i's click tags start at i * TAG_STRIDE
WEB_NODES = 2
WORKERS = 2


T0 = time.monotonic()  # run.py sets its own start, so the log's clock runs on


def log(message: str) -> None:
    print(f"[{time.monotonic() - T0:5.1f}s] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit(f"no web node listens on 127.0.0.1:{port} after {timeout:.0f} s")


def seed(shares: int) -> list[str]:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from groundswell.content.models import Item, ItemKind, ItemState
    from groundswell.rewards.actions import ensure_default_rules
    from groundswell.sharing.models import Share, new_code
    from groundswell.workspaces.models import Membership, Workspace

    workspace = Workspace.objects.create(name="Scale", slug="scale")
    ensure_default_rules(workspace)
    users = get_user_model().objects
    members = [
        Membership.objects.create(
            workspace=workspace,
            user=users.create_user(username=f"m{i}@scale.test", email=f"m{i}@scale.test"),
            display_name=f"Member {i}",
        )
        for i in range(10)
    ]
    items = [
        Item.objects.create(
            workspace=workspace,
            kind=ItemKind.URL,
            state=ItemState.PUBLISHED,
            url=f"https://example.com/scale/{i}",
            title=f"Scale post {i}",
            published_at=timezone.now(),
        )
        for i in range(10)
    ]
    codes = sorted({new_code() for _ in range(shares)})
    Share.objects.bulk_create(
        Share(workspace=workspace, item=items[i % 10], member=members[i % 10], network="linkedin", code=code)
        for i, code in enumerate(codes)
    )
    return codes


def children(pid: int) -> list[int]:
    with contextlib.suppress(OSError):
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return []


@dataclass
class Node:
    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    pids: list[int] = field(default_factory=list)

    def start(self) -> None:
        with self.log_path.open("ab") as out:
            self.proc = subprocess.Popen(self.argv, env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)

    def kill(self) -> None:
        """SIGKILL the node: the supervisor and what it runs (uvicorn's server process), nothing graceful."""
        assert self.proc is not None
        victims = [*children(self.proc.pid), self.proc.pid]
        for pid in victims:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.proc.wait()
        self.pids = victims

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def web_node(index: int, base_env: dict[str, str], data_dir: Path, redis_url: str) -> Node:
    host = data_dir / f"web-{index}"
    host.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = dict(
        base_env,
        CLICK_INGEST="database",
        CLICK_SPOOL_DIR=str(host / "click-spool"),
        LINK_DISK_CACHE_PATH=str(host / "link-cache.sqlite3"),
        REDIS_URL=redis_url,
        SITE_URL=f"http://127.0.0.1:{port}",
    )
    argv = [
        str(BIN / "groundswell"),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-worker",
        "--no-collectstatic",
        "--log-level",
        "warning",
    ]
    return Node(name=f"web-{index}", argv=argv, env=env, log_path=host / "serve.log", port=port)


def worker_node(index: int, engine_env: dict[str, str], data_dir: Path, redis_url: str) -> Node:
    host = data_dir / f"worker-{index}"
    host.mkdir(parents=True, exist_ok=True)
    env = dict(engine_env, CLICK_SPOOL_DIR=str(host / "click-spool"), REDIS_URL=redis_url)
    argv = [
        str(BIN / "groundswell"),
        "worker",
        "--no-scheduler",
        "--worker-id",
        f"bench-node-{index}",
        "--concurrency",
        "2",
        "-v",
        "2",
    ]
    return Node(name=f"worker-{index}", argv=argv, env=env, log_path=host / "worker.log")


def wait_worker_ready(node: Node, since: int) -> None:
    deadline = time.monotonic() + 60
    while "ready." not in node.log_path.read_text(errors="replace")[since:]:
        if time.monotonic() > deadline:
            raise SystemExit(f"{node.name} did not start:\n{node.log_path.read_text()[-3000:]}")
        time.sleep(0.05)


def start_worker(node: Node) -> None:
    since = node.log_path.stat().st_size if node.log_path.exists() else 0
    node.start()
    wait_worker_ready(node, since)


def crashload(node: Node, codes: Path, seconds: float, connections: int, answered: Path, first_tag: int) -> Any:
    argv = [
        sys.executable,
        str(CRASHLOAD),
        str(node.port),
        str(codes),
        str(seconds),
        str(connections),
        str(answered),
        str(first_tag),
    ]
    return subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)


def stored_tags() -> set[int]:
    from django.db import close_old_connections

    from groundswell.links.models import Click

    close_old_connections()
    hosts = Click.objects.filter(referrer_host__endswith=".kill.bench").values_list("referrer_host", flat=True)
    return {int(host.split(".", 1)[0][1:]) for host in hosts.iterator()}


def pending_files(data_dir: Path) -> int:
    return sum(
        1
        for spool in data_dir.glob("*/click-spool")
        for path in spool.iterdir()
        if path.name.startswith(("clicks-", "journal-"))
    )


@dataclass
class Outcome:
    clicks_sent: int
    clicks_lost: int
    requests: int
    rps: int
    tasks_sent: int
    tasks_lost: int
    tasks_duplicated: int
    tasks_rerun: int
    drain_s: float


def run(
    *,
    base_env: dict[str, str],
    engine_env: dict[str, str],
    data_dir: Path,
    redis_url: str,
    marks: Path,
    tasks: int,
    seconds: float,
    connections: int,
    enqueue: Any,
    wait_finished: Any,
) -> Outcome:
    """The whole run; ``enqueue(n)`` puts tasks 0..n-1 on the broker, ``wait_finished`` polls the results."""
    import scale_tasks
    from django_tasks_db.models import DBTaskResult

    codes = seed(200)
    data_dir.mkdir(parents=True, exist_ok=True)
    codes_file = data_dir / "codes.txt"
    codes_file.write_text("\n".join(codes) + "\n")
    webs = [web_node(i, base_env, data_dir, redis_url) for i in range(WEB_NODES)]
    workers = [worker_node(i, engine_env, data_dir, redis_url) for i in range(WORKERS)]
    loads: list[subprocess.Popen[str]] = []
    answered_files = [data_dir / f"answered-{i}.txt" for i in range(WEB_NODES)]
    try:
        for node in [*webs, *workers]:
            node.start()
        for worker in workers:
            wait_worker_ready(worker, 0)
        for web in webs:
            wait_for_port(web.port)
        log(f"scale: {WEB_NODES} web nodes ({', '.join(str(w.port) for w in webs)}) and {WORKERS} workers up")
        started = time.monotonic()
        loads = [
            crashload(web, codes_file, seconds, connections, answered_files[i], i * TAG_STRIDE)
            for i, web in enumerate(webs)
        ]
        killed = threading.Event()

        def kill_and_restart(done: int) -> None:
            if killed.is_set() or done < tasks // 3:
                return
            killed.set()
            webs[0].kill()
            workers[0].kill()
            down = time.monotonic()
            log(f"scale: SIGKILL {webs[0].name} (pids {webs[0].pids}) and {workers[0].name} at {done}/{tasks} tasks")
            webs[0].start()
            start_worker(workers[0])
            wait_for_port(webs[0].port)
            log(f"scale: both back in {time.monotonic() - down:.1f} s")

            def release() -> None:
                time.sleep(1.0)  # the restarted web node under load for a moment, then the loads may end
                for path in answered_files:
                    Path(str(path) + ".restarted").touch()

            threading.Thread(target=release, daemon=True).start()

        enqueue(scale_tasks.mark, tasks)
        wait_finished(tasks, timeout=120, on_progress=kill_and_restart)
        if not killed.is_set():
            kill_and_restart(tasks)  # the tasks outran the trigger: kill anyway, the clicks are still flowing
        stats = collections.Counter[str]()
        for load in loads:
            out, _ = load.communicate(timeout=seconds + 180)
            match = re.search(r"^CRASHLOAD (.*)$", out, re.MULTILINE)
            if load.returncode != 0 or not match:
                raise SystemExit(f"crashload failed ({load.returncode}):\n{out}")
            stats.update({k: int(v) for k, v in (pair.split("=") for pair in match.group(1).split())})
        elapsed = time.monotonic() - started
        answered = {int(n) for path in answered_files for n in path.read_text().split()}
        load_done = time.monotonic()
        # Wait for the hand-off to drain: done when every answered click is stored and no spool file is left,
        # given up after 90 s without progress (a loaded machine drains slowly; a lost click never arrives).
        stored: set[int] = set()
        progress_at, seen = load_done, (-1, -1)
        while time.monotonic() - progress_at < 90 and time.monotonic() - load_done < 1800:
            stored = stored_tags()
            pending = pending_files(data_dir)
            if answered <= stored and not pending:
                break
            if (len(stored), pending) != seen:
                seen, progress_at = (len(stored), pending), time.monotonic()
            time.sleep(0.25)
        drain_s = time.monotonic() - load_done
    finally:
        for load in loads:
            if load.poll() is None:
                load.kill()
        for node in [*webs, *workers]:
            node.stop()
    runs = collections.Counter(marks.read_text().split()) if marks.exists() else collections.Counter()
    rerun = sum(1 for ids in DBTaskResult.objects.values_list("worker_ids", flat=True) if len(ids) > 1)
    outcome = Outcome(
        clicks_sent=len(answered),
        clicks_lost=len(answered - stored),
        requests=stats["sent"],
        rps=round(len(answered) / elapsed),
        tasks_sent=tasks,
        tasks_lost=sum(1 for n in range(tasks) if runs[str(n)] == 0),
        tasks_duplicated=sum(1 for count in runs.values() if count > 1),
        tasks_rerun=rerun,
        drain_s=drain_s,
    )
    log(
        f"scale: {outcome.clicks_sent} clicks answered by {WEB_NODES} web nodes ({outcome.rps}/s, "
        f"{outcome.requests} requests), lost {outcome.clicks_lost}, in the database {drain_s:.1f} s after the "
        f"load; {tasks} tasks: lost {outcome.tasks_lost}, duplicated {outcome.tasks_duplicated}, "
        f"rerun after the kill {rerun}"
    )
    return outcome
