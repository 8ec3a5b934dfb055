"""Care fixtures: Acme's brand topic and a source, posts with mentions made directly (as ingest would), and
volunteers who chose "answer customers". ``NOW`` is a Tuesday 10:00 UTC (Acme's zone is UTC)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from groundswell.care.hours import Week, to_json
from groundswell.care.models import ResponderProfile
from groundswell.enrolment.actions import Answers, join
from groundswell.listening.models import Intent, Mention, Post, Source, SourceKind, Topic, TopicKind
from groundswell.workspaces.models import Membership, Workspace

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)  # a Tuesday
ALL_WEEK: Week = {d: [(0, 1440)] for d in range(7)}
_ids = itertools.count(1)


@pytest.fixture
def brand(workspace: Workspace) -> Topic:
    return Topic.objects.create(workspace=workspace, name="Northwind", kind=TopicKind.BRAND, query="northwind")


@pytest.fixture
def tents(workspace: Workspace) -> Topic:
    return Topic.objects.create(workspace=workspace, name="Tents", kind=TopicKind.CATEGORY, query="tent")


@pytest.fixture
def source(workspace: Workspace) -> Source:
    return Source.objects.create(workspace=workspace, kind=SourceKind.MASTODON, name="Mastodon search")


def make_post(
    source: Source,
    topics: list[Topic],
    *,
    text: str = "Does the Northwind tent survive a storm?",
    intent: str = Intent.QUESTION,
    lang: str = "en",
    in_reply_to: str = "",
    external_id: str = "",
) -> tuple[Post, list[Mention]]:
    post = Post.objects.create(
        workspace_id=source.workspace_id,
        source=source,
        external_id=external_id or f"https://social.example/@kim/{next(_ids)}",
        url="https://social.example/@kim/1",
        author="@kim@social.example",
        text=text,
        lang=lang,
        published_at=NOW,
        content_hash=f"{next(_ids):064d}",
        intent=intent,
        in_reply_to=in_reply_to,
    )
    mentions = [
        Mention.objects.create(
            workspace_id=source.workspace_id, post=post, topic=t, day=NOW.date(), sentiment="neutral", intent=intent
        )
        for t in topics
    ]
    return post, mentions


def volunteer(
    member: Membership,
    *,
    languages: tuple[str, ...] = ("en",),
    week: Week | None = None,
    skills: tuple[Topic, ...] = (),
) -> Membership:
    join(member, Answers(activities=["answer"], languages=list(languages)))
    profile = ResponderProfile.objects.create(
        workspace_id=member.workspace_id, member=member, languages=list(languages), week=to_json(week or ALL_WEEK)
    )
    profile.skills.set(list(skills))
    return member
