"""The write layer for points. Every award is an append to the ledger plus a rollup increment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, QuerySet, Sum
from django.utils import timezone

from groundswell.analytics.rollups import Delta, RollupBatch
from groundswell.rewards.models import (
    DEFAULT_DECAY,
    DEFAULT_RULES,
    Action,
    DailyTally,
    Finding,
    FindingStatus,
    MemberVisitor,
    PointsEntry,
    PointsRule,
)
from groundswell.workspaces.models import Membership, Workspace

ORDINAL_SUFFIX = {1: "st", 2: "nd", 3: "rd"}
ACTION_LABELS = {str(a.value): str(a.label).lower() for a in Action}


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else ORDINAL_SUFFIX.get(n % 10, "th")
    return f"{n}{suffix}"


@dataclass(frozen=True)
class Award:
    """What one award is worth under a rule, and why, in words for the points page."""

    points: int
    explanation: str


@dataclass(frozen=True)
class Rule:
    points: int
    daily_cap: int | None
    decay_after: int | None = None
    decay_factor: Decimal = Decimal(1)
    action: str = ""

    @property
    def label(self) -> str:
        return ACTION_LABELS.get(self.action, "award")

    def value_of(self, n: int) -> int:
        """The uncapped value of the ``n``-th award of the day (1-based): full up to ``decay_after``, then
        ``points * factor^k`` for the k-th award after it, rounded half up, never below 0."""
        if self.decay_after is None or n <= self.decay_after:
            return self.points
        k = n - self.decay_after
        value = (Decimal(self.points) * self.decay_factor**k).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return max(0, int(value))

    def decide(self, *, count_before: int, points_before: int) -> Award:
        """The award after ``count_before`` awards worth ``points_before`` today (diminishing, then capped)."""
        n = count_before + 1
        label = self.label
        value = self.value_of(n)
        if value < self.points:
            percent = int(self.decay_factor * 100)
            text = (
                f"{ordinal(n)} {label} today: {value} instead of {self.points}, because after {self.decay_after} "
                f"a day each further one is worth {percent}% of the one before."
            )
        else:
            text = f"{ordinal(n)} {label} today: {value} points."
        if self.daily_cap is not None and points_before + value > self.daily_cap:
            capped = max(0, self.daily_cap - points_before)
            text += f" Capped to {capped}: at most {self.daily_cap} points a day for this."
            value = capped
        return Award(points=value, explanation=text)


def ensure_default_rules(workspace: Workspace) -> None:
    for action, (points, cap) in DEFAULT_RULES.items():
        decay_after, decay_factor = DEFAULT_DECAY.get(action, (None, Decimal(1)))
        PointsRule.objects.get_or_create(
            workspace=workspace,
            action=action,
            active_from=dt.date(2000, 1, 1),
            defaults={"points": points, "daily_cap": cap, "decay_after": decay_after, "decay_factor": decay_factor},
        )


def rule_for(workspace_id: int, action: str, day: dt.date) -> Rule | None:
    """The rule in force for ``action`` on ``day`` (the newest with ``active_from <= day``)."""
    rule = (
        PointsRule.objects.filter(workspace_id=workspace_id, action=action, active_from__lte=day)
        .order_by("-active_from")
        .first()
    )
    if rule is None:
        return None
    return Rule(
        points=rule.points,
        daily_cap=rule.daily_cap,
        decay_after=rule.decay_after,
        decay_factor=rule.decay_factor,
        action=action,
    )


def capped_points(rule: Rule, already_today: int) -> int:
    if rule.daily_cap is None:
        return rule.points
    return max(0, min(rule.points, rule.daily_cap - already_today))


def points_today(workspace_id: int, member_id: int, action: str, day: dt.date) -> int:
    total = PointsEntry.objects.filter(
        workspace_id=workspace_id, member_id=member_id, action=action, day=day
    ).aggregate(s=Sum("points"))["s"]
    return int(total or 0)


TallyKey = tuple[int, int, str, dt.date]  # workspace, member, action, day


def lock_tallies(keys: set[TallyKey]) -> dict[TallyKey, DailyTally]:
    """The daily tallies for ``keys``, created when missing and locked until the transaction ends.

    A missing tally starts from the ledger (lines written before tallies existed). Rows are locked in one
    order (member, action, day) so concurrent batches cannot deadlock on each other.
    """
    if not keys:
        return {}
    ordered = sorted(keys, key=lambda k: (k[1], k[2], k[3]))
    actions = {k[2] for k in ordered}
    days = {k[3] for k in ordered}
    member_ids = sorted({k[1] for k in ordered})

    def matching(chunk: list[int]) -> QuerySet[DailyTally]:
        return DailyTally.objects.filter(member_id__in=chunk, action__in=actions, day__in=days)

    existing: set[tuple[int, str, dt.date]] = set()
    for offset in range(0, len(member_ids), 500):
        existing.update(matching(member_ids[offset : offset + 500]).values_list("member_id", "action", "day"))
    missing = [k for k in ordered if (k[1], k[2], k[3]) not in existing]
    if missing:
        # Start missing tallies from the ledger (lines written before tallies existed): one grouped query.
        earned = {
            (m, a, d): (int(n), int(total or 0))
            for m, a, d, n, total in PointsEntry.objects.filter(
                member_id__in={k[1] for k in missing},
                action__in={k[2] for k in missing},
                day__in={k[3] for k in missing},
            )
            .order_by()
            .values_list("member_id", "action", "day")
            .annotate(n=Count("id"), total=Sum("points"))
        }
        fresh = []
        for workspace_id, member_id, action, day in missing:
            count, points = earned.get((member_id, action, day), (0, 0))
            fresh.append(
                DailyTally(
                    workspace_id=workspace_id, member_id=member_id, action=action, day=day, count=count, points=points
                )
            )
        # A concurrent writer may create the same row first: ours is then ignored and we lock theirs below.
        DailyTally.objects.bulk_create(fresh, ignore_conflicts=True)
    wanted = set(ordered)
    locked: dict[TallyKey, DailyTally] = {}
    for offset in range(0, len(member_ids), 500):
        rows = matching(member_ids[offset : offset + 500]).select_for_update().order_by("member_id", "action", "day")
        for tally in rows:
            key = (tally.workspace_id, tally.member_id, tally.action, tally.day)
            if key in wanted:
                locked[key] = tally
    return locked


def save_tallies(tallies: list[DailyTally]) -> None:
    """Write the new ``count`` and ``points`` of locked tallies: one ``UPDATE … FROM (VALUES …)`` per 300 rows
    (``bulk_update``'s CASE expressions are much slower for a click batch). PostgreSQL and SQLite ≥ 3.33."""
    if not tallies:
        return
    table = connection.ops.quote_name(DailyTally._meta.db_table)
    rows = sorted((t.pk, t.count, t.points) for t in tallies)
    with connection.cursor() as cursor:
        for offset in range(0, len(rows), 300):
            chunk = rows[offset : offset + 300]
            values = ", ".join(["(%s, %s, %s)"] * len(chunk))
            cursor.execute(
                f"UPDATE {table} SET count = v.column2, points = v.column3 "
                f"FROM (VALUES {values}) AS v WHERE {table}.id = v.column1",
                [value for row in chunk for value in row],
            )


def award_points(
    *,
    member: Membership,
    action: str,
    key: str,
    day: dt.date,
    rollup: RollupBatch,
    reason: str = "",
    at: dt.datetime | None = None,
    note: str = "",
) -> int:
    """Award the rule's points for ``action`` (diminishing, then capped per day) once per ``key``.

    Returns the points awarded. The member's tally for the day is locked while the award is decided, so
    concurrent awards never exceed the cap. ``at`` is when the event happened (defaults to now). ``reason``
    replaces the rule's explanation on the ledger line; ``note`` (what happened) goes before it. The caller
    writes ``rollup`` in the same transaction.
    """
    rule = rule_for(member.workspace_id, action, day)
    if rule is None:
        return 0
    with transaction.atomic():
        if PointsEntry.objects.filter(workspace_id=member.workspace_id, key=key).exists():
            return 0  # Already awarded for this key (a replay): nothing to add.
        tally_key = (member.workspace_id, member.pk, action, day)
        tally = lock_tallies({tally_key})[tally_key]
        award = rule.decide(count_before=tally.count, points_before=tally.points)
        if award.points <= 0:
            return 0
        try:
            with transaction.atomic():
                PointsEntry.objects.create(
                    workspace_id=member.workspace_id,
                    member=member,
                    action=action,
                    points=award.points,
                    day=day,
                    key=key,
                    reason=reason or note + award.explanation,
                    created_at=at or timezone.now(),
                )
        except IntegrityError:
            return 0  # A concurrent replay of the same key won.
        DailyTally.objects.filter(pk=tally.pk).update(count=F("count") + 1, points=F("points") + award.points)
    rollup.add(
        workspace_id=member.workspace_id,
        member_id=member.pk,
        department_id=member.department_id,
        location_id=member.location_id,
        day=day,
        delta=Delta(points=award.points),
    )
    return award.points


@dataclass(frozen=True)
class Claim:
    """One event of a batch that may earn points (``award_points_batch``); ``key`` is its ledger key."""

    key: str
    workspace_id: int
    member_id: int
    day: dt.date
    at: dt.datetime
    #: What happened, put before the rule's explanation on the ledger line ("Your share link got its first
    #: click from a person. 1st share confirmed today: 10 points.").
    note: str = ""


def rules_for(action: str, keys: Iterable[tuple[int, dt.date]]) -> dict[tuple[int, dt.date], Rule | None]:
    """The rule in force for ``action`` per (workspace, day): one lookup per distinct pair."""
    return {key: rule_for(key[0], action, key[1]) for key in dict.fromkeys(keys)}


def award_points_batch(
    action: str,
    claims: Sequence[Claim],
    *,
    rules: dict[tuple[int, dt.date], Rule | None] | None = None,
) -> dict[str, int]:
    """Award the rule's points for ``action`` to each claim, in order (diminishing, then capped per member and
    day, as :func:`award_points` does one at a time), in the caller's transaction. Returns the points per
    claim key (0: no rule, or nothing left under the cap); the caller adds them to its rollups.

    The members' daily tallies are locked until the transaction ends, so concurrent batches decide one after
    another; the ledger lines are written with one ``bulk_create`` and the tallies with ``save_tallies``: a
    fixed number of queries per batch, not per claim. The caller makes sure each key is new (a click's ``uid``
    checked in the same transaction); a key already in the ledger makes the batch fail, never pay twice.
    ``rules`` (from :func:`rules_for`) saves the lookups when the caller already needed them.
    """
    if rules is None:
        rules = rules_for(action, ((c.workspace_id, c.day) for c in claims))
    else:
        missing = {(c.workspace_id, c.day) for c in claims} - rules.keys()
        rules.update(rules_for(action, missing))
    tallies = lock_tallies(
        {(c.workspace_id, c.member_id, action, c.day) for c in claims if rules[(c.workspace_id, c.day)] is not None}
    )
    awarded: dict[str, int] = {}
    entries: list[PointsEntry] = []
    for claim in claims:
        rule = rules[(claim.workspace_id, claim.day)]
        if rule is None:
            awarded[claim.key] = 0
            continue
        tally = tallies[(claim.workspace_id, claim.member_id, action, claim.day)]
        award = rule.decide(count_before=tally.count, points_before=tally.points)
        awarded[claim.key] = max(0, award.points)
        if award.points > 0:
            tally.count += 1
            tally.points += award.points
            entries.append(
                PointsEntry(
                    workspace_id=claim.workspace_id,
                    member_id=claim.member_id,
                    action=action,
                    points=award.points,
                    day=claim.day,
                    key=claim.key,
                    reason=claim.note + award.explanation,
                    created_at=claim.at,
                )
            )
    PointsEntry.objects.bulk_create(entries, batch_size=500)
    save_tallies(list(tallies.values()))
    return awarded


@transaction.atomic
def adjust_points(
    *, member: Membership, points: int, reason: str, author: Membership | None, key: str, day: dt.date
) -> None:
    """A correction: a new ledger line with a reason and an author (empty for the anti-gaming rules)."""
    if not reason.strip():
        raise ValueError("An adjustment needs a reason")
    PointsEntry.objects.create(
        workspace_id=member.workspace_id,
        member=member,
        action=Action.ADJUSTMENT,
        points=points,
        day=day,
        key=key,
        reason=reason,
        author=author,
    )
    batch = RollupBatch()
    batch.add(
        workspace_id=member.workspace_id,
        member_id=member.pk,
        department_id=member.department_id,
        location_id=member.location_id,
        day=day,
        delta=Delta(points=points),
    )
    batch.write()


class RuleError(ValueError):
    """A points rule that cannot be added, with a message for the admin."""


#: Awarded in bulk elsewhere (networks/sync.py pays n engagements at once with its own cap check).
NO_DECAY_ACTIONS = frozenset({Action.ENGAGEMENT})

RULE_ACTIONS = (
    Action.SHARE,
    Action.UNIQUE_CLICK,
    Action.SUBMISSION_APPROVED,
    Action.ENGAGEMENT,
    Action.ANSWER,
    Action.LESSON,
    Action.BRAND_SHIFT,
)


@transaction.atomic
def add_rule(
    *,
    workspace: Workspace,
    action: str,
    points: int,
    daily_cap: int | None,
    active_from: dt.date,
    today: dt.date,
    decay_after: int | None = None,
    decay_factor: Decimal = Decimal(1),
) -> PointsRule:
    """Add a new version of the rule for ``action``, in force from ``active_from`` (today or later).

    Earlier versions stay as they are, so points already earned are never recomputed.
    """
    if action not in RULE_ACTIONS:
        raise RuleError("There are no points for that action: choose one from the list.")
    if active_from < today:
        raise RuleError("A new rule can start today at the earliest: past points are never recalculated.")
    if points < 0 or (daily_cap is not None and daily_cap < 1):
        raise RuleError("Points cannot be negative and a daily cap must be at least 1.")
    if decay_after is not None and action in NO_DECAY_ACTIONS:
        raise RuleError(
            "Engagement is counted in batches when the networks are synced, so it has a daily cap but no "
            "diminishing returns: leave those fields empty."
        )
    if decay_after is not None and (decay_after < 1 or not Decimal(0) <= decay_factor < Decimal(1)):
        raise RuleError("Diminishing returns need at least 1 award a day at full value and a factor from 0 to 0.99.")
    if PointsRule.objects.filter(workspace=workspace, action=action, active_from=active_from).exists():
        raise RuleError("There is already a rule for this action starting on that day.")
    return PointsRule.objects.create(
        workspace=workspace,
        action=action,
        points=points,
        daily_cap=daily_cap,
        active_from=active_from,
        decay_after=decay_after,
        decay_factor=decay_factor if decay_after is not None else Decimal(1),
    )


def record_member_visitor(*, user_id: int, workspace_slug: str, visitor_hash: str, day: dt.date) -> bool:
    """Remember that the member (``user_id`` in the workspace) used the app with ``visitor_hash`` on ``day``.

    Returns False when the user is no active member there (nothing stored).
    """
    member = (
        Membership.objects.filter(workspace__slug=workspace_slug, user_id=user_id, is_active=True)
        .values_list("pk", "workspace_id")
        .first()
    )
    if member is None:
        return False
    MemberVisitor.objects.bulk_create(
        [MemberVisitor(workspace_id=member[1], member_id=member[0], visitor_hash=visitor_hash, day=day)],
        ignore_conflicts=True,
    )
    return True


def prune_member_visitors(*, before: dt.date) -> int:
    """Forget member visitor hashes older than ``before`` (they change every day; old ones match nothing)."""
    deleted, _ = MemberVisitor.objects.filter(day__lt=before).delete()
    return deleted


class FindingError(ValueError):
    """A finding that cannot be decided (again), with a message for the admin."""


@transaction.atomic
def decide_finding(*, finding: Finding, confirm: bool, author: Membership, today: dt.date) -> Finding:
    """Confirm a finding (the points stay excluded) or dismiss it (the points come back by an adjustment).

    The ledger stays append-only: a dismissal adds one line with the reason and the admin as author.
    """
    locked = Finding.objects.select_for_update().get(pk=finding.pk, workspace_id=finding.workspace_id)
    if locked.status != FindingStatus.OPEN:
        raise FindingError("This finding was already decided.")
    if not confirm:
        owed = locked.points_withheld + locked.points_reversed - locked.points_restored
        if owed > 0:
            adjust_points(
                member=locked.member,
                points=owed,
                reason=f"Points restored: an admin reviewed the “{locked.get_kind_display()}” finding and "
                "dismissed it.",
                author=author,
                key=f"finding:{locked.pk}:restored:{locked.points_restored + owed}",
                day=today,
            )
            locked.points_restored += owed
    locked.status = FindingStatus.CONFIRMED if confirm else FindingStatus.DISMISSED
    locked.decided_by = author
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at", "points_restored"])
    return locked
