"""Demo data for listening: Northwind's topics, a few sources and ~1,500 mentions over the demo period.

Nothing here polls the real internet: the feed, Mastodon, Reddit and Hacker News sources are paused (an
admin can resume them on a real installation), and the history is ingested through the real pipeline
(matching, duplicates, per-day counts) as if it had been heard, plus a CSV import of press clippings.
The Reddit source shows what the health view says when a source needs credentials: its last poll found no
Reddit app for the workspace (Reddit answers only signed-in apps).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from groundswell.listening import pipeline
from groundswell.listening.matching import forget
from groundswell.listening.models import Source, SourceKind, Topic, TopicKind
from groundswell.listening.sources.base import FetchedPost, Problem
from groundswell.workspaces.models import Membership, Workspace

TOPICS = (
    ("Northwind", TopicKind.BRAND, 'northwind OR "north wind outfitters" OR site:northwind-outfitters.example'),
    ("Fjord & Fell", TopicKind.COMPETITOR, '"fjord & fell" OR "fjord and fell" OR fjordfell'),
    ("Summit Supply", TopicKind.COMPETITOR, '"summit supply" OR summitsupply'),
    (
        "Outdoor gear",
        TopicKind.CATEGORY,
        '("outdoor gear" OR camping OR hiking OR backpacking) AND (tent* OR boots OR jacket* OR "sleeping bag" OR '
        "backpack*)",
    ),
)
SOURCES: tuple[tuple[str, str, dict[str, Any], str], ...] = (
    ("Outdoor Industry News", SourceKind.RSS, {"url": "https://outdoor-news.example/feed.xml"}, "news"),
    (
        "Mastodon #camping",
        SourceKind.MASTODON,
        {"instance": "https://mastodon.example", "timeline": "tag", "tag": "camping", "local": False},
        "social",
    ),
    ("r/CampingGear", SourceKind.REDDIT, {"subreddit": "CampingGear", "query": ""}, "forum"),
    ("Hacker News: Northwind", SourceKind.HACKERNEWS, {"query": "northwind"}, "tech"),
    ("Press clippings (CSV)", SourceKind.CSV, {}, "press"),
)
BRANDS = ("Northwind", "Northwind", "Northwind", "Fjord & Fell", "Summit Supply")
PRODUCTS = ("Ridge 2 tent", "Kestrel rain jacket", "Alpine 40 backpack", "Tundra sleeping bag", "Trailhead boots")
PRAISE = (
    "Just back from three nights in the hills and the {brand} {product} was brilliant. Dry, warm, no complaints.",
    "Shout-out to {brand}: their repair team fixed my {product} in a week, for free. This is how it should be.",
    "Love my new {brand} {product}! Best camping purchase this year.",
    "Five years in and my {brand} {product} still looks new. Worth every penny for hiking in Scotland.",
)
COMPLAINT = (
    "Really disappointed with the {brand} {product}: the zip broke on the second trip. Not good enough.",
    "Waited three weeks for my {brand} order and the {product} arrived in the wrong size. Support is not answering.",
    "The seams on my {brand} {product} leaked on the first rainy night of camping. Awful.",
)
QUESTION = (
    "Has anyone tried the {brand} {product}? Thinking of buying one for a hiking trip in the Alps.",
    "Does the {brand} {product} come in a wider fit? Asking before I order for backpacking season.",
    "Which is better for winter camping: the {brand} {product} or something from Fjord & Fell?",
    "Where can I get the {brand} {product} repaired in Berlin?",
)
NEWS = (
    "{brand} opens a flagship store in Berlin with a climbing wall and a repair bar.",
    "{brand} reports record spring sales of outdoor gear, led by the {product}.",
    "Review roundup: the best tents and sleeping bags for backpacking, with the {brand} {product} on top.",
    "{brand} announces a take-back program for worn-out jackets and boots.",
)
AUTHORS = ("trailmix", "ana_hikes", "moorland_mo", "gearnerd", "campfire_kai", "peakbagger", "rainyday_rob", "lotte.k")


PLACES = (
    "the Cairngorms",
    "the Lake District",
    "Snowdonia",
    "the Dolomites",
    "the Black Forest",
    "Lapland",
    "the Pyrenees",
    "the Harz",
    "Dartmoor",
    "the Tatras",
    "Connemara",
    "the Eifel",
)
DETAILS = (
    "Used it on a {n}-day trip through {place} in {month}.",
    "Tested in {place}: {n} nights, wind and sleet most of the time.",
    "We were {n} people on a group trip to {place} in {month}.",
    "Week {n} of my {place} traverse, and it keeps coming up in conversations at huts.",
    "Bought it in {month} before heading to {place}.",
    "",
)
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _text(rng: random.Random) -> str:
    bucket = rng.choices((PRAISE, COMPLAINT, QUESTION, NEWS), weights=(40, 20, 25, 15))[0]
    main = rng.choice(bucket).format(brand=rng.choice(BRANDS), product=rng.choice(PRODUCTS))
    detail = rng.choice(DETAILS).format(n=rng.randint(2, 14), place=rng.choice(PLACES), month=rng.choice(MONTHS))
    return f"{main} {detail}".strip() if bucket is not NEWS else main


def build_listening(
    workspace: Workspace, admin: Membership | None, rng: random.Random, now: dt.datetime, days: int
) -> int:
    """The topics, sources and heard posts of the demo; returns the number of mentions."""
    forget(workspace.pk)
    for name, kind, query in TOPICS:
        Topic.objects.create(workspace=workspace, name=name, kind=kind, query=query, created_by=admin)
    sources = {}
    for name, source_kind, config, label in SOURCES:
        sources[label] = Source.objects.create(
            workspace=workspace, kind=source_kind, name=name, config=config, is_active=False, poll_every_seconds=900
        )
    per_source: dict[str, list[FetchedPost]] = {label: [] for label in sources}
    recent: list[str] = []
    for n in range(1050):
        label = rng.choices(list(sources), weights=(15, 35, 30, 8, 12))[0]
        if recent and rng.random() < 0.06:
            text = "RT " + rng.choice(recent[-50:])  # a repost: a near-duplicate
        else:
            text = _text(rng)
            recent.append(text)
        published = now - dt.timedelta(days=rng.random() * days)
        author = rng.choice(AUTHORS) + str(rng.randint(1, 99))
        extra: dict[str, Any] = {}
        if label == "social":
            extra = {
                "url": f"https://mastodon.example/@{author}/{n}",
                "site": "mastodon.example",
                "author": f"@{author}",
            }
        elif label == "forum":
            extra = {"url": f"https://www.reddit.com/r/CampingGear/comments/d{n}/", "site": "reddit.com"}
            extra["author"] = f"u/{author}"
        else:
            extra = {"url": f"https://outdoor-news.example/{n}", "site": "outdoor-news.example", "author": author}
        metrics = {"likes": rng.randint(0, 60), "replies": rng.randint(0, 12)} if label in ("social", "forum") else {}
        per_source[label].append(
            FetchedPost(external_id=f"demo-{n}", text=text, published_at=published, lang="en", metrics=metrics, **extra)
        )
    mentions = 0
    for label, posts in per_source.items():
        posts.sort(key=lambda p: p.published_at)
        for offset in range(0, len(posts), 400):
            mentions += pipeline.ingest(sources[label], posts[offset : offset + 400], {"demo": True}).mentions
    # Reddit now answers only signed-in apps: the last poll found none, and the health view says what to do.
    Source.objects.filter(pk=sources["forum"].pk).update(
        last_success_at=now - dt.timedelta(days=3),
        last_error_at=now - dt.timedelta(hours=2),
        last_error="Reddit answers only signed-in apps: this workspace has no Reddit app's client id and secret yet.",
        error_kind=Problem.NEEDS_CREDENTIALS.value,
        failures=1,
    )
    return mentions
