"""The write layer for points. Every award is an append to the ledger plus a rollup increment."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from groundswell.analytics.rollups import Delta, RollupBatch
from groundswell.rewards.models import DEFAULT_RULES, Action, PointsEntry, PointsRule
from groundswell.workspaces.models import Membership, Workspace


@dataclass(frozen=True)
class Rule:
    points: int
    daily_cap: int | None


def ensure_default_rules(workspace: Workspace) -> None:
    for action, (points, cap) in DEFAULT_RULES.items():
        PointsRule.objects.get_or_create(
            workspace=workspace,
            action=action,
            active_from=dt.date(2000, 1, 1),
            defaults={"points": points, "daily_cap": cap},
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
    return Rule(points=rule.points, daily_cap=rule.daily_cap)


def capped_points(rule: Rule, already_today: int) -> int:
    if rule.daily_cap is None:
        return rule.points
    return max(0, min(rule.points, rule.daily_cap - already_today))


def points_today(workspace_id: int, member_id: int, action: str, day: dt.date) -> int:
    total = PointsEntry.objects.filter(
        workspace_id=workspace_id, member_id=member_id, action=action, day=day
    ).aggregate(s=Sum("points"))["s"]
    return int(total or 0)


def award_points(
    *,
    member: Membership,
    action: str,
    key: str,
    day: dt.date,
    rollup: RollupBatch,
    reason: str = "",
    at: dt.datetime | None = None,
) -> int:
    """Award the rule's points for ``action`` (capped per day) once per ``key``. Returns points awarded.

    ``at`` is when the event happened (defaults to now). Must run inside a transaction; the caller writes
    ``rollup`` afterwards.
    """
    rule = rule_for(member.workspace_id, action, day)
    if rule is None:
        return 0
    points = capped_points(rule, points_today(member.workspace_id, member.pk, action, day))
    if points <= 0:
        return 0
    try:
        with transaction.atomic():
            PointsEntry.objects.create(
                workspace_id=member.workspace_id,
                member=member,
                action=action,
                points=points,
                day=day,
                key=key,
                reason=reason,
                created_at=at or timezone.now(),
            )
    except IntegrityError:
        return 0  # Already awarded for this key (a replay): nothing to add.
    rollup.add(
        workspace_id=member.workspace_id,
        member_id=member.pk,
        department_id=member.department_id,
        location_id=member.location_id,
        day=day,
        delta=Delta(points=points),
    )
    return points


@transaction.atomic
def adjust_points(*, member: Membership, points: int, reason: str, author: Membership, key: str, day: dt.date) -> None:
    """A manual correction by an admin: a new ledger line with a reason and an author."""
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


RULE_ACTIONS = (
    Action.SHARE,
    Action.UNIQUE_CLICK,
    Action.SUBMISSION_APPROVED,
    Action.ENGAGEMENT,
    Action.LESSON,
    Action.BRAND_SHIFT,
    Action.ANSWER,
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
) -> PointsRule:
    """Add a new version of the rule for ``action``, in force from ``active_from`` (today or later).

    Earlier versions stay as they are, so points already earned are never recomputed.
    """
    if action not in RULE_ACTIONS:
        raise RuleError(
            "Points rules exist for shares, unique clicks, approved submissions and engagement earned only."
        )
    if active_from < today:
        raise RuleError("A new rule can start today at the earliest: past points are never recalculated.")
    if points < 0 or (daily_cap is not None and daily_cap < 1):
        raise RuleError("Points cannot be negative and a daily cap must be at least 1.")
    if PointsRule.objects.filter(workspace=workspace, action=action, active_from=active_from).exists():
        raise RuleError("There is already a rule for this action starting on that day.")
    return PointsRule.objects.create(
        workspace=workspace, action=action, points=points, daily_cap=daily_cap, active_from=active_from
    )
