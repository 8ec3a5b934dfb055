"""Periodic jobs for points: the weekly league draw, ring detection, forgetting old member visitor hashes."""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from django_tasks import task

from groundswell.core.scheduler import register_periodic
from groundswell.lib.periods import local_day, period_start
from groundswell.rewards.actions import prune_member_visitors
from groundswell.rewards.leagues import draw_week
from groundswell.rewards.rings import detect_rings
from groundswell.workspaces.models import Workspace

log = logging.getLogger(__name__)
VISITOR_DAYS = 35


@task()
def draw_leagues() -> int:
    """Seat everyone for the current week in every workspace (idempotent: a week is drawn once; later runs
    only seat newcomers). Runs hourly, so the draw happens within the first hour of Monday."""
    seats = 0
    for workspace in Workspace.objects.order_by("pk"):
        week = period_start("w", local_day(timezone.now(), workspace.timezone))
        seats += draw_week(workspace, week)
    return seats


@task()
def find_rings() -> int:
    """Look for rings of colleagues in every workspace; reverse the points their clicks earned."""
    found = 0
    for workspace in Workspace.objects.order_by("pk"):
        found += len(detect_rings(workspace, today=local_day(timezone.now(), workspace.timezone)))
    return found


@task()
def prune_visitors() -> int:
    return prune_member_visitors(before=timezone.now().date() - dt.timedelta(days=VISITOR_DAYS))


register_periodic(draw_leagues, every_seconds=3600)
register_periodic(find_rings, every_seconds=24 * 3600)
register_periodic(prune_visitors, every_seconds=24 * 3600)
