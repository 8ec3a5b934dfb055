"""The digest's sections from lessons: "Your next lesson" and "Tip of the week"."""

from __future__ import annotations

from groundswell.learning.queries import next_lesson
from groundswell.learning.tips import tip_for_week
from groundswell.lib.periods import local_day
from groundswell.updates.digest import DigestContext, DigestLine, DigestSection


def next_lesson_section(ctx: DigestContext) -> DigestSection | None:
    status = next_lesson(ctx.member, ctx.today)
    if status is None:
        return None
    released_since = status.release_day > local_day(ctx.since, ctx.member.workspace.timezone)
    return DigestSection(
        title="Your next lesson",
        intro="Two minutes, one tip.",
        news=released_since,  # a lesson waiting since before the last digest is a reminder, not news
        lines=[DigestLine(status.lesson.title, ctx.url("learning:lesson", lesson_id=status.lesson.pk))],
    )


def tip_section(ctx: DigestContext) -> DigestSection | None:
    """The tip of the week. Context, not news: a tip alone never makes a digest go out."""
    tip = tip_for_week(ctx.member.workspace_id, ctx.today)
    if tip is None:
        return None
    return DigestSection(
        title="Tip of the week",
        news=False,
        lines=[DigestLine(tip.title, tip.url or "", tip.text)],
    )
