"""Outbox benchmark: scheduled shares drained to a real local Bluesky network while replies get lost.

1. Starts the local AT Protocol network the tests use (``tests/bluesky/network.py``: PLC, PDS, AppView from
   ``@atproto/dev-env``) and a loopback proxy in front of its PDS. The proxy forwards every request; for
   every tenth ``com.atproto.repo.createRecord`` it waits for the PDS's answer (the post is written), then
   holds the reply past the client's read timeout and closes the connection: the outbox sees a timeout for
   a post the network has accepted. The plug-in's look-up right after (getRecord under the job's record key)
   is answered 502 once, so the job is retried on a later attempt, which must find the post, not repeat it.
2. Builds a workspace on its own PostgreSQL database (created and dropped): members, items and the default
   rules, a posting policy that allows the volume; each member connects a Bluesky account with an app
   password through the plug-in (``login_with_password``, ``accounts.connect``), via the proxy.
3. Schedules the shares with ``sharing.posting.schedule_post`` (share, tracked link and job in one transaction),
   then drains them with ``outbox.deliver_due`` from several worker threads, as the task worker does.
   Backoffs are waited out on a virtual clock (``deliver_due(now=…)``, the outbox's own parameter): the
   clock jumps to the next retry only when no job is being sent.
4. Counts on the network, not in our database: ``com.atproto.repo.listRecords`` on every account's repo,
   each post matched to its job by text (every text carries its share's own short link). ``duplicates`` are
   jobs found more than once plus posts that match no job; ``lost`` are jobs not on the network.

Reference measured in the same run: the same number of threads writing posts straight to the PDS with
``createRecord`` (no proxy, no outbox, no database), ``direct_posts_per_s``.

Last line: ``BENCH outbox posted=<n> duplicates=<n> lost=<n> posts_per_s=<x> direct_posts_per_s=<x>
ratio=<x> timeouts=<n>``. Exit status 1 when anything is duplicated or lost.

``BENCH_QUICK=1``: 30 shares on 3 accounts (CI). ``BENCH_SHARES``, ``BENCH_ACCOUNTS``, ``BENCH_WORKERS`` and
``BENCH_READ_TIMEOUT`` (the outbox's HTTP read timeout in seconds, default 3; production uses 20) change the run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.server
import json
import os
import secrets
import socket
import sys
import threading
import time
import urllib.parse
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

QUICK = os.environ.get("BENCH_QUICK") == "1"
SHARES = int(os.environ.get("BENCH_SHARES") or (30 if QUICK else 1000))
ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS") or (3 if QUICK else 10))
WORKERS = int(os.environ.get("BENCH_WORKERS") or 4)
READ_TIMEOUT = float(os.environ.get("BENCH_READ_TIMEOUT") or 3.0)
DROP_EVERY = 10  # every tenth createRecord: accepted by the PDS, answer never delivered
PG_ADMIN = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
DB_NAME = f"gs_bench_outbox_{os.getpid()}"
POST_COLLECTION = "app.bsky.feed.post"

os.environ["DATABASE_URL"] = f"{PG_ADMIN}/{DB_NAME}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groundswell.test_settings")
os.environ.setdefault("LOG_LEVEL", "ERROR")


def log(message: str, t0: float) -> None:
    print(f"  [{time.perf_counter() - t0:7.1f}s] {message}", flush=True)


# --- the lossy proxy ------------------------------------------------------------------------------------


class LossyProxy:
    """A loopback HTTP proxy in front of the PDS that loses the answer of every ``DROP_EVERY``-th createRecord
    after the PDS has written the record, and fails (502) the first getRecord of that record key after it,
    so the job cannot settle in the same attempt: the outbox retries later and must find the post."""

    def __init__(self, upstream: str, hold_seconds: float) -> None:
        self.upstream = upstream.rstrip("/")
        self.hold_seconds = hold_seconds
        self.lock = threading.Lock()
        self.creates = 0
        self.dropped = 0
        self.dropped_accepted = 0
        self.unsure: set[str] = set()  # record keys whose answer was lost and not looked up since
        self.failed_checks = 0
        self.http = httpx.Client(timeout=60)
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                skip = {"host", "content-length", "connection", "accept-encoding"}
                headers = {k: v for k, v in self.headers.items() if k.lower() not in skip}
                drop = False
                rkey = ""
                if self.path.startswith("/xrpc/com.atproto.repo.createRecord"):
                    with contextlib.suppress(ValueError, AttributeError):
                        rkey = str(json.loads(body).get("rkey") or "")
                    with proxy.lock:
                        proxy.creates += 1
                        drop = proxy.creates % DROP_EVERY == DROP_EVERY // 2
                elif self.path.startswith("/xrpc/com.atproto.repo.getRecord"):
                    query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
                    with proxy.lock:
                        unsure = query.get("rkey", [""])[0] in proxy.unsure
                        proxy.unsure.discard(query.get("rkey", [""])[0])
                        proxy.failed_checks += unsure
                    if unsure:  # the look right after the lost answer fails too: the job must retry later
                        self.send_response(502)
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                answer = proxy.http.request(self.command, proxy.upstream + self.path, content=body, headers=headers)
                if drop:
                    with proxy.lock:
                        proxy.dropped += 1
                        proxy.dropped_accepted += answer.is_success
                        if rkey:
                            proxy.unsure.add(rkey)
                    time.sleep(proxy.hold_seconds)  # past the client's read timeout
                    self.close_connection = True
                    with contextlib.suppress(OSError):
                        self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.send_response(answer.status_code)
                for key, value in answer.headers.items():
                    if key.lower() not in {"content-length", "transfer-encoding", "connection", "content-encoding"}:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            do_GET = do_POST = _forward

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.http.close()


# --- database ---------------------------------------------------------------------------------------------


def create_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG_ADMIN}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def drop_database() -> None:
    import psycopg

    with contextlib.suppress(Exception), psycopg.connect(f"{PG_ADMIN}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


# --- network helpers ----------------------------------------------------------------------------------------


def app_password(pds: str, handle: str, password: str) -> str:
    session = httpx.post(
        f"{pds}/xrpc/com.atproto.server.createSession", json={"identifier": handle, "password": password}, timeout=30
    )
    session.raise_for_status()
    answer = httpx.post(
        f"{pds}/xrpc/com.atproto.server.createAppPassword",
        json={"name": "Groundswell"},
        headers={"Authorization": f"Bearer {session.json()['accessJwt']}"},
        timeout=30,
    )
    answer.raise_for_status()
    return str(answer.json()["password"])


def list_posts(pds: str, did: str) -> list[dict[str, Any]]:
    """Every ``app.bsky.feed.post`` record in ``did``'s repo, read from the PDS page by page."""
    records: list[dict[str, Any]] = []
    cursor = None
    with httpx.Client(timeout=60) as client:
        while True:
            params: dict[str, Any] = {"repo": did, "collection": POST_COLLECTION, "limit": 100}
            if cursor:
                params["cursor"] = cursor
            answer = client.get(f"{pds}/xrpc/com.atproto.repo.listRecords", params=params)
            answer.raise_for_status()
            data = answer.json()
            records.extend(data.get("records", []))
            cursor = data.get("cursor")
            if not cursor or not data.get("records"):
                return records


def direct_reference(pds: str, did: str, password: str, count: int) -> float:
    """Posts per second written straight to the PDS with createRecord by ``WORKERS`` threads."""
    session = httpx.post(
        f"{pds}/xrpc/com.atproto.server.createSession", json={"identifier": did, "password": password}, timeout=30
    ).json()
    headers = {"Authorization": f"Bearer {session['accessJwt']}"}

    def one(i: int, client: httpx.Client) -> None:
        record = {
            "$type": POST_COLLECTION,
            "text": f"Reference post {i} https://example.com/r/{i}",
            "createdAt": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }
        answer = client.post(
            f"{pds}/xrpc/com.atproto.repo.createRecord",
            json={"repo": did, "collection": POST_COLLECTION, "record": record},
            headers=headers,
        )
        answer.raise_for_status()

    clients = [httpx.Client(timeout=60) for _ in range(WORKERS)]
    started = time.perf_counter()
    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(lambda i: one(i, clients[i % WORKERS]), range(count)))
    elapsed = time.perf_counter() - started
    for client in clients:
        client.close()
    return count / elapsed


# --- the run ------------------------------------------------------------------------------------------------


def main() -> int:
    t0 = time.perf_counter()
    from tests.bluesky.network import start_network

    print(
        f"outbox benchmark: {SHARES:,} shares on {ACCOUNTS} Bluesky accounts, {WORKERS} delivery threads, "
        f"every {DROP_EVERY}th createRecord answer lost after the write (client read timeout {READ_TIMEOUT:g} s)",
        flush=True,
    )
    network = start_network()
    proxy = None
    try:
        log(f"local Bluesky network up (PDS {network.pds_url})", t0)
        proxy = LossyProxy(network.pds_url, hold_seconds=READ_TIMEOUT + 1.0)
        os.environ["BLUESKY_SERVICE_URL"] = proxy.url
        create_database()
        return run(network, proxy, t0)
    finally:
        if proxy is not None:
            proxy.stop()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:
            pass
        drop_database()
        network.stop()


def run(network: Any, proxy: LossyProxy, t0: float) -> int:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from groundswell.content.models import Item, ItemKind, ItemState
    from groundswell.networks import accounts, outbox, registry
    from groundswell.networks import http as network_http
    from groundswell.networks import policy as posting_policy
    from groundswell.networks.models import OutboundPost, PostStatus
    from groundswell.rewards.actions import ensure_default_rules
    from groundswell.sharing import posting
    from groundswell.workspaces.models import Membership, Role, Workspace

    # The outbox's own HTTP client, with a shorter read timeout so lost answers cost seconds, not 20 s each.
    network_http.TIMEOUT = network_http.httpx.Timeout(connect=5.0, read=READ_TIMEOUT, write=10.0, pool=5.0)
    call_command("migrate", verbosity=0, interactive=False)
    log(f"database {DB_NAME} migrated", t0)

    workspace = Workspace.objects.create(name="Outbox Bench", slug="outbox-bench")
    ensure_default_rules(workspace)
    policy = posting_policy.get_policy(workspace)
    policy.max_per_day_per_network = 10_000
    policy.max_per_week_per_network = 10_000
    policy.save(update_fields=["max_per_day_per_network", "max_per_week_per_network"])
    User = get_user_model()
    per_account = -(-SHARES // ACCOUNTS)
    items = [
        Item.objects.create(
            workspace=workspace,
            kind=ItemKind.URL,
            state=ItemState.PUBLISHED,
            url=f"https://news.example.com/story/{i}",
            title=f"Story {i}",
            published_at=timezone.now(),
        )
        for i in range(per_account)
    ]
    plugin = registry.get_client("bluesky")
    tag = secrets.token_hex(2)
    members: list[tuple[Membership, Any, str]] = []
    for n in range(ACCOUNTS):
        user = User.objects.create_user(username=f"m{n}@bench.test", email=f"m{n}@bench.test")
        member = Membership.objects.create(
            workspace=workspace, user=user, role=Role.EMPLOYEE, display_name=f"Member {n}"
        )
        did, handle = network.create_account(f"m{n}x{tag}", "main-password")
        tokens = plugin.login_with_password(
            identifier=handle, password=app_password(network.pds_url, handle, "main-password"), service_url=proxy.url
        )
        members.append((member, accounts.connect(member, "bluesky", tokens), did))
    log(f"{ACCOUNTS} members connected their Bluesky accounts (app passwords, through the proxy)", t0)

    start = timezone.now() + dt.timedelta(hours=1)
    jobs: list[int] = []
    for i in range(SHARES):
        member, account, _ = members[i % ACCOUNTS]
        item = items[i // ACCOUNTS]
        post = posting.schedule_post(member, item, account, f"Worth reading ({i}).", start, False)
        jobs.append(post.pk)
    log(f"{SHARES:,} shares scheduled for {start:%H:%M} UTC (share, short link and outbox job each)", t0)

    # Drain on a virtual clock: real time plus an offset that jumps to the next retry when nothing is due
    # and nothing is being sent.
    offset = [start - timezone.now()]
    clock_lock = threading.Lock()

    def now() -> dt.datetime:
        return timezone.now() + offset[0]

    def active() -> int:
        return OutboundPost.objects.filter(pk__in=jobs, status__in=outbox.ACTIVE).count()

    def worker() -> int:
        sent = 0
        try:
            while True:
                handled = outbox.deliver_due(now(), limit=10)
                sent += handled
                if handled:
                    continue
                with clock_lock:
                    remaining = OutboundPost.objects.filter(
                        pk__in=jobs, status__in=(*outbox.ACTIVE, PostStatus.SENDING)
                    )
                    if not remaining.exists():
                        return sent
                    if not remaining.filter(status=PostStatus.SENDING).exists():
                        nxt = remaining.order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first()
                        if nxt is not None and nxt > now():
                            offset[0] += nxt - now() + dt.timedelta(milliseconds=1)
                            continue
                time.sleep(0.05)
        finally:
            connection.close()

    drain_started = time.perf_counter()
    with ThreadPoolExecutor(WORKERS) as pool:
        handled = sum(pool.map(lambda _: worker(), range(WORKERS)))
    drain_seconds = time.perf_counter() - drain_started
    virtual = offset[0] - (start - timezone.now())
    statuses = Counter(OutboundPost.objects.filter(pk__in=jobs).values_list("status", flat=True))
    attempts = sum(OutboundPost.objects.filter(pk__in=jobs).values_list("attempts", flat=True))
    found_on_retry = OutboundPost.objects.filter(pk__in=jobs, log__message__startswith="Found on Bluesky").count()
    log(
        f"drained in {drain_seconds:.1f} s ({handled} deliveries, {attempts} attempts; clock moved "
        f"{virtual.total_seconds() / 60:.1f} min for backoffs); statuses {dict(statuses)}",
        t0,
    )
    log(
        f"proxy: {proxy.creates} createRecord calls, {proxy.dropped} answers lost "
        f"({proxy.dropped_accepted} of them after the PDS wrote the post), {proxy.failed_checks} look-ups "
        f"right after them failed; {found_on_retry} jobs found on the network when retried",
        t0,
    )

    retried = OutboundPost.objects.filter(pk__in=jobs, attempts__gt=1).order_by("pk")
    for post in retried[:5]:  # what a retried job went through, as the member reads it
        lines = " | ".join(post.log.order_by("at", "pk").values_list("message", flat=True))
        print(f"    job {post.pk}, {post.attempts} attempts: {lines}", flush=True)

    # Count on the network itself.
    texts = dict(OutboundPost.objects.filter(pk__in=jobs).values_list("text", "pk"))
    keys = dict(OutboundPost.objects.filter(pk__in=jobs).values_list("pk", "idempotency_key"))
    seen: Counter[int] = Counter()
    strangers = 0
    wrong_key = 0
    on_network = 0
    for _, _, did in members:
        for record in list_posts(network.pds_url, did):
            on_network += 1
            pk = texts.get(str(record.get("value", {}).get("text", "")))
            if pk is None:
                strangers += 1
                continue
            seen[pk] += 1
            wrong_key += record["uri"].rsplit("/", 1)[-1] != keys[pk]
    posted = len(seen)
    duplicates = sum(c - 1 for c in seen.values()) + strangers
    lost = len(jobs) - posted
    posts_per_s = posted / drain_seconds
    log(
        f"on the network: {on_network} posts in {ACCOUNTS} repos (listRecords); {posted} jobs found, "
        f"{duplicates} duplicates, {lost} lost, {wrong_key} under another record key",
        t0,
    )

    ref_did, _ = network.create_account(f"ref{tag}", "main-password")
    direct = direct_reference(network.pds_url, ref_did, "main-password", min(200, SHARES))
    log(f"reference: {direct:.1f} posts/s straight to the PDS ({WORKERS} threads, createRecord)", t0)
    print(
        f"BENCH outbox posted={posted} duplicates={duplicates} lost={lost} posts_per_s={posts_per_s:.1f} "
        f"direct_posts_per_s={direct:.1f} ratio={posts_per_s / direct:.3f} timeouts={proxy.dropped}"
    )
    return 0 if duplicates == 0 and lost == 0 and wrong_key == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
