"""Read queries for program updates: live (not deleted) updates with their goal's progress then and now."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from groundswell.goals.progress import GoalProgress, goal_progress
from groundswell.updates.models import Update
from groundswell.workspaces.models import Workspace


def live_updates(workspace: Workspace | int) -> QuerySet[Update]:
    ws_id = workspace if isinstance(workspace, int) else workspace.pk
    return Update.objects.filter(workspace_id=ws_id, deleted_at__isnull=True).select_related("goal", "author")


@dataclass(frozen=True)
class UpdateView:
    update: Update
    goal_now: GoalProgress | None  # the linked goal's progress today (None: no goal, or it was deleted)

    @property
    def goal_change(self) -> int | None:
        """How much the goal's value moved since the post."""
        if self.goal_now is None or self.update.goal_value_at_post is None:
            return None
        return self.goal_now.value - self.update.goal_value_at_post


def with_progress(updates: list[Update], today: dt.date) -> list[UpdateView]:
    """``updates`` with their goals' progress now, from one rollup query for all of them."""
    goals = {u.goal.pk: u.goal for u in updates if u.goal is not None}
    progress = {p.goal.pk: p for p in goal_progress(list(goals.values()), today=today)}
    return [UpdateView(u, progress.get(u.goal_id) if u.goal_id else None) for u in updates]


def feed_page(workspace: Workspace, today: dt.date, limit: int) -> list[UpdateView]:
    """The pinned update first, then the newest ones (at most ``limit`` in all)."""
    updates = list(live_updates(workspace).order_by("-pinned", "-posted_at", "-pk")[:limit])
    return with_progress(updates, today)


def newest_update(workspace: Workspace) -> Update | None:
    return live_updates(workspace).order_by("-posted_at", "-pk").first()
