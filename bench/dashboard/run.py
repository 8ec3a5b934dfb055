"""Dashboard read-path benchmark: leaderboard and goal progress on a big workspace.

Builds a temporary SQLite database with BENCH_MEMBERS members (default 100,000) and BENCH_CLICKS raw clicks
(default 10,000,000) plus rollups aggregated from those raw rows, then

* times the real views (Django test client, logged in) for the leaderboard and the program page (goal
  progress): p50/p95 over BENCH_REQUESTS requests each (default 200);
* counts their queries on the big workspace and on an empty one (they must be equal);
* computes the same monthly leaderboard from raw clicks (GROUP BY over clicks joined with shares) and
  checks it against the rollup answer, printing the speedup of reading rollups.

Last line: ``BENCH dashboard p95_ms=<x> queries=<n> queries_empty=<n> speedup=<x>`` where p95_ms is the
worse of the two endpoints and queries counts one leaderboard plus one program page request.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
TMP = Path(tempfile.mkdtemp(prefix="groundswell-bench-dashboard-"))
DB_PATH = TMP / "bench.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{DB_PATH}"
os.environ["GROUNDSWELL_DATA_DIR"] = str(TMP)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groundswell.test_settings")
os.environ.setdefault("LOG_LEVEL", "ERROR")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from generate import Sizes, create_people, generate, log  # noqa: E402

from groundswell.goals.actions import create_goal  # noqa: E402
from groundswell.lib.periods import period_end, period_start  # noqa: E402
from groundswell.rewards.leaderboard import board_for, leaderboard, member_standing  # noqa: E402
from groundswell.workspaces.models import Membership, Workspace  # noqa: E402


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def time_get(client: Client, url: str, n: int) -> list[float]:
    for _ in range(5):  # warm-up
        assert client.get(url).status_code == 200
    out = []
    for _ in range(n):
        t = time.perf_counter()
        response = client.get(url)
        out.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, response.status_code
    return out


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


RAW_LEADERBOARD = """
WITH events AS (
    SELECT s.member_id, date(s.created_at) AS day, 1 AS shares, 0 AS uniq
    FROM sharing_share s
    WHERE s.workspace_id = %(ws)s AND s.created_at >= %(lo)s AND s.created_at < %(hi)s
    UNION ALL
    SELECT s.member_id, date(c.clicked_at), 0, c.is_unique
    FROM links_click c JOIN sharing_share s ON s.id = c.share_id
    WHERE c.workspace_id = %(ws)s AND c.clicked_at >= %(lo)s AND c.clicked_at < %(hi)s
), counts AS (
    SELECT member_id, day, SUM(shares) AS shares, SUM(uniq) AS uniq FROM events GROUP BY member_id, day
), per_day AS (  -- points for n shares / n unique clicks in a day, tabulated from the rules by generate.py
    SELECT c.member_id, c.day, ps.points + pc.points AS points
    FROM counts c JOIN bench_points_share ps ON ps.n = c.shares JOIN bench_points_click pc ON pc.n = c.uniq
)
SELECT d.member_id, SUM(d.points) AS points
FROM per_day d JOIN workspaces_membership m ON m.id = d.member_id
WHERE m.is_active AND (m.leaderboard_visibility = 'name' OR m.id = %(viewer)s
                      OR (m.leaderboard_visibility = 'anonymous' AND %(anonymous_listed)s))
GROUP BY d.member_id
ORDER BY points DESC, d.member_id
LIMIT 50
"""


def main() -> None:
    quick = os.environ.get("BENCH_QUICK") == "1"  # CI: a few seconds, same code paths
    clicks = env_int("BENCH_CLICKS", 50_000 if quick else 10_000_000)
    sizes = Sizes(
        members=env_int("BENCH_MEMBERS", 2_000 if quick else 100_000),
        clicks=clicks,
        shares=env_int("BENCH_SHARES", 0) or max(100, clicks // 25),
        items=env_int("BENCH_ITEMS", 300),
        days=env_int("BENCH_DAYS", 120),
    )
    requests = env_int("BENCH_REQUESTS", 20 if quick else 200)
    t0 = time.perf_counter()
    print(
        f"dashboard benchmark: {sizes.members:,} members, {sizes.clicks:,} clicks, {sizes.shares:,} shares, "
        f"{sizes.items} items over {sizes.days} days; SQLite at {DB_PATH}",
        flush=True,
    )
    call_command("migrate", verbosity=0, interactive=False)
    connections.close_all()
    log("migrated", t0)

    today = timezone.now().date()
    gen = create_people(sizes, today, t0)
    connections.close_all()
    db = sqlite3.connect(DB_PATH, isolation_level=None)
    generate(db, gen, sizes, today, t0)
    db.close()
    setup_seconds = time.perf_counter() - t0

    big = Workspace.objects.get(pk=gen.workspace_id)
    empty = Workspace.objects.get(pk=gen.empty_workspace_id)
    for ws, admin_user in ((big, gen.admin_user_id), (empty, gen.empty_admin_user_id)):
        author = Membership.objects.get(workspace=ws, user_id=admin_user)
        for name, metric, period, target in (
            ("Clicks this month", "clicks", "m", 500_000),
            ("Shares this quarter", "shares", "q", 200_000),
            ("Active ambassadors this quarter", "active", "q", 30_000),
            ("Reach this year", "reach", "y", 50_000_000),
        ):
            create_goal(workspace=ws, author=author, name=name, metric=metric, target=target, period=period, day=today)

    month = period_start("m", today)
    # The measured employee: a median participant of the month (rank needs a real count), visible on the board.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM analytics_memberperiod WHERE workspace_id=%s AND period='m' AND start=%s",
            [big.pk, month],
        )
        (in_month,) = cursor.fetchone()
        cursor.execute(
            "SELECT m.user_id FROM analytics_memberperiod mp JOIN workspaces_membership m ON m.id = mp.member_id "
            "WHERE mp.workspace_id=%s AND mp.period='m' AND mp.start=%s AND m.leaderboard_visibility='name' "
            "AND m.is_active AND m.role='employee' ORDER BY mp.points LIMIT 1 OFFSET %s",
            [big.pk, month, max(0, in_month // 2 - 1)],
        )
        row = cursor.fetchone()
    User = get_user_model()
    employee_user = User.objects.get(pk=row[0] if row else gen.admin_user_id)
    employee = Membership.objects.get(workspace=big, user=employee_user)

    big_client = Client()
    big_client.force_login(employee_user)
    empty_client = Client()
    empty_client.force_login(User.objects.get(pk=gen.empty_admin_user_id))
    board_url = reverse("rewards:leaderboard", kwargs={"ws": big.slug})
    program_url = reverse("goals:program", kwargs={"ws": big.slug})

    board_ms = time_get(big_client, board_url, requests)
    program_ms = time_get(big_client, program_url, requests)
    dept_ms = time_get(big_client, f"{board_url}?dept={gen.department_ids[3]}", max(20, requests // 4))
    alltime_ms = time_get(big_client, f"{board_url}?period=a", max(20, requests // 4))

    queries = count_queries(big_client, board_url) + count_queries(big_client, program_url)
    queries_empty = count_queries(empty_client, reverse("rewards:leaderboard", kwargs={"ws": empty.slug}))
    queries_empty += count_queries(empty_client, reverse("goals:program", kwargs={"ws": empty.slug}))

    # The same monthly top 50, from rollups (the query functions) and from raw clicks.
    rollup_ms: list[float] = []
    for _ in range(21):
        t = time.perf_counter()
        rows = leaderboard(employee, "m", month, limit=50)
        member_standing(employee, "m", month)
        rollup_ms.append((time.perf_counter() - t) * 1000)
    params = {
        "ws": big.pk,
        "lo": f"{month.isoformat()} 00:00:00",
        "hi": f"{period_end('m', month).isoformat()} 00:00:00",
        "viewer": employee.pk,
        # Anonymous people are listed only when there are enough of them (privacy.visibility.board_rows).
        "anonymous_listed": board_for(employee, "m", month).anonymous_listed,
    }
    raw_ms: list[float] = []
    raw_rows: list[tuple[int, int]] = []
    for _ in range(3):
        t = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(RAW_LEADERBOARD, params)
            raw_rows = [(int(a), int(b)) for a, b in cursor.fetchall()]
        raw_ms.append((time.perf_counter() - t) * 1000)
    same_points = [r.points for r in rows] == [p for _, p in raw_rows]
    cutoff = rows[-1].points if rows else 0
    same_members = {r.member_id for r in rows if r.points > cutoff} == {m for m, p in raw_rows if p > cutoff}
    if not (same_points and same_members):
        diff = [(r.member_id, r.points, raw) for r, raw in zip(rows, raw_rows, strict=False) if r.points != raw[1]]
        print(
            "MISMATCH between rollup and raw leaderboard (member, rollup points, raw row):", diff[:5], file=sys.stderr
        )
        print(f"rows: {len(rows)} from rollups, {len(raw_rows)} from raw clicks", file=sys.stderr)
        sys.exit(1)
    speedup = statistics.median(raw_ms) / statistics.median(rollup_ms)

    p95 = max(pct(board_ms, 95), pct(program_ms, 95))
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM links_click")
        (n_clicks,) = cursor.fetchone()
        cursor.execute("SELECT COUNT(*) FROM analytics_memberperiod")
        (n_mp,) = cursor.fetchone()
    print(
        f"setup {setup_seconds:.1f}s; {n_clicks:,} raw clicks, {n_mp:,} MemberPeriod rows, {in_month:,} on this month's board"
    )
    print(f"employee: member {employee.pk}, rank {member_standing(employee, 'm', month)}")
    for label, values in (
        ("leaderboard (month)", board_ms),
        ("program / goal progress", program_ms),
        ("leaderboard (department)", dept_ms),
        ("leaderboard (all time)", alltime_ms),
    ):
        print(f"{label:28s} n={len(values):4d} p50={pct(values, 50):6.1f} ms  p95={pct(values, 95):6.1f} ms")
    print(f"queries: big workspace {queries}, empty workspace {queries_empty} (leaderboard + program page)")
    print(
        f"monthly top 50: rollups {statistics.median(rollup_ms):.2f} ms, raw clicks {statistics.median(raw_ms):.0f} ms "
        f"(same answer: yes)"
    )
    connections.close_all()
    if os.environ.get("BENCH_KEEP"):
        print(f"kept {DB_PATH}")
    else:
        shutil.rmtree(TMP, ignore_errors=True)
    print(f"BENCH dashboard p95_ms={p95:.1f} queries={queries} queries_empty={queries_empty} speedup={speedup:.0f}")


if __name__ == "__main__":
    main()
