"""Demo stories: ten stories Northwind's employees told each other in the last weeks, with colleagues'
reactions and comments, one story for a department only and one comment hidden by a moderator.

Rows are bulk-inserted (the demo builds in seconds); the texts pass the workspace's blocked words because the
demo policy has none that they use.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

from groundswell.demo import data
from groundswell.stories.models import (
    Audience,
    ModerationAction,
    ModerationEvent,
    Reaction,
    Story,
    StoryComment,
    StoryKind,
    StoryReaction,
    Visibility,
)
from groundswell.workspaces.models import Membership, Role

if TYPE_CHECKING:
    from groundswell.demo.generator import DemoBuilder

#: (author's department, days ago, kind, title, body, topic slugs, audience: "" everyone or "department")
STORIES: list[tuple[str, int, str, str, str, tuple[str, ...], str]] = [
    (
        "Customer Experience",
        2,
        StoryKind.CUSTOMER,
        "The tent that came back from Patagonia",
        "A customer called on Monday: her Ridgeline tent lost a pole section on day 9 of a 14-day trek. "
        "We couldn't ship to a trailhead in Chile, but our Punta Arenas retailer had the part.\n\n"
        "She sent us a photo from the summit on Friday. **This is why we do the job.**",
        ("customer-stories", "trail-stories"),
        "",
    ),
    (
        "Engineering",
        4,
        StoryKind.BEHIND,
        "How we cut the checkout page load in half",
        "The checkout was loading 1.8 MB of JavaScript nobody needed. Over three sprints we:\n\n"
        "- removed two tracking scripts\n- lazy-loaded the size guide\n- moved the map to the order page\n\n"
        "Median load went from 3.1 s to 1.4 s on a mid-range phone. Conversion is up 4% so far.",
        ("engineering",),
        "",
    ),
    (
        "Retail Stores",
        6,
        StoryKind.WIN,
        "Denver store: 40 kids on their first overnight hike",
        "With the scouts of Jefferson County we lent 40 sleeping bags and taught a packing workshop. "
        "Three parents came back to buy their own gear the week after, and asked when the next one is.",
        ("community", "events"),
        "",
    ),
    (
        "Supply Chain",
        9,
        StoryKind.LEARNING,
        "What I learnt moving our freight to rail",
        "Rail from Long Beach to Denver takes two days longer than trucks, and emits about 70% less CO₂. "
        "The trick was planning stock four weeks ahead instead of two. Happy to walk anyone through the planner.",
        ("sustainability",),
        "",
    ),
    (
        "People & Finance",
        11,
        StoryKind.PEOPLE,
        "Welcome to the twelve people who joined in November",
        "Say hello to our new colleagues in Berlin, Denver and Portland — from a returns specialist to two "
        "engineers on the app team. If you see a new face in the kitchen, take them for a coffee.",
        ("careers", "company-news"),
        "",
    ),
    (
        "Product Design",
        14,
        StoryKind.BEHIND,
        "Forty prototypes of one zipper pull",
        "Gloves make small zipper pulls useless. We printed forty shapes and tested them with ski patrollers "
        "at -15 °C. The winner looks boring and works with mittens. It ships on the Summit jacket in spring.",
        ("product-launches", "engineering"),
        "",
    ),
    (
        "Sales",
        17,
        StoryKind.CUSTOMER,
        "A school district chose us for 1,200 rain jackets",
        "Portland Public Schools wanted jackets that last more than one winter. We offered free repairs for "
        "three years, and they signed last week. Thanks to Customer Experience for the repair numbers.",
        ("customer-stories",),
        "department",
    ),
    (
        "Marketing",
        21,
        StoryKind.STORY,
        "Our trail-clean-up weekend, in numbers",
        "86 volunteers, 14 km of trail, 212 kg of litter, 1 lost boot (returned to its owner). "
        "Photos are in the shared drive — share your own if you were there.",
        ("community", "sustainability", "events"),
        "",
    ),
    (
        "Customer Experience",
        25,
        StoryKind.LEARNING,
        "Three phrases that calm an angry caller",
        '"Let me make sure I understand", "Here is what I can do today" and "I\'ll call you back by 4" — '
        "and then calling back by 4. Our repeat-contact rate fell by a third since we started.",
        ("customer-stories",),
        "",
    ),
    (
        "Engineering",
        30,
        StoryKind.WIN,
        "The app's offline maps are live",
        "Download a trail area before you leave, navigate without signal. 9,000 downloads in the first week "
        "and a 4.8 rating. Thank you to everyone who tested it on their weekend hikes.",
        ("product-launches", "engineering"),
        "",
    ),
]

COMMENTS = [
    "This is wonderful, thank you for sharing!",
    "Great work, team.",
    "Can we turn this into a customer story for the website?",
    "I had no idea — thanks for explaining how it works.",
    "Proud to work here when I read things like this.",
    "Would love to join next time.",
    "Brilliant. Sharing this with my team.",
    "How did you convince them? Would love to hear more.",
]


def build_stories(builder: DemoBuilder) -> None:
    ws = builder.ws
    rng = random.Random(builder.seed * 1_000_003 + 41)
    active = [m for m in builder.members if m.is_active]
    by_department: dict[int | None, list[Membership]] = {}
    for m in active:
        by_department.setdefault(m.department_id, []).append(m)
    admin = next((m for m in active if m.role == Role.ADMIN), None)
    topics = builder.topics
    stories: list[Story] = []
    for dept_name, days_ago, kind, title, body, _topics, audience in STORIES:
        department = builder.departments.get(dept_name)
        pool = by_department.get(department.pk if department else None) or active
        author = rng.choice(pool)
        at = builder.now - dt.timedelta(days=days_ago, hours=rng.randint(1, 8))
        stories.append(
            Story(
                workspace=ws,
                author=author,
                title=title,
                body_markdown=body,
                kind=kind,
                audience=Audience.DEPARTMENT if audience == "department" and department else Audience.EVERYONE,
                department=department if audience == "department" else None,
                created_at=at,
            )
        )
    Story.objects.bulk_create(stories)
    through = Story.topics.through
    through.objects.bulk_create(
        [
            through(story_id=story.pk, topic_id=topics[slug].pk)
            for story, spec in zip(stories, STORIES, strict=True)
            for slug in spec[5]
            if slug in topics
        ]
    )
    reactions: list[StoryReaction] = []
    comments: list[StoryComment] = []
    choices = list(Reaction.values)
    for story in stories:
        readers = [m for m in active if m.pk != story.author_id]
        if story.audience == Audience.DEPARTMENT:
            readers = [m for m in readers if m.department_id == story.department_id]
        for member in rng.sample(readers, min(len(readers), rng.randint(4, 18))):
            reactions.append(
                StoryReaction(
                    workspace=ws,
                    story=story,
                    member=member,
                    reaction=rng.choices(choices, weights=[5, 3, 2, 2])[0],
                    created_at=story.created_at + dt.timedelta(minutes=rng.randint(5, 3000)),
                )
            )
        for member in rng.sample(readers, min(len(readers), rng.randint(0, 3))):
            comments.append(
                StoryComment(
                    workspace=ws,
                    story=story,
                    author=member,
                    body=rng.choice(COMMENTS),
                    created_at=story.created_at + dt.timedelta(minutes=rng.randint(10, 2000)),
                )
            )
    StoryReaction.objects.bulk_create(reactions)
    StoryComment.objects.bulk_create(comments)
    if admin is not None and comments:
        hidden = comments[-1]
        StoryComment.objects.filter(pk=hidden.pk).update(
            visibility=Visibility.HIDDEN,
            hidden_reason="Off topic for this story; posted in the right channel instead.",
            hidden_by=admin,
            hidden_at=hidden.created_at + dt.timedelta(hours=2),
        )
        ModerationEvent.objects.create(
            workspace=ws,
            actor=admin,
            story=hidden.story,
            comment=hidden,
            action=ModerationAction.HIDDEN,
            reason="Off topic for this story; posted in the right channel instead.",
            created_at=hidden.created_at + dt.timedelta(hours=2),
        )
    builder.log(f"  {len(stories)} stories, {len(reactions)} reactions, {len(comments)} comments ({data.COMPANY})")
