"""Listening pipeline benchmark: posts per second end to end on two worker processes.

Each worker polls its own Mastodon-shaped source through the real plug-in (JSON parsing, HTML to text), the
fetch choke point answering from pre-generated pages, and ingests every page through the real pipeline
(dedupe, near-duplicate lookup, matching against the workspace's topics, enrichment, storage of the matching
posts with mentions, per-day counts and the cursor in one transaction per page). Posts per second counts every
post read (matched or not) over the wall time of both workers.

The reference, measured in the same run on the same database: raw ``bulk_create`` INSERTs of the same Post rows
(already built, no parsing or matching), one process. SQLite in a temporary directory; PostgreSQL as well when
``BENCH_DATABASE_URL`` is set (tables are migrated; the bench workspace is deleted afterwards).
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
TMP = Path(tempfile.mkdtemp(prefix="groundswell-bench-listening-"))
SQLITE_URL = f"sqlite:///{TMP / 'bench.sqlite3'}"
os.environ["GROUNDSWELL_DATA_DIR"] = str(TMP)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groundswell.test_settings")
os.environ.setdefault("LOG_LEVEL", "ERROR")

SEED = 2026
WORKERS = 2
# BENCH_QUICK=1 (CI): a few pages per worker, same code paths.
POSTS_PER_WORKER = int(os.environ.get("BENCH_POSTS") or (400 if os.environ.get("BENCH_QUICK") == "1" else 6000))
PAGE = 40  # Mastodon's page size
TOPICS = 300
BRANDS = ["northwind", "fjordfell", "summitsupply", "kestrel", "tundra", "alpine", "ridgeline", "larkspur"]
WORDS = [
    "the",
    "a",
    "and",
    "to",
    "of",
    "in",
    "is",
    "it",
    "for",
    "on",
    "with",
    "my",
    "this",
    "that",
    "was",
    "so",
    "just",
    "really",
    "love",
    "hate",
    "new",
    "old",
    "trip",
    "camp",
    "tent",
    "boots",
    "jacket",
    "rain",
    "wind",
    "cold",
    "warm",
    "dry",
    "wet",
    "hike",
    "trail",
    "summit",
    "lake",
    "forest",
    "weekend",
    "morning",
    "night",
    "gear",
    "review",
    "store",
    "price",
    "cheap",
    "expensive",
    "broken",
    "zip",
    "seam",
    "waterproof",
    "light",
    "heavy",
    "friend",
    "family",
    "dog",
    "coffee",
    "snow",
    "sun",
]


def status(rng: random.Random, sid: int) -> dict[str, Any]:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 35))]
    if rng.random() < 0.6:
        words.insert(rng.randrange(len(words)), rng.choice(BRANDS))
    if rng.random() < 0.05:
        words.insert(rng.randrange(len(words)), f"brand{rng.randrange(TOPICS // 3)}")
    text = " ".join(words)
    if rng.random() < 0.3:
        text += " #" + rng.choice(BRANDS)
    return {
        "id": str(sid),
        "uri": f"https://mastodon.example/users/u{sid % 997}/statuses/{sid}",
        "url": f"https://mastodon.example/@u{sid % 997}/{sid}",
        "created_at": f"2026-03-{1 + sid % 28:02d}T{sid % 24:02d}:00:00.000Z",
        "content": f"<p>{text.capitalize()}{'?' if rng.random() < 0.2 else '.'}</p>",
        "spoiler_text": "",
        "language": "en",
        "in_reply_to_id": None,
        "replies_count": rng.randint(0, 5),
        "reblogs_count": rng.randint(0, 5),
        "favourites_count": rng.randint(0, 20),
        "reblog": None,
        "account": {"acct": f"u{sid % 997}@mastodon.example", "url": f"https://mastodon.example/@u{sid % 997}"},
    }


def pages_for(worker: int) -> dict[str, bytes]:
    """min_id → the JSON page after it (Mastodon answers newest first)."""
    rng = random.Random(SEED + worker)
    base = (worker + 1) * 10_000_000
    ids = list(range(base + 1, base + POSTS_PER_WORKER + 1))
    out: dict[str, bytes] = {}
    previous = ""
    for i in range(0, len(ids), PAGE):
        chunk = ids[i : i + PAGE]
        out[previous] = json.dumps([status(rng, sid) for sid in reversed(chunk)]).encode()
        previous = str(chunk[-1])
    out[previous] = b"[]"
    return out


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    import django
    from django.test.utils import override_settings

    django.setup()
    # As in production: follow-up work (routing care cases) is queued in the database for the worker, not run
    # inside ingest as the test-suite's immediate backend would.
    override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}).enable()


def prepare(url: str) -> tuple[int, list[int]]:
    """Migrate, create the bench workspace with its topics and one source per worker."""
    setup_django(url)
    from django.core.management import call_command

    from groundswell.listening.models import Source, Topic
    from groundswell.workspaces.models import Workspace

    call_command("migrate", verbosity=0)
    Workspace.objects.filter(slug="bench-listening").delete()
    ws = Workspace.objects.create(name="Bench listening", slug="bench-listening")
    rng = random.Random(SEED)
    topics = [Topic(workspace=ws, name=f"{b} brand", kind="brand", query=b) for b in BRANDS]
    # The other topics watch brands these posts rarely name (as in a workspace with many clients' topics): each
    # post matches one to three topics, and the index must skip the other ~300 cheaply.
    others = [f"brand{n}" for n in range(TOPICS // 3)]
    for n in range(TOPICS - len(topics)):
        a, b, c = rng.sample(WORDS, 3)
        brand = rng.choice(others)
        query = rng.choice(
            [f"{brand} AND ({a} OR {b})", f'"{a} {b}" AND NOT {c}', f"{brand} NEAR/5 {a}", f"{a[:3]}* AND {brand}"]
        )
        topics.append(Topic(workspace=ws, name=f"topic {n}", kind="category", query=query))
    Topic.objects.bulk_create(topics)
    sources = [
        Source.objects.create(
            workspace=ws,
            kind="mastodon",
            name=f"worker {w}",
            config={"instance": "https://mastodon.example", "timeline": "public", "tag": "", "local": False},
        )
        for w in range(WORKERS)
    ]
    from django.db import connections

    connections.close_all()
    return ws.pk, [s.pk for s in sources]


def worker(url: str, index: int, source_id: int, start: Any, out: Any) -> None:
    setup_django(url)
    from urllib.parse import parse_qs, urlsplit

    from groundswell.listening import http, pipeline
    from groundswell.listening.models import Source

    pages = pages_for(index)

    def fetcher(address: str, content_types: frozenset[str], user_agent: str) -> bytes:
        min_id = parse_qs(urlsplit(address).query).get("min_id", [""])[0]
        return pages[min_id]

    source = Source.objects.select_related("workspace").get(pk=source_id)
    start.wait()
    t0 = time.perf_counter()
    c0 = time.process_time()
    read = stored = 0
    with http.use_fetcher(fetcher):
        while True:
            result = pipeline.poll_source(source, limit=PAGE)
            if result is None:
                raise SystemExit(f"poll failed: {Source.objects.get(pk=source_id).last_error}")
            if not result.fetched:
                break
            read += result.fetched
            stored += result.stored
            source.cursor = Source.objects.get(pk=source_id).cursor
    out.put((read, stored, t0, time.perf_counter(), time.process_time() - c0))


def reference(url: str, ws_id: int, source_id: int) -> float:
    """Raw INSERT speed of the same rows (built beforehand), one process: posts per second."""
    setup_django(url)
    from django.db import transaction

    from groundswell.listening import dedupe
    from groundswell.listening.models import Post, Source
    from groundswell.listening.sources.mastodon import parse_statuses

    source = Source.objects.create(workspace_id=ws_id, kind="mastodon", name="raw inserts")
    rows = []
    for body in pages_for(0).values():
        for _, p in parse_statuses(json.loads(body)):
            rows.append(
                Post(
                    workspace_id=ws_id,
                    source=source,
                    external_id=p.external_id,
                    url=p.url,
                    author=p.author,
                    text=p.text,
                    site=p.site,
                    lang=p.lang,
                    published_at=p.published_at,
                    metrics=p.metrics,
                    content_hash=dedupe.content_hash(p.text),
                    simhash=0,
                )
            )
    t0 = time.perf_counter()
    for i in range(0, len(rows), PAGE):
        with transaction.atomic():
            Post.objects.bulk_create(rows[i : i + PAGE])
    return len(rows) / (time.perf_counter() - t0)


def run(url: str, label: str) -> dict[str, float]:
    ctx = mp.get_context("spawn")
    with ctx.Pool(1) as pool:
        ws_id, source_ids = pool.apply(prepare, (url,))
    start = ctx.Barrier(WORKERS)
    out = ctx.Queue()
    procs = [ctx.Process(target=worker, args=(url, i, sid, start, out)) for i, sid in enumerate(source_ids)]
    for p in procs:
        p.start()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
        if p.exitcode:
            raise SystemExit(f"a worker failed on {label}")
    read = sum(r[0] for r in results)
    stored = sum(r[1] for r in results)
    wall = max(r[3] for r in results) - min(r[2] for r in results)
    with ctx.Pool(1) as pool:
        raw = pool.apply(reference, (url, ws_id, source_ids[0]))
        pool.apply(cleanup, (url, ws_id)) if label != "sqlite" else None
    rate = read / wall
    # The machine is shared: wall time also measures the neighbours. Posts per CPU-second of the workers,
    # times the number of workers, is what two otherwise idle cores would do (on SQLite the database work runs
    # in the worker and is counted; on PostgreSQL the server's share is not).
    cpu_rate = read / sum(r[4] for r in results) * WORKERS
    print(
        f"{label}: {read:,} posts read by {WORKERS} workers in {wall:.2f}s = {rate:,.0f} posts/s "
        f"({stored:,} matched and stored, {TOPICS} topics); raw INSERTs of the same rows {raw:,.0f} posts/s "
        f"on one process; pipeline/raw = {rate / raw:.2f}; CPU-time rate on {WORKERS} cores {cpu_rate:,.0f} posts/s",
        flush=True,
    )
    return {"rate": rate, "raw": raw, "stored": stored / read, "cpu_rate": cpu_rate}


def cleanup(url: str, ws_id: int) -> None:
    setup_django(url)
    from groundswell.workspaces.models import Workspace

    Workspace.objects.filter(pk=ws_id).delete()


def main() -> None:
    results = {"sqlite": run(SQLITE_URL, "sqlite")}
    pg = os.environ.get("BENCH_DATABASE_URL")
    if pg:
        results["postgres"] = run(pg, "postgres")
    s = results["sqlite"]
    line = (
        f"BENCH listening posts_per_s={s['rate']:.0f} raw_insert_per_s={s['raw']:.0f} stored_fraction={s['stored']:.2f}"
    )
    if "postgres" in results:
        line += (
            f" pg_posts_per_s={results['postgres']['rate']:.0f} pg_raw_insert_per_s={results['postgres']['raw']:.0f}"
        )
    print(line)


if __name__ == "__main__":
    main()
