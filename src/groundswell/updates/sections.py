"""The digest's built-in sections: program updates, goal progress, and new items to share."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q

from groundswell.content.targeting import items_for_member
from groundswell.core.home import share_url
from groundswell.goals.models import Goal
from groundswell.goals.progress import goal_progress
from groundswell.lib.periods import local_day
from groundswell.updates.digest import DigestContext, DigestLine, DigestSection, register_section
from groundswell.updates.queries import live_updates

MAX_LINES = 5


def updates_section(ctx: DigestContext) -> DigestSection | None:
    updates = list(
        live_updates(ctx.member.workspace_id)
        .filter(posted_at__gt=ctx.since, posted_at__lte=ctx.now)
        .order_by("-posted_at")[:MAX_LINES]
    )
    if not updates:
        return None
    feed, tz = ctx.url("updates:feed"), ctx.member.workspace.timezone
    return DigestSection(
        title="Program news",
        lines=[
            DigestLine(u.title, f"{feed}#update-{u.pk}", f"{local_day(u.posted_at, tz):%d %b} · {u.excerpt}")
            for u in updates
        ],
    )


def goals_section(ctx: DigestContext) -> DigestSection | None:
    goals = list(Goal.objects.filter(workspace_id=ctx.member.workspace_id, period_start__lte=ctx.today)[:20])
    current = [p for p in goal_progress(goals, today=ctx.today) if p.is_current][:MAX_LINES]
    if not current:
        return None
    program = ctx.url("goals:program")
    return DigestSection(
        title="How close we are",
        news=False,
        lines=[
            DigestLine(p.goal.name, program, f"{p.value:,} of {p.target:,}, {p.percent}% · {p.status}") for p in current
        ],
    )


def items_section(ctx: DigestContext) -> DigestSection | None:
    items = list(
        items_for_member(ctx.member, ctx.now).filter(Q(published_at__gt=ctx.since) | Q(starts_at__gt=ctx.since))[
            :MAX_LINES
        ]
    )
    if not items:
        return None
    ws = ctx.member.workspace.slug
    return DigestSection(
        title="New to share",
        lines=[
            DigestLine(i.display_title[:120], settings.SITE_URL + share_url(ws, i.pk), i.description[:140])
            for i in items
        ],
    )


def register_builtin_sections() -> None:
    register_section("updates", updates_section, order=10)
    register_section("goals", goals_section, order=20)
    register_section("items", items_section, order=30)
