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
from dataclasses import asdict, dataclass

from django.db import connection, transaction
from django.db.models import F, Sum

from groundswell.analytics.rollups import Delta, RollupBatch
from groundswell.lib.periods import local_day
from groundswell.links.models import Click, UniqueVisit
from groundswell.rewards.actions import Rule, capped_points, rule_for
from groundswell.rewards.models import Action, PointsEntry
from groundswell.sharing.models import Share

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClickEvent:
    uid: str
    code: str
    clicked_at: dt.datetime
    visitor_hash: str
    user_agent: str = ""
    referrer_host: str = ""
    is_bot: bool = False

    def to_json(self) -> str:
        data = asdict(self)
        data["clicked_at"] = self.clicked_at.isoformat()
        return json.dumps(data, separators=(",", ":"))

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


def write_clicks(events: list[ClickEvent]) -> int:
    """Store ``events``; return how many were new. Unknown codes are logged and dropped."""
    if not events:
        return 0
    with transaction.atomic():
        shares = {
            s.code: s
            for s in Share.objects.filter(code__in={e.code for e in events}).select_related("member", "workspace")
        }
        existing = {str(u) for u in Click.objects.filter(uid__in=[e.uid for e in events]).values_list("uid", flat=True)}
        fresh: list[tuple[ClickEvent, Share]] = []
        seen_uids: set[str] = set()
        for event in events:
            share = shares.get(event.code)
            if share is None:
                log.warning("dropping click for unknown code %r", event.code)
                continue
            if event.uid in existing or event.uid in seen_uids:
                continue
            seen_uids.add(event.uid)
            fresh.append((event, share))
        if not fresh:
            return 0

        candidates: list[tuple[int, str]] = []
        for event, share in fresh:
            pair = (share.pk, event.visitor_hash)
            if not event.is_bot and pair not in candidates:
                candidates.append(pair)
        claimed = _claim_unique_visits(candidates)

        rows: list[Click] = []
        batch = RollupBatch()
        rules: dict[tuple[int, dt.date], Rule | None] = {}
        earned_today: dict[tuple[int, dt.date], int] = {}
        entries: list[PointsEntry] = []
        for event, share in fresh:
            pair = (share.pk, event.visitor_hash)
            is_unique = pair in claimed
            claimed.discard(pair)  # only the first click of the pair in this batch is unique
            rows.append(
                Click(
                    uid=event.uid,
                    workspace_id=share.workspace_id,
                    share=share,
                    clicked_at=event.clicked_at,
                    visitor_hash=event.visitor_hash,
                    user_agent=event.user_agent[:300],
                    referrer_host=event.referrer_host[:253],
                    is_bot=event.is_bot,
                    is_unique=is_unique,
                )
            )
            member = share.member
            day = local_day(event.clicked_at, share.workspace.timezone)
            points = 0
            if is_unique:
                rule_key = (share.workspace_id, day)
                if rule_key not in rules:
                    rules[rule_key] = rule_for(share.workspace_id, Action.UNIQUE_CLICK, day)
                rule = rules[rule_key]
                if rule is not None:
                    today_key = (member.pk, day)
                    if today_key not in earned_today:
                        earned_today[today_key] = int(
                            PointsEntry.objects.filter(
                                workspace_id=share.workspace_id,
                                member_id=member.pk,
                                action=Action.UNIQUE_CLICK,
                                day=day,
                            ).aggregate(s=Sum("points"))["s"]
                            or 0
                        )
                    points = capped_points(rule, earned_today[today_key])
                    if points > 0:
                        earned_today[today_key] += points
                        entries.append(
                            PointsEntry(
                                workspace_id=share.workspace_id,
                                member=member,
                                action=Action.UNIQUE_CLICK,
                                points=points,
                                day=day,
                                key=f"click:{event.uid}",
                                created_at=event.clicked_at,
                            )
                        )
            batch.add(
                workspace_id=share.workspace_id,
                member_id=member.pk,
                department_id=member.department_id,
                location_id=member.location_id,
                day=day,
                network=share.network,
                item_id=share.item_id,
                delta=Delta(
                    clicks=0 if event.is_bot else 1,
                    unique_clicks=1 if is_unique else 0,
                    bot_clicks=1 if event.is_bot else 0,
                    points=points,
                ),
            )
        Click.objects.bulk_create(rows, batch_size=500)
        human = Counter(row.share_id for row in rows if not row.is_bot)
        unique = Counter(row.share_id for row in rows if row.is_unique)
        for share_id, n in human.items():
            Share.objects.filter(pk=share_id).update(
                human_clicks=F("human_clicks") + n, unique_clicks=F("unique_clicks") + unique.get(share_id, 0)
            )
        PointsEntry.objects.bulk_create(entries, batch_size=500)
        batch.write()
    return len(rows)
