"""A real OpenID Connect provider (npm ``oidc-provider``) on loopback for the SSO tests.

* ``ensure_installed()`` runs ``npm ci`` for ``package-lock.json`` into a cache directory outside the repo
  (``~/.cache/groundswell/oidc-<hash>``, or under ``$GS_OIDC_CACHE_DIR``), keyed by a hash of package.json and
  package-lock.json, so it happens once per machine and lockfile (like tests/bluesky/network.py);
* ``start_provider()`` runs ``provider.mjs`` with a test client and test users, reads its JSON line, waits for
  the discovery document; ``OidcProvider.stop()`` ends it.

Nothing is skipped: without Node/npm the fixture fails and says what is missing. Tests that use it are
``@pytest.mark.slow`` and in ``xdist_group("oidc")``.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import selectors
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.processes import stop_process_group, tail

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "provider.mjs"
LOCKFILE = HERE / "package-lock.json"
PACKAGE_JSON = HERE / "package.json"
MIN_NODE_MAJOR = 18  # oidc-provider 8.x: "^18.12.0 || ^20.0.0 || >=22.0.0"
START_TIMEOUT = 60.0
INSTALL_TIMEOUT = 600.0

CLIENT_ID = "groundswell-test"
CLIENT_SECRET = "groundswell-test-secret-0123456789"
USERS: dict[str, dict[str, Any]] = {
    "dana@sso.test": {"password": "dana-pass-1", "name": "Dana Scully", "department": "Research"},
    "erin@sso.test": {"password": "erin-pass-1", "name": "Erin Brock", "department": "Sales"},
    "fred@other.test": {"password": "fred-pass-1", "name": "Fred Outside"},
    "bob@acme.test": {"password": "bob-pass-1", "name": "Bob Builder"},
    "vic@sso.test": {"password": "vic-pass-1", "name": "Vic Unverified", "email_verified": False},
}


class ProviderError(RuntimeError):
    """The provider could not be installed or started; the message says why."""


def cache_root() -> Path:
    configured = os.environ.get("GS_OIDC_CACHE_DIR")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "groundswell"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise ProviderError(f"`{name}` is not on PATH: the SSO tests need Node.js >= {MIN_NODE_MAJOR} and npm")
    return path


def install_key() -> str:
    digest = hashlib.sha256()
    for path in (PACKAGE_JSON, LOCKFILE):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def ensure_installed() -> Path:
    """The directory whose node_modules holds oidc-provider, running ``npm ci`` when the lockfile changed.
    Safe from several processes at once (a file lock serialises installs)."""
    node, npm = _tool("node"), _tool("npm")
    out = subprocess.run([node, "-p", "process.versions.node"], capture_output=True, text=True, check=True, timeout=30)
    if int(out.stdout.split(".")[0]) < MIN_NODE_MAJOR:
        raise ProviderError(f"Node.js {out.stdout.strip()} is too old for oidc-provider 8: need >= {MIN_NODE_MAJOR}")
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    target = root / f"oidc-{install_key()}"
    done = target / ".installed"
    if done.exists():
        return target
    with open(root / ".oidc-lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if done.exists():
            return target
        work = Path(tempfile.mkdtemp(prefix=".oidc-install-", dir=root))
        try:
            shutil.copy2(PACKAGE_JSON, work / "package.json")
            shutil.copy2(LOCKFILE, work / "package-lock.json")
            result = subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=work,
                capture_output=True,
                text=True,
                timeout=INSTALL_TIMEOUT,
            )
            if result.returncode != 0:
                raise ProviderError(
                    f"npm ci for oidc-provider failed ({result.returncode}):\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
                )
            (work / ".installed").write_text("ok\n")
            shutil.rmtree(target, ignore_errors=True)
            work.rename(target)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return target


@dataclass
class OidcProvider:
    issuer: str
    client_id: str
    client_secret: str
    users: dict[str, dict[str, Any]]
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=15))

    def sign_in(self, authorize_url: str, email: str, password: str, *, until: str) -> str:
        """Follow ``authorize_url`` through the provider's sign-in form like a browser would; return the first
        redirect that leaves the provider and starts with ``until`` (our callback, with ``code`` and ``state``)."""
        with httpx.Client(timeout=15, follow_redirects=False) as browser:
            url = authorize_url
            for _ in range(12):
                if url.startswith(until):
                    return url
                resp = browser.get(url)
                if resp.status_code in (302, 303):
                    url = str(httpx.URL(url).join(resp.headers["location"]))
                    continue
                if resp.status_code == 200 and 'action="/interaction/' in resp.text:
                    action = resp.text.split('action="', 1)[1].split('"', 1)[0]
                    resp = browser.post(str(httpx.URL(url).join(action)), data={"login": email, "password": password})
                    if resp.status_code not in (302, 303):
                        raise ProviderError(f"sign-in at the provider failed: {resp.status_code} {resp.text[:300]}")
                    url = str(httpx.URL(url).join(resp.headers["location"]))
                    continue
                raise ProviderError(f"unexpected answer from {url}: {resp.status_code} {resp.text[:300]}")
        raise ProviderError("too many redirects at the provider")

    def stop(self) -> None:
        self.http.close()
        proc = self.process
        if proc is None:
            return
        stop_process_group(proc, grace=10)
        self.process = None


def start_provider(redirect_uri_prefixes: list[str], timeout: float = START_TIMEOUT) -> OidcProvider:
    modules = ensure_installed()
    config = {
        "clients": [
            {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uri_prefixes": redirect_uri_prefixes}
        ],
        "users": USERS,
    }
    log_path = Path(tempfile.mkdtemp(prefix="gs-oidc-log-")) / "provider.log"
    env = {**os.environ, "GS_OIDC_MODULES": str(modules), "GS_OIDC_CONFIG": json.dumps(config)}
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [_tool("node"), str(SCRIPT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            env=env,
            start_new_session=True,
        )
    assert proc.stdout is not None
    line = b""
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        while not line.endswith(b"\n") and time.monotonic() < deadline and proc.poll() is None:
            if sel.select(timeout=0.5):
                chunk = os.read(proc.stdout.fileno(), 65536)
                if not chunk:
                    break
                line += chunk
    provider = OidcProvider("", CLIENT_ID, CLIENT_SECRET, USERS, process=proc, log_path=log_path)
    if not line.endswith(b"\n"):
        provider.stop()
        raise ProviderError(f"the OIDC provider did not start; its log:\n{tail(log_path)}")
    provider.issuer = json.loads(line.decode().splitlines()[0])["issuer"]
    while True:  # serving: the discovery document answers
        try:
            if provider.http.get(provider.issuer + "/.well-known/openid-configuration").status_code == 200:
                return provider
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            provider.stop()
            raise ProviderError(f"the OIDC provider's discovery document did not answer; log:\n{tail(log_path)}")
        time.sleep(0.1)


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[OidcProvider]:
    """One provider per test session (per xdist worker); any http://testserver or loopback redirect URI is allowed."""
    try:
        provider = start_provider(["http://testserver/", "http://127.0.0.1:", "http://localhost:"])
    except (ProviderError, subprocess.SubprocessError, OSError) as exc:
        pytest.fail(f"oidc_provider: {exc}", pytrace=False)
    try:
        yield provider
    finally:
        provider.stop()
