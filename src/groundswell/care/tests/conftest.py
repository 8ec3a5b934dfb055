"""Care fixtures: Acme's brand topic and a source, posts with mentions made directly (as ingest would), and
volunteers who chose "answer customers". ``NOW`` is a Tuesday 10:00 UTC (Acme's zone is UTC).

For replies posted through the outbox: ``bsky`` (a fake Bluesky behind the networks' HTTP choke point),
``bluesky_case`` (Kim asks on Bluesky; bob has the case), ``bob_account`` and ``brand_account``."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from groundswell.care import actions
from groundswell.care.hours import Week, to_json
from groundswell.care.models import Case, ResponderProfile
from groundswell.enrolment.actions import Answers, join
from groundswell.listening.models import Intent, Mention, Post, Source, SourceKind, Topic, TopicKind
from groundswell.networks import accounts, crypto
from groundswell.networks.base import TokenSet
from groundswell.networks.bluesky.tests.fake import MEMBER_DID, PDS, FakeBluesky, serve
from groundswell.networks.models import ConnectedAccount
from groundswell.workspaces.models import Membership, Workspace

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)  # a Tuesday
ALL_WEEK: Week = {d: [(0, 1440)] for d in range(7)}
ROOT = "at://did:plc:kim/app.bsky.feed.post/3root"
ASKED = "at://did:plc:kim/app.bsky.feed.post/3asked"
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


# --- replies through the outbox (Bluesky) ------------------------------------------------------------------


@pytest.fixture
def encryption_key(settings: Any) -> Iterator[None]:
    settings.ENCRYPTION_KEYS = ["x3W2cGbqIVp6zfnjJOx2SM6TFgOB8h4Wq9bTm0xRy1o="]
    crypto.reset_keys()
    yield
    crypto.reset_keys()


@pytest.fixture
def bsky(settings: Any, encryption_key: None) -> Iterator[FakeBluesky]:
    yield from serve(settings)


@pytest.fixture
def bluesky_source(workspace: Workspace) -> Source:
    return Source.objects.create(workspace=workspace, kind=SourceKind.BLUESKY, name="Bluesky search")


@pytest.fixture
def bluesky_case(bluesky_source: Source, brand: Topic, bob: Membership, bsky: FakeBluesky) -> Case:
    """Kim asks under her own thread on Bluesky; bob (on shift all week) has the case."""
    volunteer(bob)
    bsky.add_post(ROOT, "bafyroot")
    bsky.add_post(ASKED, "bafyasked", reply={"root": {"uri": ROOT, "cid": "bafyroot"},
                                             "parent": {"uri": ROOT, "cid": "bafyroot"}})  # fmt: skip
    post, mentions = make_post(bluesky_source, [brand], text="Is the Northwind tent waterproof?", external_id=ASKED)
    post.thread_root = ROOT
    post.url = "https://bsky.app/profile/kim.bsky.test/post/3asked"
    post.save(update_fields=["thread_root", "url"])
    [opened] = actions.open_cases_for(mentions, now=timezone.now())
    assert opened.assignee_id == bob.pk
    return opened


def tokens(did: str, handle: str) -> TokenSet:
    return TokenSet(access_token="a.b.c", refresh_token="r.e.f", remote_id=did, handle=handle, service_url=PDS)


@pytest.fixture
def bob_account(bob: Membership, encryption_key: None) -> ConnectedAccount:
    return accounts.connect(bob, "bluesky", tokens(MEMBER_DID, "bob.bsky.test"))


@pytest.fixture
def brand_account(alice: Membership, encryption_key: None) -> ConnectedAccount:
    return accounts.connect_for_workspace(alice, "bluesky", tokens("did:plc:acmebrand", "acme.bsky.test"))
