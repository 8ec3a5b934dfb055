"""``groundswell serve``: the web server (uvicorn, ASGI) and a background worker, supervised together.

Both run as child processes in their own process groups, so Ctrl-C reaches only this supervisor,
which then stops them once and cleanly (SIGTERM, then SIGKILL after a grace period). On Linux the
children also get SIGTERM if the supervisor itself dies. A crashed worker is restarted with a
back-off; if the web server exits, everything stops.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

STAMP_NAME = ".groundswell-collectstatic"
GRACE_SECONDS = 15.0


def _set_parent_death_signal() -> None:  # pragma: no cover - runs in the child between fork and exec
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def static_fingerprint() -> str:
    """A hash of every static source file (path, size, mtime) and the storage backend."""
    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256(settings.STORAGES["staticfiles"]["BACKEND"].encode())
    entries: list[str] = []
    for finder in get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            try:
                st = os.stat(storage.path(path))
            except (OSError, NotImplementedError):
                continue
            entries.append(f"{path}\0{st.st_size}\0{st.st_mtime_ns}")
    for entry in sorted(entries):
        digest.update(entry.encode() + b"\n")
    return digest.hexdigest()


def collectstatic_if_needed(stdout: Any) -> bool:
    """Run ``collectstatic`` when the static sources changed since the last run. True when it ran."""
    root = Path(settings.STATIC_ROOT)
    stamp = root / STAMP_NAME
    fingerprint = static_fingerprint()
    if stamp.exists() and stamp.read_text().strip() == fingerprint:
        return False
    stdout.write("Collecting static files…")
    call_command("collectstatic", interactive=False, verbosity=0)
    root.mkdir(parents=True, exist_ok=True)
    stamp.write_text(fingerprint + "\n")
    return True


def unapplied_migrations() -> int:
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


class Command(BaseCommand):
    help = "Serve Groundswell: the ASGI web server (uvicorn) plus a background worker, supervised together."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("GROUNDSWELL_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("GROUNDSWELL_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=1, help="Web server processes (default 1).")
        parser.add_argument("--no-worker", action="store_true", help="Do not start a background worker.")
        parser.add_argument("--no-collectstatic", action="store_true", help="Skip collecting static files.")
        parser.add_argument("--log-level", default="info", help="uvicorn log level (default info).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["workers"] < 1:
            raise CommandError("--workers must be at least 1")
        pending = unapplied_migrations()
        if pending:
            self.stderr.write(
                f"Warning: {pending} database migration(s) are not applied yet; run `groundswell migrate`."
            )
        if not options["no_collectstatic"]:
            collectstatic_if_needed(self.stdout)
        connections.close_all()  # the children open their own

        env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE}
        web_env = dict(env)
        # The web server only hands journaled click batches to the database; any worker (the one beside it, or
        # one on another node: `--no-worker` nodes rely on those, as for tasks) writes them (ADR 0033).
        web_env.setdefault("CLICK_INGEST", "database")
        web_cmd = [
            sys.executable,
            "-m",
            "uvicorn",
            "groundswell.asgi:application",
            "--host",
            options["host"],
            "--port",
            str(options["port"]),
            "--workers",
            str(options["workers"]),
            "--lifespan",
            "on",
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--log-level",
            options["log_level"],
            "--timeout-graceful-shutdown",
            "10",
            "--no-server-header",
        ]
        worker_cmd = [sys.executable, "-m", "groundswell.cli", "worker"]
        supervisor = Supervisor(env=env, web_env=web_env, stdout=self.stdout, stderr=self.stderr)
        address = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(f"Groundswell is starting at {address} (Ctrl-C to stop).")
        code = supervisor.run(web_cmd, None if options["no_worker"] else worker_cmd)
        if code:
            raise CommandError(f"the web server exited with status {code}", returncode=code)


class Supervisor:
    def __init__(self, *, env: dict[str, str], stdout: Any, stderr: Any, web_env: dict[str, str] | None = None) -> None:
        self.env = env
        self.web_env = web_env or env
        self.stdout = stdout
        self.stderr = stderr
        self.stopping = False
        self.stop_signal = 0

    def _spawn(self, cmd: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        return subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
            cmd,
            env=env or self.env,
            process_group=0,
            preexec_fn=_set_parent_death_signal,
        )

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True
        self.stop_signal = signum

    def run(self, web_cmd: list[str], worker_cmd: list[str] | None) -> int:
        previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        web = self._spawn(web_cmd, self.web_env)
        worker = self._spawn(worker_cmd) if worker_cmd else None
        restarts: list[float] = []
        exit_code = 0
        try:
            while not self.stopping:
                time.sleep(0.2)
                if web.poll() is not None:
                    exit_code = web.returncode
                    self.stderr.write(f"The web server exited (status {exit_code}); stopping.")
                    break
                if worker is not None and worker_cmd and worker.poll() is not None:
                    now = time.monotonic()
                    restarts = [t for t in restarts if now - t < 60] + [now]
                    delay = min(30.0, 2.0 ** (len(restarts) - 1))
                    self.stderr.write(f"The worker exited (status {worker.returncode}); restarting in {delay:.0f}s.")
                    deadline = now + delay
                    while not self.stopping and time.monotonic() < deadline:
                        time.sleep(0.2)
                    if not self.stopping:
                        worker = self._spawn(worker_cmd)
        finally:
            if self.stopping:
                name = signal.Signals(self.stop_signal).name if self.stop_signal else "signal"
                self.stdout.write(f"Received {name}; stopping the web server and the worker…")
            self._stop([p for p in (web, worker) if p is not None])
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return exit_code

    def _stop(self, procs: list[subprocess.Popen[bytes]]) -> None:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + GRACE_SECONDS
        for proc in procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"Process {proc.pid} did not stop in {GRACE_SECONDS:.0f}s; killing it.")
                proc.kill()
                proc.wait()
        self.stdout.write("Stopped.")
