"""Synthetic data for the dashboard benchmark, written straight into a migrated SQLite database.

Raw rows first (users, memberships, items, shares, clicks), then every rollup table is filled by SQL
aggregation *from those raw rows*, so rollups and raw clicks agree exactly (the benchmark checks this by
computing the leaderboard both ways). Points follow the default rules: 10 per share (at most 50 a day)
and 2 per unique human click (at most 40 a day), per member and day.

Not generated (not read by the endpoints measured): the points ledger (PointsEntry) and UniqueVisit rows.
Network segments carry no points (the write path puts only click points there).
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
import time
from dataclasses import dataclass

NETWORKS = ("linkedin", "x", "facebook", "bluesky", "mastodon")
PERIOD_START_SQL = {
    "d": "day",
    "w": "date(day, '-' || ((CAST(strftime('%w', day) AS INTEGER) + 6) % 7) || ' days')",
    "m": "date(day, 'start of month')",
    "q": "printf('%s-%02d-01', strftime('%Y', day), ((CAST(strftime('%m', day) AS INTEGER) - 1) / 3) * 3 + 1)",
    "y": "date(day, 'start of year')",
    "a": "'2000-01-01'",
}
BULK_TABLES = (
    "sharing_share",
    "links_click",
    "analytics_memberperiod",
    "analytics_segmentperiod",
    "analytics_itemday",
)


@dataclass
class Sizes:
    members: int
    clicks: int
    shares: int
    items: int
    days: int
    departments: int = 20
    locations: int = 6


@dataclass
class Generated:
    workspace_id: int
    empty_workspace_id: int
    admin_user_id: int
    empty_admin_user_id: int
    first_member_id: int
    department_ids: list[int]


def log(msg: str, t0: float) -> None:
    print(f"  [{time.perf_counter() - t0:7.1f}s] {msg}", flush=True)


def _drop_indexes(db: sqlite3.Connection) -> list[str]:
    """Drop the secondary indexes of the bulk tables (recreated after loading, much faster than
    maintaining them row by row). Returns their CREATE statements."""
    rows = db.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({','.join('?' * len(BULK_TABLES))})",
        BULK_TABLES,
    ).fetchall()
    dropped = []
    for name, sql in rows:
        # Clicks arrive in (share, time) and id order, so their other indexes grow at the end: keep them.
        if "links_click" in sql and '"workspace_id", "clicked_at"' not in sql:
            continue
        db.execute(f'DROP INDEX "{name}"')
        dropped.append(sql)
    return dropped


def generate(db: sqlite3.Connection, sizes: Sizes, today: dt.date, t0: float) -> Generated:
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA temp_store=MEMORY")
    db.execute("PRAGMA cache_size=-1000000")
    db.execute("BEGIN")
    now = dt.datetime.combine(today, dt.time(12, 0))
    first_day = today - dt.timedelta(days=sizes.days - 1)
    stamp = now.strftime("%Y-%m-%d %H:%M:%S")

    cur = db.cursor()
    cur.execute(
        "INSERT INTO workspaces_workspace (name, slug, timezone, vision, created_at) VALUES (?, ?, 'UTC', ?, ?)",
        ("Big Corp", "big", "Make our work visible.", stamp),
    )
    ws = int(cur.lastrowid or 0)
    cur.execute(
        "INSERT INTO workspaces_workspace (name, slug, timezone, vision, created_at) VALUES (?, ?, 'UTC', '', ?)",
        ("Empty Inc", "empty", stamp),
    )
    empty_ws = int(cur.lastrowid or 0)
    for action, points, cap in (("share", 10, 50), ("unique_click", 2, 40), ("submission_approved", 25, None)):
        for w in (ws, empty_ws):
            cur.execute(
                "INSERT INTO rewards_pointsrule (workspace_id, action, points, daily_cap, active_from, created_at) "
                "VALUES (?, ?, ?, ?, '2000-01-01', ?)",
                (w, action, points, cap, stamp),
            )
    cur.executemany(
        "INSERT INTO workspaces_department (workspace_id, name) VALUES (?, ?)",
        [(ws, f"Department {i:02d}") for i in range(sizes.departments)],
    )
    departments = [
        r[0] for r in db.execute("SELECT id FROM workspaces_department WHERE workspace_id=? ORDER BY id", (ws,))
    ]
    cur.executemany(
        "INSERT INTO workspaces_location (workspace_id, name) VALUES (?, ?)",
        [(ws, f"Office {i}") for i in range(sizes.locations)],
    )
    locations = [r[0] for r in db.execute("SELECT id FROM workspaces_location WHERE workspace_id=? ORDER BY id", (ws,))]

    # Users and memberships. Member n: department n % D, location n % L, audience 50 + n % 500;
    # 3% anonymous, 2% hidden, 1% inactive. The first member is the program admin.
    (base_user,) = db.execute("SELECT COALESCE(MAX(id), 0) FROM auth_user").fetchone()
    users = [
        ("!", None, 0, f"user{n}@big.test", "", "", f"user{n}@big.test", 0, 1, stamp) for n in range(sizes.members)
    ]
    users.append(("!", None, 0, "admin@empty.test", "", "", "admin@empty.test", 0, 1, stamp))
    cur.executemany(
        "INSERT INTO auth_user (password, last_login, is_superuser, username, first_name, last_name, email, "
        "is_staff, is_active, date_joined) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        users,
    )
    admin_user = base_user + 1
    empty_admin_user = base_user + sizes.members + 1

    def visibility(n: int) -> str:
        r = (n * 7919) % 100
        return "anonymous" if r < 3 else "hidden" if r < 5 else "name"

    memberships = [
        (
            ws,
            base_user + 1 + n,
            "admin" if n == 0 else "manager" if n % 50 == 1 else "employee",
            f"Person {n:06d}",
            "",
            departments[n % len(departments)],
            locations[n % len(locations)],
            None,
            "",
            50 + n % 500,
            "name" if n == 0 else visibility(n),
            0 if n % 100 == 99 else 1,
            stamp,
        )
        for n in range(sizes.members)
    ]
    memberships.append(
        (empty_ws, empty_admin_user, "admin", "Empty admin", "", None, None, None, "", 0, "name", 1, stamp)
    )
    (base_member,) = db.execute("SELECT COALESCE(MAX(id), 0) FROM workspaces_membership").fetchone()
    cur.executemany(
        "INSERT INTO workspaces_membership (workspace_id, user_id, role, display_name, title, department_id, "
        "location_id, manager_id, mastodon_instance, audience_size, leaderboard_visibility, is_active, joined_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        memberships,
    )
    first_member = base_member + 1
    log(f"{sizes.members:,} users and memberships", t0)

    cur.executemany(
        "INSERT INTO content_item (workspace_id, kind, state, url, title, description, image_url, image, body, "
        "created_by_id, rejection_reason, unfurl_state, unfurl_error, created_at, updated_at, published_at) "
        "VALUES (?, 'url', 'published', ?, ?, '', '', '', '', ?, '', 'none', '', ?, ?, ?)",
        [
            (ws, f"https://big.example/post/{i}", f"Post number {i}", first_member, stamp, stamp, stamp)
            for i in range(sizes.items)
        ],
    )
    first_item = db.execute("SELECT MIN(id) FROM content_item WHERE workspace_id=?", (ws,)).fetchone()[0]

    index_sql = _drop_indexes(db)

    # Per-share click counts: Zipf-like (a few shares get many clicks), shuffled over the shares.
    rng = random.Random(20261122)
    weights = [1.0 / (i + 1) ** 0.7 for i in range(sizes.shares)]
    rng.shuffle(weights)
    scale = sizes.clicks / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in range(sizes.clicks - sum(counts)):
        counts[i % sizes.shares] += 1
    # Shares: 40% of members take part; share n belongs to participant (n * 7919) % P, so activity is spread.
    # A share is made at a pseudo-random second of the window, up to today at noon ("now").
    participants = max(1, int(sizes.members * 0.4))
    window_seconds = (sizes.days - 1) * 86400 + 12 * 3600
    first_epoch = int(dt.datetime.combine(first_day, dt.time(0, 0), tzinfo=dt.UTC).timestamp())
    now_epoch = int(dt.datetime.combine(today, dt.time(12, 0), tzinfo=dt.UTC).timestamp())
    db.execute("CREATE TEMP TABLE share_k (sid INTEGER PRIMARY KEY, k INTEGER NOT NULL, created INTEGER NOT NULL)")
    db.executemany(
        "INSERT INTO share_k VALUES (?, ?, ?)",
        ((n, counts[n - 1], first_epoch + (n * 2654435761) % window_seconds) for n in range(1, sizes.shares + 1)),
    )
    db.execute(
        f"""
        INSERT INTO sharing_share (id, workspace_id, item_id, member_id, network, caption, code, method,
                                   reach_estimate, human_clicks, unique_clicks, created_at)
        SELECT sid, {ws}, {first_item} + (abs(random()) % {sizes.items}),
               {first_member} + ((sid * 7919) % {participants}),
               CASE abs(random()) % 10 WHEN 0 THEN 'facebook' WHEN 1 THEN 'bluesky' WHEN 2 THEN 'mastodon'
                    WHEN 3 THEN 'x' WHEN 4 THEN 'x' ELSE 'linkedin' END,
               '', printf('%07d', sid), 'intent', 50 + ((sid * 7919) % {participants}) % 500, 0, 0,
               datetime(created, 'unixepoch')
        FROM share_k ORDER BY sid
        """
    )
    log(f"{sizes.shares:,} shares", t0)

    # Clicks, written in (share, time) order: a share's k clicks spread over the 3 days after it, never
    # after "now"; 5% bots; 67% of human clicks are unique visitors.
    db.execute("CREATE TEMP TABLE nums (j INTEGER PRIMARY KEY)")
    r = "(((s.sid * 2654435761) + (n.j * 40503)) % 1000003 % 100)"  # a per-click pseudo-random 0-99
    db.execute(
        f"INSERT INTO nums WITH RECURSIVE g(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM g WHERE j < {max(counts)}) "
        "SELECT j FROM g"
    )
    db.execute(
        f"""
        INSERT INTO links_click (uid, workspace_id, share_id, clicked_at, visitor_hash, user_agent,
                                 referrer_host, is_bot, is_unique)
        SELECT printf('%016x%016x', s.sid, n.j), {ws}, s.sid,
               datetime(min(s.created + (n.j * 259200) / s.k + abs(random()) % (259200 / s.k + 1), {now_epoch}),
                        'unixepoch'),
               printf('%032x%032x', s.sid, n.j), 'Mozilla/5.0', 'www.linkedin.com',
               {r} < 5, {r} >= 5 AND {r} < 72
        FROM share_k s CROSS JOIN nums n
        WHERE n.j < s.k
        """
    )
    db.execute("DROP TABLE nums")
    db.execute("DROP TABLE share_k")
    log(f"{sizes.clicks:,} raw clicks", t0)

    _rollups(db, ws, t0)
    log("rollups aggregated from raw rows", t0)

    for sql in index_sql:
        db.execute(sql)
    db.execute("PRAGMA analysis_limit=1000")
    db.execute("ANALYZE")
    db.commit()
    log(f"{len(index_sql)} indexes rebuilt, ANALYZE done", t0)
    return Generated(
        workspace_id=ws,
        empty_workspace_id=empty_ws,
        admin_user_id=admin_user,
        empty_admin_user_id=empty_admin_user,
        first_member_id=first_member,
        department_ids=departments,
    )


def _rollups(db: sqlite3.Connection, ws: int, t0: float) -> None:
    # Clicks per share and day: the one pass over the raw clicks.
    db.execute(
        f"""
        CREATE TEMP TABLE share_day AS
        SELECT share_id, date(clicked_at) AS day, SUM(1 - is_bot) AS clicks, SUM(is_unique) AS uniq,
               SUM(is_bot) AS bots
        FROM links_click WHERE workspace_id = {ws} GROUP BY share_id, date(clicked_at)
        """
    )
    log("  clicks per share and day", t0)
    db.execute(
        f"""
        UPDATE sharing_share SET human_clicks = t.clicks, unique_clicks = t.uniq
        FROM (SELECT share_id, SUM(clicks) AS clicks, SUM(uniq) AS uniq FROM share_day GROUP BY share_id) AS t
        WHERE sharing_share.id = t.share_id AND sharing_share.workspace_id = {ws}
        """
    )
    log("  share counters", t0)
    # Events per share and day (shares + their clicks), with the share's member, item and network.
    db.execute(
        f"""
        CREATE TEMP TABLE ev AS
        SELECT s.member_id, s.item_id, s.network, date(s.created_at) AS day, 1 AS shares, 0 AS clicks,
               0 AS uniq, 0 AS bots, s.reach_estimate AS reach
        FROM sharing_share s WHERE s.workspace_id = {ws}
        UNION ALL
        SELECT s.member_id, s.item_id, s.network, d.day, 0, d.clicks, d.uniq, d.bots, 0
        FROM share_day d JOIN sharing_share s ON s.id = d.share_id
        """
    )
    log("  events per share and day", t0)
    # Member and day, with the capped points of the default rules.
    db.execute(
        """
        CREATE TEMP TABLE member_day AS
        SELECT member_id, day, SUM(shares) AS shares, SUM(clicks) AS clicks, SUM(uniq) AS uniq, SUM(bots) AS bots,
               SUM(reach) AS reach, min(SUM(shares) * 10, 50) + min(SUM(uniq) * 2, 40) AS points
        FROM ev GROUP BY member_id, day
        """
    )
    log("  member days", t0)
    counters = "shares, clicks, unique_clicks, bot_clicks, reach, points"
    sums = "SUM(shares), SUM(clicks), SUM(uniq), SUM(bots), SUM(reach), SUM(points)"
    for period, start in PERIOD_START_SQL.items():
        db.execute(
            f"""
            INSERT INTO analytics_memberperiod (workspace_id, member_id, period, start, {counters})
            SELECT {ws}, member_id, '{period}', {start} AS st, {sums}
            FROM member_day GROUP BY member_id, st
            """
        )
    log("  member periods", t0)
    # Workspace, department and location segments from the member periods; active = members with a share.
    db.execute(
        f"""
        CREATE TEMP TABLE member_period_seg AS
        SELECT mp.period, mp.start, mp.shares, mp.clicks, mp.unique_clicks AS uniq, mp.bot_clicks AS bots, mp.reach,
               mp.points, m.department_id AS dept, m.location_id AS loc
        FROM analytics_memberperiod mp JOIN workspaces_membership m ON m.id = mp.member_id
        WHERE mp.workspace_id = {ws}
        """
    )
    for dimension, key in (("all", "''"), ("dept", "CAST(dept AS TEXT)"), ("loc", "CAST(loc AS TEXT)")):
        where = "" if dimension == "all" else f"WHERE {dimension} IS NOT NULL"
        db.execute(
            f"""
            INSERT INTO analytics_segmentperiod (workspace_id, period, start, dimension, key, {counters},
                                                 active_members)
            SELECT {ws}, period, start, '{dimension}', {key} AS k, {sums}, SUM(shares > 0)
            FROM member_period_seg {where} GROUP BY period, start, k
            """
        )
    # Networks: per day first (small), then every period from the days.
    db.execute(
        """
        CREATE TEMP TABLE network_day AS
        SELECT network, day, SUM(shares) AS shares, SUM(clicks) AS clicks, SUM(uniq) AS uniq, SUM(bots) AS bots,
               SUM(reach) AS reach
        FROM ev GROUP BY network, day
        """
    )
    for period, start in PERIOD_START_SQL.items():
        db.execute(
            f"""
            INSERT INTO analytics_segmentperiod (workspace_id, period, start, dimension, key, {counters},
                                                 active_members)
            SELECT {ws}, '{period}', {start} AS st, 'net', network, SUM(shares), SUM(clicks), SUM(uniq),
                   SUM(bots), SUM(reach), 0, 0
            FROM network_day GROUP BY st, network
            """
        )
    log("  member and segment periods", t0)
    db.execute(
        f"""
        INSERT INTO analytics_itemday (workspace_id, item_id, day, network, {counters})
        SELECT {ws}, item_id, day, network, SUM(shares), SUM(clicks), SUM(uniq), SUM(bots), SUM(reach), 0
        FROM ev GROUP BY item_id, day, network
        """
    )
    for table in ("network_day", "member_period_seg", "member_day", "ev", "share_day"):
        db.execute(f"DROP TABLE {table}")
