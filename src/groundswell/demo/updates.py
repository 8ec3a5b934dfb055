"""Demo data for program updates, the digest and lessons: a few months of progress news, the starter track
released weekly, and lesson completions by the more engaged people (counted as ``complete_lesson`` counts them, batched)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Sum

from groundswell.analytics.models import Dimension, SegmentPeriod
from groundswell.demo import data
from groundswell.demo.counting import Event, count_events
from groundswell.goals.models import Goal, Metric
from groundswell.goals.progress import METRIC_FIELDS
from groundswell.learning.actions import install_starter_lessons, set_schedule
from groundswell.learning.models import Lesson, LessonCompletion
from groundswell.lib.periods import local_day
from groundswell.rewards.actions import Claim
from groundswell.rewards.models import Action, PointsEntry
from groundswell.updates.models import Update

if TYPE_CHECKING:
    from groundswell.demo.generator import DemoBuilder

#: (days ago, title, text, metric of the goal to link or "")
UPDATES = [
    (
        84,
        "Welcome to our advocacy program",
        "Thank you for joining! Every week you will find a few things worth sharing in **Content**. "
        "Share what you like, in your own words — nobody has to.\n\n"
        "Start with the first lesson under **Lessons**: two minutes on writing in your own voice.",
        "",
    ),
    (
        58,
        "What we learned in the first month",
        "Posts with a personal first line got **three times** as many clicks as the suggested caption alone. "
        "Keep making them yours.\n\n- Most clicks come on Tuesday and Wednesday mornings\n- LinkedIn brings the most "
        "visitors, Bluesky is growing fast",
        "clicks",
    ),
    (
        37,
        "The Trailhead launch: thank you!",
        "The launch week was our busiest yet. Customers told our sales team they first saw the new range "
        "in *your* posts. Keep the photos coming — and remember the alt text lesson.",
        "shares",
    ),
    (
        16,
        "Halfway through the quarter",
        "We are well on the way to this quarter's goal. The leaderboard resets next month; the points you earn "
        "from lessons count too.",
        "clicks",
    ),
    (
        3,
        "New: weekly lessons and your digest",
        "A short lesson is released every week, and the Monday digest tells you what is new. You can change how "
        "often you get it (or turn it off) under **Me → Email digest**.",
        "",
    ),
]


def _value_on(builder: DemoBuilder, goal: Goal, day: dt.date) -> int:
    """The goal's value as it stood on ``day``, from the daily rollups (summable metrics only)."""
    field = METRIC_FIELDS[goal.metric]
    total = SegmentPeriod.objects.filter(
        workspace=builder.ws, period="d", start__gte=goal.period_start, start__lte=day, dimension=Dimension.ALL, key=""
    ).aggregate(s=Sum(field))["s"]
    return int(total or 0)


def build_updates_and_lessons(builder: DemoBuilder) -> None:
    ws, now = builder.ws, builder.now
    admin = builder.by_email[f"{data.ADMIN[1]}@{data.DOMAIN}"]
    goals = list(Goal.objects.filter(workspace=ws).order_by("-period_start"))
    rows = []
    for days_ago, title, body, metric in UPDATES:
        if days_ago > builder.days:
            continue
        posted = now - dt.timedelta(days=days_ago, hours=builder.rng.randint(0, 6))
        day = posted.astimezone(builder.tz).date()
        goal = next(
            (g for g in goals if g.metric == metric and metric != Metric.ACTIVE_AMBASSADORS and g.period_start <= day),
            None,
        )
        value = _value_on(builder, goal, day) if goal else None
        rows.append(
            Update(
                workspace=ws,
                title=title,
                body_markdown=body,
                goal=goal,
                goal_value_at_post=value,
                goal_percent_at_post=min(100, int(100 * value / max(goal.target, 1)))
                if goal and value is not None
                else None,
                author=admin,
                posted_at=posted,
                pinned=days_ago == 3,
            )
        )
    Update.objects.bulk_create(rows)

    # The starter track, one lesson a week since six weeks ago (so one lesson is still to come).
    install_starter_lessons(workspace=ws, author=admin)
    lessons = list(Lesson.objects.filter(workspace=ws).order_by("position", "pk"))
    starts_on = (now - dt.timedelta(weeks=len(lessons) - 2, days=1)).astimezone(builder.tz).date()
    track = set_schedule(workspace=ws, starts_on=starts_on, interval_days=7)
    today = now.astimezone(builder.tz).date()
    completions: list[LessonCompletion] = []
    events: list[Event] = []
    for member in builder.members:
        keen = builder.propensity.get(member.pk, 0.0)
        if keen <= 0:
            continue
        for index, lesson in enumerate(lessons):
            release = track.release_day(index)
            if release > today or builder.rng.random() > min(0.9, 0.35 + keen * 2 - index * 0.05):
                continue
            offset = dt.timedelta(days=builder.rng.randint(0, 6), hours=builder.rng.randint(8, 18))
            at = dt.datetime.combine(release, dt.time(), tzinfo=builder.tz) + offset
            at = min(at, now)
            completions.append(LessonCompletion(workspace_id=ws.pk, lesson=lesson, member=member, completed_at=at))
            day = local_day(at, ws.timezone)
            key = f"lesson:{lesson.pk}:{member.pk}"
            events.append(Event(member, Claim(key=key, workspace_id=ws.pk, member_id=member.pk, day=day, at=at)))
    # What ``complete_lesson`` does for each right answer, for all of them at once (see demo/counting.py).
    LessonCompletion.objects.bulk_create(completions, batch_size=500)
    count_events(Action.LESSON, events)
    for lesson in lessons:
        PointsEntry.objects.filter(workspace=ws, action=Action.LESSON, key__startswith=f"lesson:{lesson.pk}:").update(
            reason=f"Lesson: {lesson.title}"[:300]
        )
