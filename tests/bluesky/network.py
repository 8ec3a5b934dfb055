"""A real local Bluesky network (PLC + PDS + AppView from @atproto/dev-env) for tests.

* ``ensure_installed()`` runs ``npm ci`` for ``package-lock.json`` into a cache directory outside the repo
  (``~/.cache/groundswell/atproto-dev-env/<hash>``, or ``$GS_BLUESKY_CACHE_DIR``), keyed by a hash of
  package.json, package-lock.json and the Node ABI version, so it happens once per machine and lockfile;
* ``start_network()`` runs ``devnet.mjs`` and waits for its JSON line; ``BlueskyNetwork.stop()`` ends it;
* ``bluesky_network`` is a session-scoped pytest fixture (``tests/bluesky/conftest.py`` re-exports it; it can
  also be registered as a plugin with ``-p tests.bluesky.network``).

Nothing is skipped: without Node/npm (or PostgreSQL) the fixture fails and says what is missing.
Under pytest-xdist every worker that runs a test using the fixture starts its own network, so mark those
tests ``@pytest.mark.xdist_group("bluesky")`` and run with ``--dist loadgroup``.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import selectors
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from tests.processes import stop_process_group, tail

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "devnet.mjs"
LOCKFILE = HERE / "package-lock.json"
PACKAGE_JSON = HERE / "package.json"
MIN_NODE_MAJOR = 18  # @atproto/dev-env 0.3.x says ">=18.7.0"; 0.5+ needs 22 (see docs/bluesky-dev-network.md)
START_TIMEOUT = float(os.environ.get("GS_DEVNET_START_TIMEOUT", "180"))
INSTALL_TIMEOUT = float(os.environ.get("GS_DEVNET_INSTALL_TIMEOUT", "900"))

T = TypeVar("T")


class NetworkError(RuntimeError):
    """The local network could not be installed or started; the message says why."""


def cache_root() -> Path:
    configured = os.environ.get("GS_BLUESKY_CACHE_DIR")
    if configured:
        return Path(configured)
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "groundswell" / "atproto-dev-env"


def _tool(name: str) -> str:
    override = os.environ.get(f"GS_DEVNET_{name.upper()}")
    path = shutil.which(override or name)
    if not path:
        raise NetworkError(
            f"`{name}` is not on PATH: the Bluesky tests need Node.js >= {MIN_NODE_MAJOR} and npm "
            f"(Debian: apt-get install nodejs npm) — or set GS_DEVNET_{name.upper()} to its path"
        )
    return path


def node_abi(node: str) -> tuple[int, str]:
    """(major version, ABI 'modules' number) of ``node``; native modules (better-sqlite3) depend on the ABI."""
    out = subprocess.run(
        [node, "-p", "process.versions.node + ' ' + process.versions.modules"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout.split()
    return int(out[0].split(".")[0]), out[1]


def install_key(node: str) -> str:
    digest = hashlib.sha256()
    for path in (PACKAGE_JSON, LOCKFILE):
        digest.update(path.read_bytes())
    digest.update(node_abi(node)[1].encode())
    return digest.hexdigest()[:16]


def ensure_installed() -> Path:
    """The directory whose node_modules holds @atproto/dev-env, installing it (npm ci) when the lockfile
    changed. Safe to call from several processes at once (a file lock serialises installs)."""
    node, npm = _tool("node"), _tool("npm")
    major, _ = node_abi(node)
    if major < MIN_NODE_MAJOR:
        raise NetworkError(f"Node.js {major} is too old for @atproto/dev-env 0.3.x: need >= {MIN_NODE_MAJOR}")
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    target = root / install_key(node)
    done = target / ".installed"
    if done.exists():
        return target
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if done.exists():
            return target
        work = Path(tempfile.mkdtemp(prefix=".install-", dir=root))
        try:
            shutil.copy2(PACKAGE_JSON, work / "package.json")
            shutil.copy2(LOCKFILE, work / "package-lock.json")
            started = time.monotonic()
            env = dict(os.environ)
            # better-sqlite3 (a PDS dependency) is compiled by node-gyp; without network access beyond the
            # registry it must use the system's Node headers (Debian's nodejs ships them in /usr/include/node).
            if Path("/usr/include/node/node.h").exists():
                env.setdefault("npm_config_nodedir", "/usr")
            result = subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=work,
                capture_output=True,
                text=True,
                timeout=INSTALL_TIMEOUT,
                env=env,
            )
            if result.returncode != 0:
                raise NetworkError(
                    f"npm ci for @atproto/dev-env failed ({result.returncode}) in {work}:\n"
                    f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
                )
            (work / ".installed").write_text(f"{time.monotonic() - started:.1f}\n")
            shutil.rmtree(target, ignore_errors=True)
            work.rename(target)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        # Other lockfiles' installs are dead weight (~350 MB each).
        for old in root.iterdir():
            if old.is_dir() and old != target and not old.name.startswith(".install-"):
                shutil.rmtree(old, ignore_errors=True)
    return target


def _wait_until(check: Callable[[], T | None], timeout: float, what: str, interval: float = 0.2) -> T:
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while True:
        try:
            value = check()
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            last_error, value = exc, None
        if value is not None:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: gave up after {timeout:.0f}s (last error: {last_error!r})")
        time.sleep(interval)


@dataclass
class BlueskyNetwork:
    """A running local network. URLs are http://127.0.0.1:<port>."""

    pds_url: str
    appview_url: str
    plc_url: str
    info: dict[str, Any]
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30))
    _accounts: int = 0

    @property
    def handle_domain(self) -> str:
        return str(self.info.get("handle_domain", ".test"))

    def create_account(self, handle: str, password: str, *, timeout: float = 60) -> tuple[str, str]:
        """Create an account on the PDS and wait until it can log in and the AppView knows it.
        A handle without a dot gets the PDS's domain (``alice`` → ``alice.test``). Returns (did, handle)."""
        if "." not in handle:
            handle += self.handle_domain
        self._accounts += 1
        email = f"{handle.split('.')[0]}-{self._accounts}@example.com"
        answer = self.http.post(
            f"{self.pds_url}/xrpc/com.atproto.server.createAccount",
            json={"handle": handle, "email": email, "password": password},
        )
        if answer.status_code != 200:
            raise NetworkError(f"createAccount {handle}: {answer.status_code} {answer.text}")
        did = str(answer.json()["did"])

        def login() -> bool | None:
            r = self.http.post(
                f"{self.pds_url}/xrpc/com.atproto.server.createSession",
                json={"identifier": handle, "password": password},
            )
            return True if r.status_code == 200 else None

        def indexed() -> bool | None:
            r = self.http.get(f"{self.appview_url}/xrpc/app.bsky.actor.getProfile", params={"actor": did})
            return True if r.status_code == 200 else None

        _wait_until(login, timeout, f"login as {handle}")
        _wait_until(indexed, timeout, f"AppView indexing {handle}")
        return did, handle

    def wait_until(self, check: Callable[[], T | None], timeout: float = 30, what: str = "condition") -> T:
        """Poll ``check`` until it returns something other than None (the AppView indexes asynchronously)."""
        return _wait_until(check, timeout, what)

    def stop(self) -> None:
        self.http.close()
        proc = self.process
        if proc is None:
            return
        stop_process_group(proc, grace=30)
        # The script drops its database on a clean exit; after a kill do it here.
        if proc.returncode != 0:
            _drop_database(str(self.info.get("database", "")))
        self.process = None


def _drop_database(name: str) -> None:
    if not name.startswith("gs_bsky_"):
        return
    with contextlib.suppress(Exception):
        import psycopg

        with psycopg.connect(_admin_dsn(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin_dsn() -> str:
    return os.environ.get("GS_DEVNET_PG", "postgres://postgres@127.0.0.1:5432/postgres")


def start_network(timeout: float = START_TIMEOUT) -> BlueskyNetwork:
    """Install if needed, start devnet.mjs in its own process group and wait for its JSON line."""
    modules = ensure_installed()
    node = _tool("node")
    log_dir = Path(tempfile.mkdtemp(prefix="gs-devnet-log-"))
    log_path = log_dir / "devnet.log"
    env = {**os.environ, "GS_DEVNET_MODULES": str(modules), "GS_DEVNET_PG": _admin_dsn()}
    started = time.monotonic()
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [node, str(SCRIPT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            env=env,
            start_new_session=True,
        )
    assert proc.stdout is not None
    line = b""
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        deadline = started + timeout
        while not line.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or proc.poll() is not None:
                break
            if sel.select(timeout=min(remaining, 1.0)):
                chunk = os.read(proc.stdout.fileno(), 65536)
                if not chunk:
                    break
                line += chunk
    if not line.endswith(b"\n"):
        net = BlueskyNetwork("", "", "", {}, process=proc, log_path=log_path)
        net.stop()
        why = f"exited with {proc.returncode}" if proc.returncode not in (None, 0) else f"not ready in {timeout:.0f}s"
        raise NetworkError(f"the local Bluesky network {why}; its log ({log_path}):\n{tail(log_path)}")
    info = json.loads(line.decode().splitlines()[0])
    info["python_startup_seconds"] = round(time.monotonic() - started, 2)
    return BlueskyNetwork(
        pds_url=info["pds"],
        appview_url=info["appview"],
        plc_url=info["plc"],
        info=info,
        process=proc,
        log_path=log_path,
    )


@contextlib.contextmanager
def running_network() -> Iterator[BlueskyNetwork]:
    net = start_network()
    try:
        yield net
    finally:
        net.stop()


@pytest.fixture(scope="session")
def bluesky_network() -> Iterator[BlueskyNetwork]:
    """One local Bluesky network per test session (per xdist worker that needs it)."""
    problem = ""
    try:
        net = start_network()
    except (NetworkError, subprocess.SubprocessError, OSError) as exc:
        problem = f"bluesky_network: {exc}"
    if problem:
        pytest.fail(problem, pytrace=False)
    try:
        yield net
    finally:
        net.stop()
