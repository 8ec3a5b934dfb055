"""The write layer for the program page: goals and the vision statement."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from groundswell.goals.models import Goal, Metric, PeriodKind
from groundswell.lib.periods import period_start
from groundswell.workspaces.models import Membership, Workspace


class GoalError(ValueError):
    """A goal that cannot be saved, with a message for the admin."""


def _check(name: str, metric: str, target: int, period: str) -> None:
    if not name.strip():
        raise GoalError("A goal needs a name.")
    if metric not in Metric.values:
        raise GoalError(f"Unknown metric {metric!r}.")
    if period not in PeriodKind.values:
        raise GoalError(f"Unknown period {period!r}.")
    if target < 1:
        raise GoalError("The target must be at least 1.")


def create_goal(
    *,
    workspace: Workspace,
    author: Membership,
    name: str,
    metric: str,
    target: int,
    period: str,
    day: dt.date,
) -> Goal:
    """A goal for the period (of kind ``period``) that contains ``day``."""
    _check(name, metric, target, period)
    return Goal.objects.create(
        workspace=workspace,
        name=name.strip(),
        metric=metric,
        target=target,
        period=period,
        period_start=period_start(period, day),
        created_by=author,
    )


def update_goal(*, goal: Goal, name: str, metric: str, target: int, period: str, day: dt.date) -> Goal:
    _check(name, metric, target, period)
    goal.name = name.strip()
    goal.metric = metric
    goal.target = target
    goal.period = period
    goal.period_start = period_start(period, day)
    goal.save(update_fields=["name", "metric", "target", "period", "period_start"])
    return goal


@transaction.atomic
def delete_goal(*, goal: Goal) -> None:
    goal.delete()


def set_vision(*, workspace: Workspace, vision: str) -> None:
    workspace.vision = vision.strip()
    workspace.save(update_fields=["vision"])
