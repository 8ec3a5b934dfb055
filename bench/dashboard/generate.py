"""Synthetic data for the dashboard benchmark: the app's own models and functions, bulk SQL only for volume.

Workspaces, their points rules (``rewards.actions.ensure_default_rules``), departments, locations, users,
memberships and items are made through the ORM (``bulk_create``), so every field the models gain is filled
with its default. Shares, clicks and the rollups (millions of rows) are written with ``INSERT … SELECT``,
but their column lists come from the models too (:func:`insert_select`): a column the caller does not give
gets the model field's default, and a new required field without a default fails here by name.

Raw rows first (shares, clicks), then every rollup table is filled by SQL aggregation *from those raw rows*,
so rollups and raw clicks agree exactly (the benchmark checks this by computing the leaderboard both ways).
Points per member and day follow the workspace's rules as the app evaluates them (``Rule.decide``: full
value, diminishing after ``decay_after``, then the daily cap), tabulated per count of awards in a day
(tables ``bench_points_share`` and ``bench_points_click``, which the raw reference query reads too).

Not generated (not read by the endpoints measured): the points ledger (PointsEntry) and UniqueVisit rows.
Network segments carry no points (the write path puts only click points there).
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection as django_connection
from django.db import models

from groundswell.analytics.models import ItemDay, MemberPeriod, SegmentPeriod
from groundswell.content.models import Item, ItemKind, ItemState
from groundswell.links.models import Click
from groundswell.rewards.actions import Rule, ensure_default_rules, rule_for
from groundswell.rewards.models import Action
from groundswell.sharing.models import Share, ShareMethod
from groundswell.workspaces.models import Department, Location, Membership, Role, Workspace

NETWORKS = ("linkedin", "x", "facebook", "bluesky", "mastodon")
PERIOD_START_SQL = {
    "d": "day",
    "w": "date(day, '-' || ((CAST(strftime('%w', day) AS INTEGER) + 6) % 7) || ' days')",
    "m": "date(day, 'start of month')",
    "q": "printf('%s-%02d-01', strftime('%Y', day), ((CAST(strftime('%m', day) AS INTEGER) - 1) / 3) * 3 + 1)",
    "y": "date(day, 'start of year')",
    "a": "'2000-01-01'",
}
BULK_MODELS: tuple[type[models.Model], ...] = (Share, Click, MemberPeriod, SegmentPeriod, ItemDay)
BULK_TABLES = tuple(m._meta.db_table for m in BULK_MODELS)


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
    share_rule: Rule | None = None
    click_rule: Rule | None = None


def log(msg: str, t0: float) -> None:
    print(f"  [{time.perf_counter() - t0:7.1f}s] {msg}", flush=True)


def insert_select(
    db: sqlite3.Connection, model: type[models.Model], given: dict[str, str], tail: str, params: Sequence[Any] = ()
) -> None:
    """``INSERT INTO <model's table> (<every concrete column>) SELECT <expressions> <tail>``.

    ``given`` maps column names to SQL expressions; every other column gets what ``Model()`` would store
    (the field's default, "" for a text field without one) as a bound parameter, or NULL when nullable. A column with neither, or a unique one, raises
    ``LookupError`` naming it: the generator must say what to put there."""
    columns: list[str] = []
    exprs: list[str] = []
    defaults: list[Any] = []
    unknown = set(given) - {f.column for f in model._meta.concrete_fields}
    if unknown:
        raise LookupError(f"{model.__name__} has no column(s) {sorted(unknown)}")
    for field in model._meta.concrete_fields:
        column = field.column
        if column in given:
            columns.append(column)
            exprs.append(given[column])
        elif field.primary_key:
            continue
        elif not field.unique and (field.has_default() or (field.empty_strings_allowed and not field.null)):
            # What Model() would store: the declared default, or "" for a text field without one.
            columns.append(column)
            exprs.append("?")
            defaults.append(field.get_db_prep_save(field.get_default(), django_connection))
        elif field.null:
            continue
        else:
            raise LookupError(
                f"{model.__name__}.{field.name} ({column}) has no default: bench/dashboard/generate.py must give it"
            )
    sql = f'INSERT INTO "{model._meta.db_table}" ({", ".join(columns)}) SELECT {", ".join(exprs)} {tail}'
    db.execute(sql, [*defaults, *params])


def points_table(rule: Rule | None, most: int) -> list[tuple[int, int]]:
    """(n, points of the day for n awards) for n = 0..most, as ``Rule.decide`` awards them one by one."""
    rows = [(0, 0)]
    total = 0
    for n in range(1, most + 1):
        if rule is not None:
            total += rule.decide(count_before=n - 1, points_before=total).points
        rows.append((n, total))
    return rows


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


def create_people(sizes: Sizes, today: dt.date, t0: float) -> Generated:
    """Workspaces, rules, departments, locations, users, memberships and items, through the ORM."""
    now = dt.datetime.combine(today, dt.time(12, 0), tzinfo=dt.UTC)
    ws = Workspace.objects.create(name="Big Corp", slug="big", timezone="UTC", vision="Make our work visible.")
    empty_ws = Workspace.objects.create(name="Empty Inc", slug="empty", timezone="UTC")
    for w in (ws, empty_ws):
        ensure_default_rules(w)
    departments = Department.objects.bulk_create(
        [Department(workspace=ws, name=f"Department {i:02d}") for i in range(sizes.departments)]
    )
    locations = Location.objects.bulk_create(
        [Location(workspace=ws, name=f"Office {i}") for i in range(sizes.locations)]
    )

    # Member n: department n % D, location n % L, audience 50 + n % 500; 3% anonymous, 2% hidden,
    # 1% inactive. The first member is the program admin.
    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"user{n}@big.test", email=f"user{n}@big.test", password="!") for n in range(sizes.members)]
        + [User(username="admin@empty.test", email="admin@empty.test", password="!")],
        batch_size=5000,
    )

    def visibility(n: int) -> str:
        r = (n * 7919) % 100
        return "anonymous" if r < 3 else "hidden" if r < 5 else "name"

    members = Membership.objects.bulk_create(
        [
            Membership(
                workspace=ws,
                user=users[n],
                role=Role.ADMIN if n == 0 else Role.MANAGER if n % 50 == 1 else Role.EMPLOYEE,
                display_name=f"Person {n:06d}",
                department=departments[n % len(departments)],
                location=locations[n % len(locations)],
                audience_size=50 + n % 500,
                leaderboard_visibility="name" if n == 0 else visibility(n),
                is_active=n % 100 != 99,
                joined_at=now,
            )
            for n in range(sizes.members)
        ]
        + [Membership(workspace=empty_ws, user=users[-1], role=Role.ADMIN, display_name="Empty admin", joined_at=now)],
        batch_size=5000,
    )
    log(f"{sizes.members:,} users and memberships", t0)
    Item.objects.bulk_create(
        [
            Item(
                workspace=ws,
                kind=ItemKind.URL,
                state=ItemState.PUBLISHED,
                url=f"https://big.example/post/{i}",
                title=f"Post number {i}",
                created_by=members[0],
                published_at=now,
            )
            for i in range(sizes.items)
        ]
    )
    return Generated(
        workspace_id=ws.pk,
        empty_workspace_id=empty_ws.pk,
        admin_user_id=users[0].pk,
        empty_admin_user_id=users[-1].pk,
        first_member_id=members[0].pk,
        department_ids=[d.pk for d in departments],
        share_rule=rule_for(ws.pk, Action.SHARE, today),
        click_rule=rule_for(ws.pk, Action.UNIQUE_CLICK, today),
    )


def generate(db: sqlite3.Connection, gen: Generated, sizes: Sizes, today: dt.date, t0: float) -> None:
    """Shares, clicks and rollups of ``gen``'s big workspace, in bulk SQL on ``db``."""
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA temp_store=MEMORY")
    db.execute("PRAGMA cache_size=-1000000")
    db.execute("BEGIN")
    ws = gen.workspace_id
    first_member = gen.first_member_id
    first_day = today - dt.timedelta(days=sizes.days - 1)
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
    insert_select(
        db,
        Share,
        {
            "id": "sid",
            "workspace_id": str(ws),
            "item_id": f"{first_item} + (abs(random()) % {sizes.items})",
            "member_id": f"{first_member} + ((sid * 7919) % {participants})",
            "network": "CASE abs(random()) % 10 WHEN 0 THEN 'facebook' WHEN 1 THEN 'bluesky' "
            "WHEN 2 THEN 'mastodon' WHEN 3 THEN 'x' WHEN 4 THEN 'x' ELSE 'linkedin' END",
            "code": "printf('%07d', sid)",
            "method": f"'{ShareMethod.INTENT.value}'",
            "reach_estimate": f"50 + ((sid * 7919) % {participants}) % 500",
            "created_at": "datetime(created, 'unixepoch')",
        },
        "FROM share_k ORDER BY sid",
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
    insert_select(
        db,
        Click,
        {
            "uid": "printf('%016x%016x', s.sid, n.j)",
            "workspace_id": str(ws),
            "share_id": "s.sid",
            "clicked_at": f"datetime(min(s.created + (n.j * 259200) / s.k + abs(random()) % (259200 / s.k + 1), "
            f"{now_epoch}), 'unixepoch')",
            "visitor_hash": "printf('%032x%032x', s.sid, n.j)",
            "user_agent": "'Mozilla/5.0'",
            "referrer_host": "'www.linkedin.com'",
            "is_bot": f"{r} < 5",
            "is_unique": f"{r} >= 5 AND {r} < 72",
        },
        "FROM share_k s CROSS JOIN nums n WHERE n.j < s.k",
    )
    db.execute("DROP TABLE nums")
    db.execute("DROP TABLE share_k")
    log(f"{sizes.clicks:,} raw clicks", t0)

    _rollups(db, gen, t0)
    log("rollups aggregated from raw rows", t0)

    for sql in index_sql:
        db.execute(sql)
    db.execute("PRAGMA analysis_limit=1000")
    db.execute("ANALYZE")
    db.commit()
    log(f"{len(index_sql)} indexes rebuilt, ANALYZE done", t0)


def _rollups(db: sqlite3.Connection, gen: Generated, t0: float) -> None:
    ws = gen.workspace_id
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
    # Member and day, with the points the workspace's rules give for that many shares and unique clicks.
    db.execute(
        """
        CREATE TEMP TABLE member_day AS
        SELECT member_id, day, SUM(shares) AS shares, SUM(clicks) AS clicks, SUM(uniq) AS uniq, SUM(bots) AS bots,
               SUM(reach) AS reach, 0 AS points
        FROM ev GROUP BY member_id, day
        """
    )
    most_shares, most_uniq = db.execute("SELECT MAX(shares), MAX(uniq) FROM member_day").fetchone()
    for table, rule, most in (
        ("bench_points_share", gen.share_rule, most_shares or 0),
        ("bench_points_click", gen.click_rule, most_uniq or 0),
    ):
        db.execute(f"CREATE TABLE {table} (n INTEGER PRIMARY KEY, points INTEGER NOT NULL)")
        db.executemany(f"INSERT INTO {table} VALUES (?, ?)", points_table(rule, most))
    db.execute(
        """
        UPDATE member_day SET points = (SELECT points FROM bench_points_share WHERE n = member_day.shares)
                                     + (SELECT points FROM bench_points_click WHERE n = member_day.uniq)
        """
    )
    log("  member days", t0)
    counters = ("shares", "clicks", "unique_clicks", "bot_clicks", "reach", "points")
    sums = ("SUM(shares)", "SUM(clicks)", "SUM(uniq)", "SUM(bots)", "SUM(reach)", "SUM(points)")
    for period, start in PERIOD_START_SQL.items():
        insert_select(
            db,
            MemberPeriod,
            {"workspace_id": str(ws), "member_id": "member_id", "period": f"'{period}'", "start": f"{start}"}
            | dict(zip(counters, sums, strict=True)),
            f"FROM member_day GROUP BY member_id, {start}",
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
        insert_select(
            db,
            SegmentPeriod,
            {"workspace_id": str(ws), "period": "period", "start": "start", "dimension": f"'{dimension}'", "key": key}
            | dict(zip(counters, sums, strict=True))
            | {"active_members": "SUM(shares > 0)"},
            f"FROM member_period_seg {where} GROUP BY period, start, {key}",
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
        insert_select(
            db,
            SegmentPeriod,
            {"workspace_id": str(ws), "period": f"'{period}'", "start": start, "dimension": "'net'", "key": "network"}
            | dict(zip(counters[:-1], sums[:-1], strict=True))
            | {"points": "0", "active_members": "0"},
            f"FROM network_day GROUP BY {start}, network",
        )
    log("  member and segment periods", t0)
    insert_select(
        db,
        ItemDay,
        {"workspace_id": str(ws), "item_id": "item_id", "day": "day", "network": "network"}
        | dict(zip(counters[:-1], sums[:-1], strict=True))
        | {"points": "0"},
        "FROM ev GROUP BY item_id, day, network",
    )
    for table in ("network_day", "member_period_seg", "member_day", "ev", "share_day"):
        db.execute(f"DROP TABLE {table}")
