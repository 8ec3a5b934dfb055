"""The interface's quality gate: every page, as each role, at a laptop's and a phone's width.

Builds the demo company (and an empty workspace with an admin, a manager and an employee) in a temporary data
directory, serves it with ``groundswell serve --no-worker`` on a free port (production settings), then drives
Debian's Chromium with Playwright: per role it signs in through the sign-in form and crawls from the home page,
following same-origin links in ``<nav>`` and ``<main>`` (GET only; logout, downloads, exports and files
skipped), keeping one page per URL pattern (two for detail pages in the full run). Each page is loaded once
to warm up, then at 1366x900 and at 390x844: its load time (navigation timing), axe-core's WCAG 2.1 A/AA
violations (axe-core from the npm registry, injected into a browser context that bypasses the CSP: only here)
and horizontal overflow. Screenshots of the main pages go to bench/out/ui/screens/, every finding to
bench/out/ui/report.json.

Counting: a violation counts once per (axe rule, URL pattern), whatever the number of roles, viewports,
instances and elements (its worst impact); an overflowing page once per URL pattern. p95_load_ms is over the
demo's measured loads (the load event's end from the navigation's start); the reference is the same measure
for a static file (/static/groundswell/app.css) in the same run.

Last line: ``BENCH ui pages=<n> axe_critical=<n> axe_serious=<n> overflow_pages=<n> p95_load_ms=<x>
static_p95_ms=<x> ratio=<x> server_errors=<n> broken_links=<n>`` (a link shown to someone that answers
them 4xx).

BENCH_QUICK=1: 30 people over 14 days, about 12 pages per role in the demo and 6 in the empty workspace; axe
runs once per (URL name, size), screenshots only in the demo.
Exit status 1 when a page answers 5xx, or (unless BENCH_UI_STRICT=0, for looking at findings without failing)
when an axe violation is critical or serious, a page overflows or a link is broken, in both modes: CI's quick
run fails on an accessibility or layout regression.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from checks import (  # noqa: E402
    IMPACTS,
    Violation,
    p95,
    page_overflow,
    page_timing,
    run_axe,
    unique_by_rule_and_page,
)

QUICK = os.environ.get("BENCH_QUICK") == "1"
STRICT = os.environ.get("BENCH_UI_STRICT", "1") == "1"
EMPLOYEES = int(os.environ.get("BENCH_EMPLOYEES", "30" if QUICK else "220"))
DAYS = int(os.environ.get("BENCH_DAYS", "14" if QUICK else "90"))
PAGE_CAP = int(os.environ.get("BENCH_PAGES", "12" if QUICK else "150"))
EMPTY_PAGE_CAP = int(os.environ.get("BENCH_EMPTY_PAGES", "6" if QUICK else str(PAGE_CAP)))
DETAIL_PAGES = 1 if QUICK else 2  # instances kept of a URL pattern with an id in it
STATIC_FETCHES = 10 if QUICK else 30
VIEWPORTS = [(1366, 900), (390, 844)]
OUT = Path(os.environ.get("BENCH_UI_OUT", str(ROOT / "bench" / "out" / "ui")))
SCREENS = OUT / "screens"
EMPTY_PASSWORD = "empty-workspace-" + secrets.token_urlsafe(12)
STATIC_PATH = "/static/groundswell/app.css"

# The main pages, photographed per role and viewport (URL name → file name).
SCREEN_PAGES = {
    "core:home": "home",
    "content:list": "content-hub",
    "sharing:share": "share-composer",
    "analytics:dashboard": "dashboard",
    "rewards:leaderboard": "leaderboard",
    "care:queue": "care-queue",
    "privacy:centre": "privacy-centre",
    "workspaces:people": "people",
}
# Never followed: leaving, files, the API and the admin, short links (a click is recorded), sign-out.
SKIP_PARTS = ("logout", "download", "export", "/admin/", "/api/", "/scim/", "/static/", "/media/")
SKIP_SUFFIXES = (".svg", ".csv", ".pdf", ".json", ".zip", ".png", ".xml", ".txt")
SKIP_NAMES = {"follow", "public_item", "account_logout", "oauth_callback", "healthz"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


PORT = free_port()
BASE = f"http://127.0.0.1:{PORT}"
# In memory when the machine has /dev/shm: SQLite's syncs during migrations are then nearly free.
TMP = Path(tempfile.mkdtemp(prefix="groundswell-bench-ui-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None))


def production_env() -> dict[str, str]:
    from cryptography.fernet import Fernet

    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DATABASE_REPLICA_URL", "DEBUG")}
    env.update(
        DJANGO_SETTINGS_MODULE="groundswell.settings",
        GROUNDSWELL_DATA_DIR=str(TMP),
        SECRET_KEY=secrets.token_urlsafe(50),
        GROUNDSWELL_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        SITE_URL=BASE,
        ALLOWED_HOSTS="127.0.0.1",
        TASKS_ENGINE="db",
    )
    return env


ENV = production_env()
os.environ.clear()
os.environ.update(ENV)

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.urls import Resolver404, resolve  # noqa: E402

from groundswell.demo.generator import build_demo  # noqa: E402
from groundswell.workspaces import actions as ws_actions  # noqa: E402
from groundswell.workspaces.models import Role  # noqa: E402


@dataclass
class Account:
    label: str  # e.g. "admin" or "empty-admin"
    email: str
    password: str
    demo: bool
    cap: int


@dataclass
class PageResult:
    role: str
    url: str
    url_name: str
    status: int
    linked_from: str = ""
    loads: dict[str, dict[str, float]] = field(default_factory=dict)  # "1366x900" → timing
    overflow: dict[str, dict[str, Any]] = field(default_factory=dict)
    violations: list[dict[str, Any]] = field(default_factory=list)


PHASES: dict[str, float] = {}
# Quick mode runs axe once per (URL name, size), for the first role that reaches the page (axe is most of the
# time); the full run checks every role's page.
AXED: set[tuple[str, str]] = set()


@contextmanager
def phase(name: str) -> Iterator[None]:
    t0 = time.monotonic()
    try:
        yield
    finally:
        PHASES[name] = PHASES.get(name, 0.0) + time.monotonic() - t0


def log(message: str) -> None:
    print(message, flush=True)


def build_data() -> list[Account]:
    from groundswell.core.management.commands.serve import collectstatic_if_needed

    t0 = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    # Production static storage (hashed names): the demo's cover URLs need the manifest; serve then skips it.
    collectstatic_if_needed(io.StringIO())
    t1 = time.monotonic()
    with redirect_stdout(io.StringIO()):  # the demo's emails go to the console backend
        result = build_demo(seed=7, employees=EMPLOYEES, days=DAYS, log=lambda _m: None)
    # The printed logins: "Program admin", "Manager (Sales)", "Employee" (others, if the demo adds some, skipped).
    accounts: list[Account] = []
    for role in ("admin", "manager", "employee"):
        login = next((lg for lg in result.logins if role in lg.role.lower()), None)
        if login is None:
            raise SystemExit(f"the demo prints no {role} login: {[lg.role for lg in result.logins]}")
        accounts.append(Account(role, login.email, login.password, True, PAGE_CAP))

    # The empty workspace, through the workspaces' own write functions.
    User = get_user_model()
    people = {
        role: User.objects.create_user(
            username=f"empty-{role}", email=f"{role}@empty.bench.example", password=EMPTY_PASSWORD
        )
        for role in ("admin", "manager", "employee")
    }
    admin = ws_actions.create_workspace(name="Empty Co", user=people["admin"], slug="empty-co")
    members = {"admin": admin}
    for role, value in (("manager", Role.MANAGER), ("employee", Role.EMPLOYEE)):
        invite = ws_actions.invite_member(
            admin.workspace, email=people[role].email, invited_by=admin, role=value, send=False
        )
        members[role] = ws_actions.accept_invitation(invite.invitation, people[role])
    ws_actions.update_member(members["employee"], manager=members["manager"])
    accounts += [
        Account(f"empty-{role}", user.email, EMPTY_PASSWORD, False, EMPTY_PAGE_CAP) for role, user in people.items()
    ]
    connections.close_all()
    log(
        f"data: migrations and static files {t1 - t0:.1f}s, demo ({EMPLOYEES} people, {DAYS} days) {time.monotonic() - t1:.1f}s"
    )
    return accounts


def start_server() -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "groundswell.cli", "serve", "--port", str(PORT), "--no-worker"]
    cmd += ["--log-level", "warning"]
    proc = subprocess.Popen(cmd, env=ENV, cwd=TMP, process_group=0)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{BASE}/healthz", timeout=2) as response:
                if response.status == 200:
                    return proc
        except OSError:
            time.sleep(0.3)
    stop_server(proc)
    raise SystemExit("the server did not answer /healthz within 180 s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise SystemExit("Chromium is not installed: apt-get install chromium (make test installs it as root)")
    return path


def classify(url: str) -> tuple[str, bool] | None:
    """(URL name, has an id in it) for a page worth visiting, or None."""
    url = urldefrag(url)[0]
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != BASE:
        return None
    path = parts.path
    if any(p in path for p in SKIP_PARTS) or path.endswith(SKIP_SUFFIXES):
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.url_name in SKIP_NAMES or match.view_name in SKIP_NAMES:
        return None
    return match.view_name, any(k != "ws" for k in match.kwargs)


LINKS_JS = """() => Array.from(document.querySelectorAll('nav a[href], main a[href]'))
  .filter(a => !a.hasAttribute('download') && !(a.target && a.target !== '_self'))
  .map(a => a.href)"""


def sign_in(context: Any, account: Account) -> Any:
    page = context.new_page()
    page.goto(f"{BASE}/accounts/login/")
    page.get_by_label("Email").fill(account.email)
    page.get_by_label("Password").fill(account.password)
    with page.expect_navigation():
        page.locator("form button[type=submit]").first.click()
    if "/w/" not in page.url:
        raise SystemExit(f"signing in as {account.label} ({account.email}) led to {page.url}")
    return page


def crawl(browser: Any, account: Account, axe_path: Path, results: list[PageResult]) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, bypass_csp=True)
    page = sign_in(context, account)
    start = page.url
    # The main pages (photographed) go first, so that a capped crawl still reaches them.
    main_pages: deque[str] = deque()
    queue: deque[str] = deque([start])
    seen_urls = {urldefrag(start)[0]}
    linked_from: dict[str, str] = {}
    per_name: dict[str, int] = {}
    visited = 0
    shot: set[str] = set()
    while (main_pages or queue) and visited < account.cap:
        url = main_pages.popleft() if main_pages else queue.popleft()
        kind = classify(url)
        if kind is None:
            continue
        url_name, detail = kind
        if per_name.get(url_name, 0) >= (DETAIL_PAGES if detail else 1):
            continue
        page.set_viewport_size({"width": 1366, "height": 900})
        try:
            with phase("warm-up"):
                response = page.goto(url, wait_until="load")  # warm-up, and where the links come from
        except Exception as exc:  # a download or a navigation Chromium refuses: not a page
            log(f"  skip {url}: {str(exc).splitlines()[0]}")
            continue
        status = response.status if response else 0
        content_type = (response.headers.get("content-type", "") if response else "") or ""
        if not content_type.startswith("text/html"):
            continue
        final_kind = classify(page.url)
        if final_kind is None:
            continue
        source = linked_from.get(url, "")
        if final_kind[0] != url_name:  # redirected: the page is the one it landed on
            url, (url_name, detail) = page.url, final_kind
            if per_name.get(url_name, 0) >= (DETAIL_PAGES if detail else 1):
                continue
        per_name[url_name] = per_name.get(url_name, 0) + 1
        visited += 1
        if not QUICK:
            log(f"  {account.label} {status} {url_name} {url.removeprefix(BASE)}")
        result = PageResult(account.label, url, url_name, status, source)
        results.append(result)
        if status >= 400:  # counted (server error or broken link), not checked further
            continue
        for href in page.evaluate(LINKS_JS):
            href = urldefrag(href)[0]
            if href not in seen_urls:
                seen_urls.add(href)
                linked_from[href] = url
                link_kind = classify(href)
                (main_pages if link_kind and link_kind[0] in SCREEN_PAGES else queue).append(href)
        for width, height in VIEWPORTS:
            size = f"{width}x{height}"
            page.set_viewport_size({"width": width, "height": height})
            try:
                with phase("load"):
                    again = page.goto(url, wait_until="load")
                    timing = page_timing(page)
            except Exception as exc:  # a time-out: counted with the server errors
                log(f"  failed to load {url} at {size} as {account.label}: {str(exc).splitlines()[0]}")
                result.status = 599
                break
            if again is not None and again.status >= 500:
                result.status = again.status
                break
            if timing:
                result.loads[size] = timing
            with phase("overflow"):
                result.overflow[size] = page_overflow(page)
            if not QUICK or (url_name, size) not in AXED:
                AXED.add((url_name, size))
                with phase("axe"):
                    for v in run_axe(page, axe_path):
                        result.violations.append({**asdict(v), "viewport": size})
            screen = SCREEN_PAGES.get(url_name)
            if screen and f"{screen}-{width}" not in shot and (account.demo or not QUICK):
                shot.add(f"{screen}-{width}")
                with phase("screenshot"):
                    page.screenshot(path=str(SCREENS / f"{account.label}-{width}-{screen}.png"), full_page=True)
    context.close()


def static_reference(browser: Any) -> list[float]:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto(BASE + STATIC_PATH)  # warm-up
    times = []
    for _ in range(STATIC_FETCHES):
        page.goto(BASE + STATIC_PATH, wait_until="load")
        timing = page_timing(page)
        if timing:
            times.append(timing["load_ms"])
    context.close()
    return times


def main() -> int:
    from django.conf import settings
    from playwright.sync_api import sync_playwright

    axe_path = Path(settings.ASSETS_DIR) / "axe-core" / "axe.min.js"
    if not axe_path.is_file():
        raise SystemExit(f"{axe_path} is missing: run `make install` (npm ci in frontend/)")
    started = time.monotonic()
    shutil.rmtree(OUT, ignore_errors=True)
    SCREENS.mkdir(parents=True)
    results: list[PageResult] = []
    args = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage"]
    args += ["--disable-background-networking", "--disable-component-update", "--disable-sync"]
    server = None
    try:
        accounts = build_data()
        server = start_server()
        log(f"server ready at {BASE} ({time.monotonic() - started:.1f}s)")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium_path(), args=args, headless=True)
            for account in accounts:
                t0 = time.monotonic()
                before = len(results)
                crawl(browser, account, axe_path, results)
                log(f"{account.label}: {len(results) - before} pages in {time.monotonic() - t0:.1f}s")
            static_times = static_reference(browser)
            log("browser time: " + ", ".join(f"{k} {v:.1f}s" for k, v in PHASES.items()))
            browser.close()
    finally:
        if server is not None:
            stop_server(server)
        shutil.rmtree(TMP, ignore_errors=True)
    return report(results, static_times, time.monotonic() - started)


def report(results: list[PageResult], static_times: list[float], elapsed: float) -> int:
    demo_roles = {"admin", "manager", "employee"}
    found = [
        (r.url_name, Violation(**{k: v[k] for k in ("rule", "impact", "help", "url", "selectors")}))
        for r in results
        for v in r.violations
    ]
    unique = unique_by_rule_and_page(found)
    by_impact = {impact: sorted(k for k, i in unique.items() if i == impact) for impact in IMPACTS}
    overflowing = sorted({r.url_name for r in results for o in r.overflow.values() if o.get("overflow")})
    errors = [r for r in results if r.status >= 500]
    broken = [r for r in results if 400 <= r.status < 500]
    loads = [t["load_ms"] for r in results if r.role in demo_roles for t in r.loads.values()]
    load_p95 = p95(loads)
    static_p95 = p95(static_times)
    ratio = load_p95 / static_p95 if static_p95 else 0.0

    data = {
        "mode": "quick" if QUICK else "full",
        "strict": STRICT,
        "elapsed_s": round(elapsed, 1),
        "counting": "one per (axe rule, URL name), worst impact over roles, viewports and instances",
        "pages": [asdict(r) for r in results],
        "unique_violations": [
            {"rule": rule, "url_name": name, "impact": impact} for (rule, name), impact in sorted(unique.items())
        ],
        "overflow_url_names": overflowing,
        "server_errors": [
            {"role": r.role, "url": r.url, "status": r.status, "linked_from": r.linked_from} for r in errors
        ],
        "broken_links": [
            {"role": r.role, "url": r.url, "status": r.status, "linked_from": r.linked_from} for r in broken
        ],
        "p95_load_ms": round(load_p95, 1),
        "static_p95_ms": round(static_p95, 1),
    }
    (OUT / "report.json").write_text(json.dumps(data, indent=1) + "\n")

    log("")
    for impact in ("critical", "serious"):
        for rule, name in by_impact[impact]:
            example = next((v for r in results if r.url_name == name for v in r.violations if v["rule"] == rule), None)
            where = (
                f" {example['url']} [{example['viewport']}] {', '.join(example['selectors'][:3])}" if example else ""
            )
            log(f"axe {impact}: {rule} on {name}:{where}")
    for name in overflowing:
        r = next(r for r in results if r.url_name == name and any(o.get("overflow") for o in r.overflow.values()))
        size, o = next((s, o) for s, o in r.overflow.items() if o.get("overflow"))
        log(f"overflow: {name} {r.url} [{size}] scrollWidth {o['scroll_width']} > {o['viewport']}: {o.get('widest')}")
    for r in errors:
        log(f"server error: {r.status} {r.url} as {r.role} (linked from {r.linked_from or 'the sign-in'})")
    for r in broken:
        log(f"broken link: {r.status} {r.url} as {r.role}, linked from {r.linked_from}")
    log(
        f"{len(results)} pages (role and URL, each at {len(VIEWPORTS)} sizes) in {elapsed:.0f}s; violations counted "
        f"once per (rule, URL name): moderate {len(by_impact['moderate'])}, minor {len(by_impact['minor'])}; "
        f"report {OUT / 'report.json'}, screenshots {SCREENS}/"
    )
    findings = by_impact["critical"] or by_impact["serious"] or overflowing or broken
    failed = bool(errors) or (STRICT and bool(findings))
    if not STRICT and findings:
        log("targets not met (BENCH_UI_STRICT=0: reported, not failing)")
    log(
        f"BENCH ui pages={len(results)} axe_critical={len(by_impact['critical'])} "
        f"axe_serious={len(by_impact['serious'])} overflow_pages={len(overflowing)} p95_load_ms={load_p95:.1f} "
        f"static_p95_ms={static_p95:.1f} ratio={ratio:.2f} server_errors={len(errors)} "
        f"broken_links={len(broken)}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
