"""Demo calls for stories (harvesting, ADR 0043): an open call for everyone with a few answers, one of them
already turned into an item to share; a call for Sales closing in two days; a closed call from last month.
Built through ``stories/harvest.py`` as people would, with its own random stream (the rest of the demo is
unchanged)."""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

from groundswell.demo import data
from groundswell.stories.harvest import HarvestData, PromptData, answer_prompt, create_prompt, harvest_story
from groundswell.stories.models import StoryPrompt
from groundswell.workspaces.models import Role

if TYPE_CHECKING:
    from groundswell.demo.generator import DemoBuilder

ANSWERS = [
    (
        "400 nights in one tent",
        "A customer sent back a tent with 400 nights on it, asking only "
        "for new poles. Our repair team rebuilt it in a week and wrote her a note. She posted a photo of the note.",
        True,
    ),
    (
        "Saturday at the Redwood store",
        "A family came in for boots for a first hike. We walked them through "
        "fit and socks for an hour. They came back a month later with trail photos for the staff wall.",
        True,
    ),
    (
        "Answering at 2 a.m.",
        "A climber stuck in Chamonix wrote to support about a broken buckle. We found a "
        "dealer open the next morning and had the part waiting for him.",
        False,
    ),
    (
        "Our first recycled-fleece order",
        "The sample failed twice. The third time the supplier's engineer and ours stood in the lab until it passed.",
        True,
    ),
]


def build_story_prompts(builder: DemoBuilder) -> None:
    rng = random.Random(builder.seed * 1_000_003 + 43)
    admin = builder.by_email.get(f"{data.ADMIN[1]}@{data.DOMAIN}")
    if admin is None:
        return
    today = builder.now.astimezone(builder.tz).date()
    people = [m for m in builder.members if m.role == Role.EMPLOYEE and m.is_active]
    if len(people) < len(ANSWERS):
        return
    writers = rng.sample(people, len(ANSWERS))
    month = create_prompt(
        member=admin,
        now=builder.now - dt.timedelta(days=6),
        data=PromptData(
            title="The customer you helped this month",
            body_markdown="Big or small: a repair, an answer at the right moment, a fitting that took an hour.\n\n"
            "- Who was it (no names needed)?\n- What did you do?\n- How did it end?",
            deadline=today + dt.timedelta(days=9),
            kind="customer",
        ),
    )
    stories = [
        answer_prompt(member=who, prompt=month, title=title, body_markdown=body, share_consent=consent,
                      now=builder.now - dt.timedelta(days=5 - i))
        for i, (who, (title, body, consent)) in enumerate(zip(writers, ANSWERS, strict=True))
    ]  # fmt: skip
    first = stories[0]
    harvest_story(
        member=admin,
        story=first,
        now=builder.now - dt.timedelta(days=1),
        tell_author=False,
        data=HarvestData(
            title=first.title,
            text=first.body_markdown,
            summary="400 nights, new poles, and a handwritten note.",
            captions=(f"{first.title}: the kind of work I'm proud of at {data.COMPANY}.",),
            publish=True,
        ),
    )
    sales = builder.departments.get("Sales")
    if sales is not None:
        create_prompt(
            member=admin,
            now=builder.now - dt.timedelta(days=3),
            data=PromptData(
                title="A deal you won by listening",
                body_markdown="What did the customer really need, and how did you find out?",
                deadline=today + dt.timedelta(days=2),
                kind="win",
                audience="department",
                department=sales,
            ),
        )
    past = create_prompt(
        member=admin,
        now=builder.now - dt.timedelta(days=40),
        data=PromptData(title="Behind the scenes of the spring catalogue", body_markdown="", deadline=today,
                        kind="behind"),
    )  # fmt: skip
    StoryPrompt.objects.filter(pk=past.pk).update(
        deadline=today - dt.timedelta(days=25), closed_at=builder.now - dt.timedelta(days=25)
    )
