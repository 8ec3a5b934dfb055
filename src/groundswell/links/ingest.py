"""Write a batch of clicks: raw rows, unique flags, points and rollups, in one transaction.

Idempotent: a click whose ``uid`` is already stored is skipped, so replaying a spooled batch after a
database outage (or after a crash between commit and acknowledgement) never counts a click twice.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connection, transaction

from groundswell.analytics.rollups import Delta, RollupBatch
from groundswell.lib.periods import local_day
from groundswell.links.models import Click, UniqueVisit
from groundswell.rewards.actions import Claim, award_points_batch, rules_for
from groundswell.rewards.antigaming import ScreenedClick, screen_clicks
from groundswell.rewards.models import Action
from groundswell.sharing.actions import FirstClick, confirm_first_clicks
from groundswell.sharing.models import Share, ShareMethod

log = logging.getLogger(__name__)
_dumps = json.JSONEncoder(separators=(",", ":")).encode


@dataclass(frozen=True)
class ClickEvent:
    uid: str
    code: str
    clicked_at: dt.datetime
    visitor_hash: str
    user_agent: str = ""
    referrer_host: str = ""
    is_bot: bool = False
    network_hash: str = ""

    def to_json(self) -> str:
        # Spelled out rather than dataclasses.asdict(): this runs for every click in hand-off mode.
        return _dumps(
            {
                "uid": self.uid,
                "code": self.code,
                "clicked_at": self.clicked_at.isoformat(),
                "visitor_hash": self.visitor_hash,
                "user_agent": self.user_agent,
                "referrer_host": self.referrer_host,
                "is_bot": self.is_bot,
                "network_hash": self.network_hash,
            }
        )

    @classmethod
    def from_json(cls, line: str) -> ClickEvent:
        data = json.loads(line)
        data["clicked_at"] = dt.datetime.fromisoformat(data["clicked_at"])
        return cls(**data)

    @classmethod
    def new(cls, **kwargs: object) -> ClickEvent:
        return cls(uid=str(uuid.uuid4()), **kwargs)  # type: ignore[arg-type]


def _claim_unique_visits(pairs: list[tuple[int, str]]) -> set[tuple[int, str]]:
    """Insert (share, visitor) pairs; return the ones that were new. Race-free across processes."""
    if not pairs:
        return set()
    table = connection.ops.quote_name(UniqueVisit._meta.db_table)
    claimed: set[tuple[int, str]] = set()
    with connection.cursor() as cursor:
        for offset in range(0, len(pairs), 400):
            chunk = pairs[offset : offset + 400]
            values = ", ".join(["(%s, %s)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} (share_id, visitor_hash) VALUES {values} "
                f"ON CONFLICT (share_id, visitor_hash) DO NOTHING RETURNING share_id, visitor_hash",
                [v for pair in chunk for v in pair],
            )
            claimed.update((int(s), str(h)) for s, h in cursor.fetchall())
    return claimed


def _add_share_counters(increments: list[tuple[int, int, int]]) -> None:
    """``(share id, human clicks, unique clicks)`` added to the shares' counters in one statement per chunk.

    ``UPDATE … FROM (VALUES …)`` runs on PostgreSQL and SQLite ≥ 3.33 (VALUES columns are ``column1…``
    on both); rows are sorted by id so concurrent writers lock shares in the same order.
    """
    if not increments:
        return
    table = connection.ops.quote_name(Share._meta.db_table)
    with connection.cursor() as cursor:
        for offset in range(0, len(increments), 300):
            chunk = increments[offset : offset + 300]
            values = ", ".join(["(%s, %s, %s)"] * len(chunk))
            cursor.execute(
                f"UPDATE {table} SET human_clicks = {table}.human_clicks + v.column2, "
                f"unique_clicks = {table}.unique_clicks + v.column3 "
                f"FROM (VALUES {values}) AS v WHERE {table}.id = v.column1",
                [value for row in chunk for value in row],
            )


class _ShareRow(NamedTuple):
    pk: int
    workspace_id: int
    member_id: int
    department_id: int | None
    location_id: int | None
    timezone: str
    network: str
    item_id: int
    #: A share link still waiting for its first human click (its share points come then: ADR 0034).
    waiting: bool


def _shares_by_code(codes: set[str]) -> dict[str, _ShareRow]:
    rows = (
        Share.objects.filter(code__in=codes)
        .order_by()
        .values_list(
            "code",
            "pk",
            "workspace_id",
            "member_id",
            "member__department_id",
            "member__location_id",
            "workspace__timezone",
            "network",
            "item_id",
            "method",
            "confirmed_at",
        )
    )
    return {row[0]: _ShareRow._make((*row[1:9], row[9] == ShareMethod.INTENT and row[10] is None)) for row in rows}


_CLICK_COLUMNS = (
    "uid",
    "workspace_id",
    "share_id",
    "clicked_at",
    "visitor_hash",
    "user_agent",
    "referrer_host",
    "is_bot",
    "is_unique",
    "network_hash",
)


def _datetime_adapter() -> Callable[[dt.datetime], Any]:
    """``connection.ops.adapt_datetimefield_value``, with a shortcut for SQLite in UTC (the common case).

    Django stores aware datetimes on SQLite as ``str(naive UTC datetime)``; doing that directly is several
    times faster than the generic path, which matters for batches of thousands of clicks.
    """
    if connection.vendor == "sqlite" and settings.USE_TZ and connection.timezone_name == "UTC":

        def to_sqlite(value: dt.datetime) -> str:
            if value.tzinfo is None:
                return str(connection.ops.adapt_datetimefield_value(value))
            return str(value.astimezone(dt.UTC).replace(tzinfo=None))

        return to_sqlite
    return connection.ops.adapt_datetimefield_value


def _uid_hex(uid: str) -> str:
    """The 32 hex digits of a UUID string (how SQLite stores a UUIDField; compared across backends)."""
    digits = uid.replace("-", "").lower()
    if len(digits) != 32 or digits.strip("0123456789abcdef"):
        digits = uuid.UUID(uid).hex  # unusual spelling, or raises ValueError for a broken uid
    return digits


def _existing_uids(uid_hexes: list[str]) -> set[str]:
    """Which of these click uids are already stored (as hex digits). One indexed query per 500."""
    table = connection.ops.quote_name(Click._meta.db_table)
    native = connection.features.has_native_uuid_field
    found: set[str] = set()
    with connection.cursor() as cursor:
        for offset in range(0, len(uid_hexes), 500):
            chunk = uid_hexes[offset : offset + 500]
            params: list[Any] = [uuid.UUID(hex=h) for h in chunk] if native else chunk
            cursor.execute(f"SELECT uid FROM {table} WHERE uid IN ({', '.join(['%s'] * len(chunk))})", params)
            found.update(
                row[0].hex if isinstance(row[0], uuid.UUID) else str(row[0]).replace("-", "") for row in cursor
            )
    return found


def _insert_clicks(rows: list[tuple[Any, ...]]) -> None:
    """INSERT raw click rows (values in ``_CLICK_COLUMNS`` order, already prepared) with one executemany:
    the statement is parsed once, and both sqlite3 and psycopg run the rows without Python in between."""
    table = connection.ops.quote_name(Click._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _CLICK_COLUMNS)
    placeholders = ", ".join(["%s"] * len(_CLICK_COLUMNS))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)


def write_clicks(events: list[ClickEvent]) -> int:
    """Store ``events``; return how many were new. Unknown codes are logged and dropped."""
    if not events:
        return 0
    native_uuid = connection.features.has_native_uuid_field
    adapt_datetime = _datetime_adapter()
    uid_hexes = [_uid_hex(e.uid) for e in events]
    with transaction.atomic():
        shares = _shares_by_code({e.code for e in events})
        existing = _existing_uids(uid_hexes)
        fresh: list[tuple[ClickEvent, _ShareRow, str]] = []
        seen_uids: set[str] = set()
        for event, uid_hex in zip(events, uid_hexes, strict=True):
            share = shares.get(event.code)
            if share is None:
                log.warning("dropping click for unknown code %r", event.code)
                continue
            if uid_hex in existing or uid_hex in seen_uids:
                continue
            seen_uids.add(uid_hex)
            fresh.append((event, share, uid_hex))
        if not fresh:
            return 0

        # Ordered and de-duplicated in O(n) (a dict keeps insertion order).
        candidates = list(
            dict.fromkeys((share.pk, event.visitor_hash) for event, share, _ in fresh if not event.is_bot)
        )
        claimed = _claim_unique_visits(candidates)

        rows: list[tuple[Any, ...]] = []
        # Rollup deltas summed per (workspace, member, department, location, day, network, item) first:
        # RollupBatch.add fans each call out to every period and dimension, so one call per group, not
        # per click, keeps a large batch cheap.
        groups: dict[tuple[int, int, int | None, int | None, dt.date, str, int], list[int]] = {}
        human: Counter[int] = Counter()
        unique: Counter[int] = Counter()
        decided: list[tuple[ClickEvent, _ShareRow, str, dt.date, bool]] = []
        for event, share, uid_hex in fresh:
            pair = (share.pk, event.visitor_hash)
            # Only the first human click of the pair in this batch is unique (a bot click with the same
            # visitor hash, e.g. a HEAD from the same browser, must not take the flag from it).
            is_unique = not event.is_bot and pair in claimed
            if is_unique:
                claimed.discard(pair)
            decided.append((event, share, uid_hex, local_day(event.clicked_at, share.timezone), is_unique))
        rules = rules_for(
            Action.UNIQUE_CLICK, ((share.workspace_id, day) for _, share, _, day, is_unique in decided if is_unique)
        )

        def full_value(workspace_id: int, day: dt.date) -> int:
            rule = rules.get((workspace_id, day))
            return rule.points if rule is not None else 0

        # Anti-gaming first (self-clicks, repeated visitors, bursts from one range): those earn nothing.
        excluded = screen_clicks(
            [
                ScreenedClick(
                    uid=event.uid,
                    workspace_id=share.workspace_id,
                    member_id=share.member_id,
                    clicked_at=event.clicked_at,
                    day=day,
                    visitor_hash=event.visitor_hash,
                    network_hash=event.network_hash,
                    is_unique=is_unique,
                    points=full_value(share.workspace_id, day) if is_unique else 0,
                )
                for event, share, _, day, is_unique in decided
                if not event.is_bot
            ]
        )
        # Points (rewards owns the rule, the daily tallies and the ledger lines): one call for the batch, the
        # members' tallies locked until commit so concurrent batches decide one after another.
        awarded = award_points_batch(
            Action.UNIQUE_CLICK,
            [
                Claim(
                    key=f"click:{event.uid}",
                    workspace_id=share.workspace_id,
                    member_id=share.member_id,
                    day=day,
                    at=event.clicked_at,
                )
                for event, share, _, day, is_unique in decided
                if is_unique and event.uid not in excluded
            ],
            rules=rules,
        )
        # A share link's first human click (not a bot, not screened out) confirms it: its share points, once.
        firsts: dict[int, tuple[ClickEvent, _ShareRow, dt.date]] = {}
        for event, share, _, day, is_unique in decided:
            if share.waiting and is_unique and event.uid not in excluded:
                first = firsts.get(share.pk)
                if first is None or event.clicked_at < first[0].clicked_at:
                    firsts[share.pk] = (event, share, day)
        share_points: dict[str, int] = {}
        if firsts:
            paid = confirm_first_clicks(
                [
                    FirstClick(
                        share_id=share.pk,
                        workspace_id=share.workspace_id,
                        member_id=share.member_id,
                        day=day,
                        at=event.clicked_at,
                    )
                    for event, share, day in firsts.values()
                ]
            )
            share_points = {firsts[share_id][0].uid: points for share_id, points in paid.items()}
        for event, share, uid_hex, day, is_unique in decided:
            if is_unique:
                unique[share.pk] += 1
            if not event.is_bot:
                human[share.pk] += 1
            rows.append(
                (
                    uuid.UUID(hex=uid_hex) if native_uuid else uid_hex,
                    share.workspace_id,
                    share.pk,
                    adapt_datetime(event.clicked_at),
                    event.visitor_hash,
                    event.user_agent[:300],
                    event.referrer_host[:253],
                    event.is_bot,
                    is_unique,
                    event.network_hash,
                )
            )
            points = awarded.get(f"click:{event.uid}", 0) + share_points.get(event.uid, 0)
            group_key = (
                share.workspace_id,
                share.member_id,
                share.department_id,
                share.location_id,
                day,
                share.network,
                share.item_id,
            )
            sums = groups.get(group_key)
            if sums is None:
                sums = groups[group_key] = [0, 0, 0, 0]
            if event.is_bot:
                sums[2] += 1
            else:
                sums[0] += 1
            if is_unique:
                sums[1] += 1
            sums[3] += points
        _insert_clicks(rows)
        _add_share_counters([(share_id, n, unique.get(share_id, 0)) for share_id, n in sorted(human.items())])
        batch = RollupBatch()
        for (workspace_id, member_id, department_id, location_id, day, network, item_id), sums in groups.items():
            batch.add(
                workspace_id=workspace_id,
                member_id=member_id,
                department_id=department_id,
                location_id=location_id,
                day=day,
                network=network,
                item_id=item_id,
                delta=Delta(clicks=sums[0], unique_clicks=sums[1], bot_clicks=sums[2], points=sums[3]),
            )
        batch.write()
    return len(rows)
