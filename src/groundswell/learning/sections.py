"""The digest's "Your next lesson" section."""

from __future__ import annotations

from groundswell.learning.queries import next_lesson
from groundswell.lib.periods import local_day
from groundswell.updates.digest import DigestContext, DigestLine, DigestSection


def next_lesson_section(ctx: DigestContext) -> DigestSection | None:
    status = next_lesson(ctx.member, ctx.today)
    if status is None:
        return None
    released_since = status.release_day is not None and status.release_day > local_day(
        ctx.since, ctx.member.workspace.timezone
    )
    return DigestSection(
        title="Your next lesson",
        intro="Two minutes, one tip.",
        news=released_since,  # a lesson waiting since before the last digest is a reminder, not news
        lines=[DigestLine(status.lesson.title, ctx.url("learning:lesson", lesson_id=status.lesson.pk))],
    )
