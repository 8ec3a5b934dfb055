"""Real processes on a temporary SQLite database: two racing workers, and ``groundswell serve``."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

RACE_SCRIPT = """
import datetime as dt, sys, time
import django
django.setup()
from groundswell.core import scheduler
job = scheduler.register_periodic(scheduler.prune_task_results, 3600, name="race-test")
now = dt.datetime.fromisoformat(sys.argv[1])
start_at = float(sys.argv[2])
while time.time() < start_at:
    time.sleep(0.001)
print("claimed" if scheduler.run_pending(now=now, worker_id=sys.argv[3], jobs=[job]) else "lost", flush=True)
"""

SHARE_SCRIPT = """
import django
django.setup()
from django.contrib.auth import get_user_model
from django.utils import timezone
from groundswell.content.models import Item
from groundswell.rewards.actions import ensure_default_rules
from groundswell.sharing.actions import create_share
from groundswell.workspaces.models import Membership, Workspace
ws = Workspace.objects.create(name="Acme", slug="acme")
ensure_default_rules(ws)
user = get_user_model().objects.create_user(username="bob", email="bob@acme.test")
bob = Membership.objects.create(workspace=ws, user=user, display_name="Bob")
item = Item.objects.create(workspace=ws, url="https://example.com/a", title="A", state="published",
                           published_at=timezone.now())
print(create_share(member=bob, item=item, network="linkedin", caption="hi").code)
"""


def environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "PYTEST_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="groundswell.settings",
        DEBUG="0",
        SECRET_KEY="process-test-secret-key-0123456789abcdefghijklmnop",
        GROUNDSWELL_DATA_DIR=str(data_dir),
        DATABASE_URL=f"sqlite:///{data_dir / 'db.sqlite3'}",
        SITE_URL="http://127.0.0.1:8000",
        LOG_LEVEL="WARNING",
    )
    return env


@pytest.fixture(scope="module")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("template")
    subprocess.run(
        [sys.executable, "-m", "groundswell.cli", "migrate", "-v0"], env=environment(data_dir), check=True, timeout=120
    )
    return data_dir / "db.sqlite3"


@pytest.fixture
def data_dir(migrated_db: Path, tmp_path: Path) -> Path:
    shutil.copy(migrated_db, tmp_path / "db.sqlite3")
    return tmp_path


def test_racing_workers_claim_a_run_once(data_dir: Path) -> None:
    env = environment(data_dir)
    for hour in ("10", "11"):
        start_at = time.time() + 2.0
        procs = [
            subprocess.Popen(  # noqa: S603 - our own interpreter
                [sys.executable, "-c", RACE_SCRIPT, f"2026-03-01T{hour}:00:00+00:00", str(start_at), f"w{i}"],
                env=env,
                stdout=subprocess.PIPE,
                text=True,
            )
            for i in range(4)
        ]
        outputs = [p.communicate(timeout=60)[0].strip() for p in procs]
        assert sorted(outputs) == ["claimed", "lost", "lost", "lost"], outputs
    with sqlite3.connect(data_dir / "db.sqlite3") as db:
        (enqueued,) = db.execute("SELECT COUNT(*) FROM django_tasks_database_dbtaskresult").fetchone()
        (next_run,) = db.execute("SELECT next_run_at FROM core_periodicrun WHERE name = 'race-test'").fetchone()
    assert enqueued == 2
    assert next_run.startswith("2026-03-01 12:00")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(")")[-1].split()[0] == "Z")


@pytest.fixture
def served(data_dir: Path) -> Iterator[tuple[subprocess.Popen[str], int]]:
    port = free_port()
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter
        [sys.executable, "-m", "groundswell.cli", "serve", "--port", str(port), "--log-level", "warning"],
        env=environment(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield proc, port
    if proc.poll() is None:
        proc.kill()
        proc.wait()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads child processes from /proc")
def test_serve_answers_and_stops_cleanly(served: tuple[subprocess.Popen[str], int], data_dir: Path) -> None:
    proc, port = served
    deadline = time.monotonic() + 60
    status = 0
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                status = response.status
                break
        except OSError:
            time.sleep(0.2)
    assert status == 200, proc.stdout.read() if proc.poll() is not None and proc.stdout else "no answer"

    kids = children(proc.pid)
    assert len(kids) == 2  # the web server and the worker
    commands = [Path(f"/proc/{k}/cmdline").read_text().replace("\0", " ") for k in kids]
    assert any("uvicorn" in c for c in commands) and any(c.rstrip().endswith("worker") for c in commands)

    # The worker's scheduler claims the built-in periodic jobs and the worker runs them.
    deadline = time.monotonic() + 30
    succeeded = 0
    while time.monotonic() < deadline and not succeeded:
        time.sleep(0.5)
        with sqlite3.connect(data_dir / "db.sqlite3", timeout=10) as db:
            (succeeded,) = db.execute(
                "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult WHERE status = 'SUCCESSFUL'"
            ).fetchone()
    assert succeeded >= 1
    assert (Path(data_dir) / "static" / ".groundswell-collectstatic").exists()

    # A click through the real server: the web process hands it to the spool, the worker writes it.
    code = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", SHARE_SCRIPT], env=environment(data_dir), capture_output=True, text=True, check=True
    ).stdout.strip()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", f"/{code}", headers={"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"})
    response = connection.getresponse()
    assert response.status == 302
    assert response.getheader("Location", "").startswith("https://example.com/a?utm_source=linkedin")
    connection.close()
    deadline = time.monotonic() + 30
    stored = 0
    while time.monotonic() < deadline and not stored:
        time.sleep(0.3)
        with sqlite3.connect(data_dir / "db.sqlite3", timeout=10) as db:
            (stored,) = db.execute("SELECT COUNT(*) FROM links_click WHERE is_bot = 0").fetchone()
    assert stored == 1

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(alive(k) for k in kids):
        time.sleep(0.1)
    assert not any(alive(k) for k in kids)
