"""Near-me leaderboard and league placement on a big workspace.

Builds a temporary SQLite database with BENCH_MEMBERS members (default 100,000) and weekly / monthly
``MemberPeriod`` rollups for the last 6 weeks (about 60 % active each week, long-tailed points), then times:

* ``near_me`` for a median member (p50/p95 over BENCH_REQUESTS calls, default 100) and its query count,
  which must equal the count on a 50-member workspace;
* the league draw of a week for everyone (``draw_week``, first draw by 4 weeks' activity) and of the next
  week (promotion and relegation from the previous seats);
* ``league_for`` (the league page's read) for the median member, and its query count.

Last line: ``BENCH leagues near_me_p95_ms=<x> draw_s=<x> next_draw_s=<x> league_p95_ms=<x> queries=<n>
 small_near_me_p95_ms=<x> ratio_to_small=<x>`` (the reference: near_me on a 50-member workspace, same run).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
TMP = Path(tempfile.mkdtemp(prefix="groundswell-bench-leagues-"))
os.environ["DATABASE_URL"] = f"sqlite:///{TMP / 'bench.sqlite3'}"
os.environ["GROUNDSWELL_DATA_DIR"] = str(TMP)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groundswell.test_settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from groundswell.analytics.models import MemberPeriod  # noqa: E402
from groundswell.lib.periods import period_start  # noqa: E402
from groundswell.rewards.leaderboard import near_me  # noqa: E402
from groundswell.rewards.leagues import draw_week, league_for  # noqa: E402
from groundswell.workspaces.models import Membership, Workspace  # noqa: E402


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def build(slug: str, members: int, weeks: list[dt.date], month: dt.date, rng: random.Random) -> Workspace:
    ws = Workspace.objects.create(name=slug, slug=slug)
    User = get_user_model()
    with transaction.atomic():
        users = User.objects.bulk_create(
            [User(username=f"{slug}-{i}", email=f"{slug}-{i}@bench.test", password="!") for i in range(members)],
            batch_size=5000,
        )
        people = Membership.objects.bulk_create(
            [
                Membership(
                    workspace=ws,
                    user=u,
                    display_name=f"Person {i}",
                    leaderboard_visibility=rng.choices(["name", "anonymous", "hidden"], [85, 10, 5])[0],
                    joined_at=timezone.now() - dt.timedelta(days=200),
                )
                for i, u in enumerate(users)
            ],
            batch_size=5000,
        )
        rows = []
        monthly: dict[int, int] = {}
        for m in people:
            for week in weeks:
                if rng.random() < 0.6:
                    points = int(rng.paretovariate(1.3) * 10)
                    rows.append(MemberPeriod(workspace=ws, member=m, period="w", start=week, points=points))
                    if week >= month:
                        monthly[m.pk] = monthly.get(m.pk, 0) + points
        rows += [MemberPeriod(workspace=ws, member_id=k, period="m", start=month, points=v) for k, v in monthly.items()]
        MemberPeriod.objects.bulk_create(rows, batch_size=5000)
    return ws


def median_member(ws: Workspace, period: str, start: dt.date) -> Membership:
    qs = MemberPeriod.objects.filter(workspace=ws, period=period, start=start, member__leaderboard_visibility="name")
    row = qs.order_by("points", "member_id")[qs.count() // 2]
    return Membership.objects.select_related("workspace").get(pk=row.member_id)


def main() -> None:
    quick = os.environ.get("BENCH_QUICK") == "1"  # CI: seconds, same code paths
    members = int(os.environ.get("BENCH_MEMBERS", 2_000 if quick else 100_000))
    requests = int(os.environ.get("BENCH_REQUESTS", 20 if quick else 100))
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    today = timezone.now().date()
    this_week = period_start("w", today)
    weeks = [this_week - dt.timedelta(days=7 * k) for k in range(6, -1, -1)]
    month = period_start("m", today)
    rng = random.Random(15)
    big = build("big", members, weeks, month, rng)
    small = build("small", 50, weeks, month, rng)
    print(f"built {members:,} members with weekly rollups in {time.perf_counter() - t0:.1f}s", flush=True)

    me = median_member(big, "w", this_week)
    timings = []
    for _ in range(requests):
        t = time.perf_counter()
        rows = near_me(me, "w", this_week)
        timings.append((time.perf_counter() - t) * 1000)
    assert len(rows) == 11, len(rows)
    with CaptureQueriesContext(connection) as big_q:
        near_me(me, "w", this_week)
    small_me = median_member(small, "w", this_week)
    with CaptureQueriesContext(connection) as small_q:
        near_me(small_me, "w", this_week)
    assert len(big_q.captured_queries) == len(small_q.captured_queries)
    # Reference in the same run: the same call on a 50-member workspace.
    small_timings = []
    for _ in range(requests):
        t = time.perf_counter()
        near_me(small_me, "w", this_week)
        small_timings.append((time.perf_counter() - t) * 1000)
    small_p95 = pct(small_timings, 95)
    near_p95 = pct(timings, 95)
    print(
        f"near_me: p50 {pct(timings, 50):.1f} ms, p95 {near_p95:.1f} ms, {len(big_q.captured_queries)} queries "
        f"(50-member workspace: p95 {small_p95:.1f} ms)"
    )

    last_week = weeks[-2]
    t = time.perf_counter()
    seated = draw_week(big, last_week)
    draw_s = time.perf_counter() - t
    t = time.perf_counter()
    seated_next = draw_week(big, this_week)
    next_draw_s = time.perf_counter() - t
    print(f"draw_week: first draw {seated:,} seats in {draw_s:.2f}s; next week {seated_next:,} in {next_draw_s:.2f}s")

    me_in_league = median_member(big, "w", this_week)
    timings = []
    for _ in range(requests):
        t = time.perf_counter()
        view = league_for(me_in_league, this_week)
        timings.append((time.perf_counter() - t) * 1000)
    assert view is not None and 15 <= len(view.rows) <= 45, view and len(view.rows)
    with CaptureQueriesContext(connection) as league_q:
        league_for(me_in_league, this_week)
    league_p95 = pct(timings, 95)
    print(f"league_for: p95 {league_p95:.1f} ms, {len(league_q.captured_queries)} queries, cohort {len(view.rows)}")
    print(
        f"BENCH leagues near_me_p95_ms={near_p95:.1f} draw_s={draw_s:.2f} next_draw_s={next_draw_s:.2f} "
        f"league_p95_ms={league_p95:.1f} queries={len(big_q.captured_queries) + len(league_q.captured_queries)} "
        f"small_near_me_p95_ms={small_p95:.1f} ratio_to_small={near_p95 / small_p95:.1f}"
    )


if __name__ == "__main__":
    try:
        main()
    finally:
        if not os.environ.get("BENCH_KEEP"):
            shutil.rmtree(TMP, ignore_errors=True)
