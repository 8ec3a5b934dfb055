"""Redirect benchmark: the short-link fast path under uvicorn vs nginx ``return 302``, on one core each.

Steps: a temporary SQLite database (or ``BENCH_DATABASE_URL``) with a workspace, items and ~1000 shares;
uvicorn (httptools, uvloop, no access log) pinned to one core; wrk pinned to another core with 64
connections and a Lua script rotating user agents (~5 % bots) over the codes; the same wrk run against
nginx on the same core; then wait for the click flusher, stop the server gracefully (lifespan shutdown
flushes the rest) and compare the human clicks stored with the human redirects wrk received.

Then a second run on the app with the same load during which the server is killed with SIGKILL (no
shutdown, nothing flushed) and started again; after the ingest has drained, every redirect that wrk got a
302 for must have its click in the database (``lost``, over both runs, bots included).

The last line printed is always
``BENCH redirect rps=… nginx_rps=… ratio_to_nginx=… p99_ms=… lost=… kill=sigkill@<s>s answered=…``.
``BENCH_QUICK=1``: a few seconds per run (CI), the kill included.
Run it through ``make bench-redirect`` (or ``bench/redirect/run.sh``), which installs nginx and wrk.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
LUA = HERE / "redirect.lua"
NGINX_CONF = HERE / "nginx.conf.in"


def log(message: str) -> None:
    print(message, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f} s")


def cores() -> tuple[str | None, str | None]:
    """(server core, wrk core) for taskset, or (None, None) when pinning is impossible."""
    if not shutil.which("taskset"):
        return None, None
    available = sorted(os.sched_getaffinity(0))
    if len(available) < 2:
        return None, None
    return str(available[1]), str(available[0])


def pinned(core: str | None, argv: list[str]) -> list[str]:
    return ["taskset", "-c", core, *argv] if core is not None else argv


def parse_wrk(output: str) -> dict[str, int]:
    match = re.search(r"^WRKRESULT (.*)$", output, re.MULTILINE)
    if not match:
        raise SystemExit(f"wrk printed no result:\n{output}")
    return {key: int(float(value)) for key, value in (pair.split("=") for pair in match.group(1).split())}


def run_wrk(core: str | None, url: str, duration: int, connections: int, threads: int, codes: Path) -> dict[str, int]:
    argv = pinned(
        core,
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "10s",
            "--latency",
            "-s",
            str(LUA),
            url,
        ],
    )
    env = {**os.environ, "BENCH_CODES": str(codes)}
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    for line in done.stdout.splitlines():
        if line.strip() and not line.startswith("WRKRESULT"):
            log(f"    {line}")
    result = parse_wrk(done.stdout)
    result["rps"] = round(result["requests"] / (result["duration_us"] / 1e6))
    return result


def summary(name: str, r: dict[str, int]) -> None:
    errors = sum(v for k, v in r.items() if k.startswith("errors_"))
    log(
        f"  {name}: {r['rps']} req/s, {r['requests']} responses (human 302 {r['human_302']}, bot 302 {r['bot_302']}, "
        f"other {r['other']}), p50 {r['p50_us'] / 1000:.2f} ms, p99 {r['p99_us'] / 1000:.2f} ms, "
        f"max {r['max_us'] / 1000:.1f} ms, socket errors {errors}"
    )


# --- the app under test ------------------------------------------------------------------------------


def django_env(tmp: Path, port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "groundswell.settings",
            "SECRET_KEY": "bench-" + secrets.token_hex(24),
            "DEBUG": "0",
            "GROUNDSWELL_DATA_DIR": str(tmp / "data"),
            "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite3'}"),
            "SITE_URL": f"http://127.0.0.1:{port}",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "WARNING",
            "CLICK_SPOOL_DIR": str(tmp / "data" / "click-spool"),
        }
    )
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH", "")]))
    return env


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def seed(shares: int) -> list[str]:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from groundswell.content.models import Item, ItemKind, ItemState
    from groundswell.rewards.actions import ensure_default_rules
    from groundswell.sharing.models import Share, new_code
    from groundswell.workspaces.models import Department, Membership, Workspace

    call_command("migrate", verbosity=0)
    workspace = Workspace.objects.create(name="Bench", slug="bench")
    ensure_default_rules(workspace)
    departments = [Department.objects.create(workspace=workspace, name=f"Dept {i}") for i in range(5)]
    user_model = get_user_model()
    members = []
    for i in range(50):
        user = user_model.objects.create_user(username=f"m{i}@bench.test", email=f"m{i}@bench.test")
        members.append(
            Membership.objects.create(
                workspace=workspace, user=user, display_name=f"Member {i}", department=departments[i % 5]
            )
        )
    now = timezone.now()
    items = [
        Item.objects.create(
            workspace=workspace,
            kind=ItemKind.URL,
            state=ItemState.PUBLISHED,
            url=f"https://example.com/post/{i}?ref=bench",
            title=f"Bench post number {i}",
            published_at=now,
        )
        for i in range(50)
    ]
    networks = ["linkedin", "x", "facebook", "mastodon", "bluesky"]
    codes: set[str] = set()
    while len(codes) < shares:
        codes.add(new_code())
    Share.objects.bulk_create(
        [
            Share(
                workspace=workspace,
                item=items[i % len(items)],
                member=members[i % len(members)],
                network=networks[i % len(networks)],
                code=code,
            )
            for i, code in enumerate(sorted(codes))
        ],
        batch_size=500,
    )
    return sorted(codes)


def stored_clicks() -> tuple[int, int]:
    """(human clicks, bot clicks) stored in the database."""
    from django.db import close_old_connections

    from groundswell.links.models import Click

    close_old_connections()
    human = Click.objects.filter(is_bot=False).count()
    bots = Click.objects.filter(is_bot=True).count()
    return human, bots


def crash_tags_stored() -> set[int]:
    """Tags (request numbers) of the crash run's clicks stored in the database."""
    from django.db import close_old_connections

    from groundswell.links.models import Click

    close_old_connections()
    hosts = Click.objects.filter(referrer_host__endswith=".kill.bench").values_list("referrer_host", flat=True)
    return {int(host.split(".", 1)[0][1:]) for host in hosts.iterator()}


def run_crashload(
    core: str | None, port: int, codes: Path, seconds: int, connections: int, answered: Path
) -> dict[str, int]:
    argv = pinned(
        core,
        [
            sys.executable,
            str(HERE / "crashload.py"),
            str(port),
            str(codes),
            str(seconds),
            str(connections),
            str(answered),
        ],
    )
    done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=seconds + 120)
    match = re.search(r"^CRASHLOAD (.*)$", done.stdout, re.MULTILINE)
    if done.returncode != 0 or not match:
        raise SystemExit(f"crashload failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return {key: int(value) for key, value in (pair.split("=") for pair in match.group(1).split())}


def start_uvicorn(core: str | None, port: int, env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    argv = pinned(
        core,
        [
            sys.executable,
            "-m",
            "uvicorn",
            "groundswell.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--http",
            "httptools",
            "--loop",
            "uvloop",
            "--no-access-log",
            "--no-server-header",
            "--lifespan",
            "on",
            "--log-level",
            "warning",
            "--timeout-graceful-shutdown",
            "30",
        ],
    )
    with open(log_path, "ab") as out:
        return subprocess.Popen(argv, env=env, cwd=str(ROOT), stdout=out, stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen[bytes], timeout: float = 60.0) -> int:
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


def kill_and_restart(
    app: list[subprocess.Popen[bytes]],
    after: float,
    core: str | None,
    port: int,
    env: dict[str, str],
    log_path: Path,
    flag: Path,
) -> dict[str, float]:
    """SIGKILL the server ``after`` seconds into the load, start a new one at once; returns timings.

    Two seconds after the new server answers, ``flag`` tells the load generator it may stop."""
    timings: dict[str, float] = {}
    time.sleep(after)
    app[0].send_signal(signal.SIGKILL)
    app[0].wait()
    killed = time.monotonic()
    timings["killed_at"] = after
    app[0] = start_uvicorn(core, port, env, log_path)
    wait_for_port(port, timeout=60)
    timings["down_s"] = time.monotonic() - killed
    time.sleep(2)
    flag.touch()
    return timings


def start_nginx(core: str | None, port: int, tmp: Path) -> subprocess.Popen[bytes]:
    conf = tmp / "nginx.conf"
    conf.write_text(NGINX_CONF.read_text().replace("@TMP@", str(tmp)).replace("@PORT@", str(port)))
    if os.geteuid() != 0:
        conf.write_text(conf.read_text().replace("user root;\n", ""))
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    argv = pinned(core, [nginx, "-p", str(tmp), "-c", str(conf), "-e", str(tmp / "nginx-error.log")])
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    quick = os.environ.get("BENCH_QUICK") == "1"
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", "3" if quick else "10")))
    parser.add_argument(
        "--kill-duration",
        type=int,
        default=8 if quick else 10,
        help="seconds of the second run, during which the server is killed with SIGKILL halfway and restarted",
    )
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (all on the wrk core)")
    parser.add_argument("--shares", type=int, default=200 if quick else 1000)
    parser.add_argument(
        "--warmup", type=int, default=1 if quick else 2, help="seconds of warm-up before each measured run"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument(
        "--ingest",
        choices=("worker", "inline"),
        default=os.environ.get("BENCH_INGEST", "worker"),
        help="worker: the web process spools clicks and an ingester process writes them, as `groundswell serve` "
        "runs it (default); inline: the web process writes clicks to the database itself",
    )
    args = parser.parse_args()

    for tool in ("wrk", "nginx"):
        if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists():
            log(
                f"{tool} is not installed. Install it (Debian/Ubuntu: apt-get install -y nginx-light wrk) or run as root."
            )
            log("BENCH redirect rps=0 nginx_rps=0 ratio_to_nginx=0 p99_ms=0 lost=-1 kill=none answered=0")
            return 2

    server_core, wrk_core = cores()
    if server_core is None:
        log("WARNING: fewer than two cores or no taskset: running unpinned, figures are not comparable")
    tmp = Path(tempfile.mkdtemp(prefix="bench-redirect-"))
    port, nginx_port = free_port(), free_port()
    env = django_env(tmp, port)
    setup_django(env)
    started = time.time()
    codes = seed(args.shares)
    from django.db import connections

    connections.close_all()
    codes_file = tmp / "codes.txt"
    codes_file.write_text("\n".join(codes) + "\n")
    from django.conf import settings

    log(
        f"Prepared {len(codes)} shares in {time.time() - started:.1f} s ({settings.DATABASES['default']['ENGINE']}); "
        f"server core {server_core}, wrk core {wrk_core}, {args.connections} connections, {args.duration} s"
    )

    # --- nginx ---------------------------------------------------------------------------------------
    nginx = start_nginx(server_core, nginx_port, tmp)
    try:
        wait_for_port(nginx_port)
        nginx_url = f"http://127.0.0.1:{nginx_port}"
        if args.warmup:
            run_wrk(wrk_core, nginx_url, args.warmup, args.connections, args.threads, codes_file)
        log("nginx return 302:")
        nginx_result = run_wrk(wrk_core, nginx_url, args.duration, args.connections, args.threads, codes_file)
        summary("nginx", nginx_result)
    finally:
        stop(nginx, 10)

    # --- the app -------------------------------------------------------------------------------------
    server_log = tmp / "uvicorn.log"
    env["CLICK_INGEST"] = args.ingest
    ingester = None
    if args.ingest == "worker":
        # The click ingester is the worker's job, not the redirect server's: it runs on the other core.
        ingester = subprocess.Popen(
            pinned(wrk_core, [sys.executable, "-m", "groundswell.cli", "flush_clicks", "--follow"]),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(tmp / "ingester.log", "wb"),  # noqa: SIM115
        )
    # A list, so that the killer thread can put the restarted server in place of the killed one.
    app = [start_uvicorn(server_core, port, env, server_log)]
    sent_human = sent_bot = 0
    kill: dict[str, float] = {}
    crash: dict[str, int] = {}
    answered_file = tmp / "crash-answered.txt"
    try:
        wait_for_port(port)
        url = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(f"{url}/healthz", timeout=10) as health:
            log(f"uvicorn up: /healthz {health.status}")
        if args.warmup:
            warm = run_wrk(wrk_core, url, args.warmup, args.connections, args.threads, codes_file)
            sent_human += warm["human_302"]
            sent_bot += warm["bot_302"]
        log("groundswell fast path (uvicorn, httptools, uvloop):")
        result = run_wrk(wrk_core, url, args.duration, args.connections, args.threads, codes_file)
        summary("app", result)
        sent_human += result["human_302"]
        sent_bot += result["bot_302"]

        if args.kill_duration:
            log(
                f"crash run: {args.kill_duration} s of tagged requests (crashload.py, {args.connections} connections); "
                "the server is killed with SIGKILL halfway and restarted:"
            )
            with ThreadPoolExecutor(1) as pool:
                killer = pool.submit(
                    kill_and_restart,
                    app,
                    args.kill_duration / 2,
                    server_core,
                    port,
                    env,
                    server_log,
                    answered_file.with_name(answered_file.name + ".restarted"),
                )
                crash = run_crashload(wrk_core, port, codes_file, args.kill_duration, args.connections, answered_file)
                kill = killer.result()
            log(
                f"  crash run: {crash['answered']} of {crash['sent']} requests answered 302 ({crash['rps']} per s), "
                f"{crash['errors']} connection errors; killed {kill['killed_at']:.1f} s in, a new server answered "
                f"{kill['down_s']:.1f} s later"
            )

        if ingester is not None:
            # Graceful stop first: the server spools what it still holds; the ingester writes it.
            code = stop(app[0])
            log(f"  uvicorn stopped (exit {code}{', graceful SIGTERM' if code == -signal.SIGTERM else ''})")
        # Wait for the flusher (inline) or the ingester (worker) to catch up: until every click is stored or
        # nothing has arrived for 15 s, never a fixed total (on a quiet machine the load is larger and draining
        # it took more than the 120 s once allowed: 22,308 clicks still in the spool were counted as lost).
        deadline = time.time() + 1800
        waited = time.time()
        human = bots = 0
        progress = (time.time(), -1)
        while time.time() < deadline:
            human, bots = stored_clicks()
            if human >= sent_human + crash.get("answered", 0) and bots >= sent_bot:
                break
            if human + bots != progress[1]:
                progress = (time.time(), human + bots)
            elif time.time() - progress[0] > 15:
                break  # nothing more arrives: the rest is lost
            time.sleep(0.5)
        log(
            f"  {args.ingest} ingest: {human} human + {bots} bot clicks stored {time.time() - waited:.1f} s after the run"
        )
    finally:
        if app[0].poll() is None:
            code = stop(app[0])
            # uvicorn re-raises the signal after a graceful shutdown, so SIGTERM shows as -15.
            log(f"  uvicorn stopped (exit {code}{', graceful SIGTERM' if code == -signal.SIGTERM else ''})")
        if ingester is not None:
            stop(ingester)
    human, bots = stored_clicks()
    tagged = crash_tags_stored()
    human -= len(tagged)
    spool = (
        [path.name for path in (tmp / "data" / "click-spool").iterdir()]
        if (tmp / "data" / "click-spool").exists()
        else []
    )
    lost_wrk = max(0, sent_human - human) + max(0, sent_bot - bots)
    answered = {int(line) for line in answered_file.read_text().split()} if answered_file.exists() else set()
    lost_crash = len(answered - tagged)
    lost = lost_wrk + lost_crash
    log(
        f"  wrk runs: human 302 {sent_human} / stored {human}, bot 302 {sent_bot} / stored {bots} "
        f"(stored beyond counted = requests in flight when wrk stopped)"
    )
    log(
        f"  crash run: {len(answered)} answered 302, {len(answered & tagged)} of them stored, lost {lost_crash} "
        f"(exact, by tag); {len(tagged - answered)} stored without an answer (in flight at the kill)"
    )
    log(f"  spool left: {spool or 'empty'}")
    if server_log.exists():
        problems = [
            line
            for line in server_log.read_text(errors="replace").splitlines()
            if any(word in line for word in ("ERROR", "Traceback", "Error", "CRITICAL", "spool"))
        ]
        if problems:
            log("  uvicorn log (problems):\n    " + "\n    ".join(problems[-15:]))
    if args.keep:
        log(f"  kept {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)

    ratio = result["rps"] / nginx_result["rps"] if nginx_result["rps"] else 0.0
    targets = ratio >= 0.10 and result["p99_us"] <= 20_000 and lost == 0 and result["other"] == 0
    log(f"targets (ratio >= 0.10, p99 <= 20 ms, lost = 0, no non-302): {'met' if targets else 'NOT met'}")
    log(f"click ingest: {args.ingest}")
    killed = f"sigkill@{kill['killed_at']:.1f}s" if kill else "none"
    log(
        f"BENCH redirect rps={result['rps']} nginx_rps={nginx_result['rps']} ratio_to_nginx={ratio:.3f} "
        f"p99_ms={result['p99_us'] / 1000:.2f} lost={lost} kill={killed} answered={sent_human + sent_bot + len(answered)}"
    )
    # A lost click is a broken promise (ADR 0030), whatever the machine's speed: fail the run, and so CI.
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
