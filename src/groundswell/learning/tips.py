"""The tip of the week: the interface the digest and the chat integrations read.

A tip pinned to a week (``models.Tip.week_of``) wins that week; otherwise the unpinned tips rotate in queue
order, one a week, counted from a fixed Monday so every process picks the same tip for the same week.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from groundswell.learning import models
from groundswell.workspaces.models import Workspace

EPOCH_MONDAY = dt.date(2024, 1, 1)  # a Monday: week numbers for the rotation count from here


@dataclass(frozen=True)
class Tip:
    title: str
    text: str
    url: str | None  # absolute (http/https), or None when the tip has no link


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def tip_row_for_week(workspace: Workspace | int, day: dt.date) -> models.Tip | None:
    ws_id = workspace if isinstance(workspace, int) else workspace.pk
    monday = _monday(day)
    pinned = models.Tip.objects.filter(workspace_id=ws_id, week_of=monday).first()
    if pinned is not None:
        return pinned
    queue = list(models.Tip.objects.filter(workspace_id=ws_id, week_of__isnull=True).order_by("position", "pk"))
    if not queue:
        return None
    return queue[((monday - EPOCH_MONDAY).days // 7) % len(queue)]


def tip_for_week(workspace: Workspace | int, day: dt.date) -> Tip | None:
    """The workspace's tip for the week that contains ``day`` (a date in the workspace's time zone)."""
    row = tip_row_for_week(workspace, day)
    if row is None:
        return None
    return Tip(title=row.title, text=row.text, url=row.url or None)
