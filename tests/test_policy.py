"""The posting policy: disclosure, unchanged captions, caps and blocked words."""

from __future__ import annotations

import datetime as dt

import pytest

from groundswell.content.models import Caption, Item
from groundswell.networks import policy as p
from groundswell.networks.models import OutboundPost, PostingPolicy, PostStatus
from groundswell.sharing.posting import PostingError, counted_posts, schedule_post
from groundswell.workspaces.models import Membership
from tests.test_outbox_fakes import *  # noqa: F403  (fixtures)
from tests.test_outbox_fakes import FakeNetwork, connect


def check(
    member: Membership, network: str, text: str, suggestions: list[str], when: dt.datetime, **kwargs: object
) -> list[p.Problem]:
    """The policy as sharing asks it: the caps count the member's own posts of shares (``counted_posts``)."""
    return p.check(
        member,
        network,
        text,
        suggestions,
        when,
        counted=lambda start, end: counted_posts(member, network, start, end),
        **kwargs,  # type: ignore[arg-type]
    )


NOW = dt.datetime(2026, 3, 4, 9, 0, tzinfo=dt.UTC)  # a Wednesday


def set_policy(member: Membership, **values: object) -> PostingPolicy:
    policy = p.get_policy(member.workspace)
    for k, v in values.items():
        setattr(policy, k, v)
    policy.save()
    return policy


def messages(problems: list[p.Problem]) -> list[str]:
    return [x.message for x in problems]


def test_defaults_created_once(bob: Membership) -> None:
    first = p.get_policy(bob.workspace)
    assert p.get_policy(bob.workspace).pk == first.pk
    assert first.unchanged_caption == "warn" and first.max_per_day_per_network == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Big news", "Big news #employee"),
        ("Big news #Employee", "Big news #Employee"),
        ("Big news. I work at  acme and love it", "Big news. I work at  acme and love it"),
        ("", "#employee"),
    ],
)
def test_disclosure_added_when_missing(bob: Membership, text: str, expected: str) -> None:
    policy = set_policy(bob, disclosure="#employee")
    assert p.with_disclosure(text, policy, bob.workspace) == expected


def test_custom_disclosure(bob: Membership) -> None:
    policy = set_policy(bob, disclosure="(I work at Acme)")
    assert p.with_disclosure("Great", policy, bob.workspace) == "Great (I work at Acme)"
    assert p.with_disclosure("Great #employee", policy, bob.workspace) == "Great #employee"
    assert p.with_disclosure("Great", set_policy(bob, disclosure=""), bob.workspace) == "Great"


def test_disclosure_warning_is_not_blocking(bob: Membership) -> None:
    set_policy(bob, disclosure="#employee")
    problems = check(bob, "bluesky", "Hello", [], NOW)
    assert [x.blocking for x in problems] == [False] and "#employee" in problems[0].message
    assert check(bob, "bluesky", "Hello #employee", [], NOW) == []


@pytest.mark.parametrize(("mode", "blocking"), [("warn", False), ("block", True)])
def test_unchanged_caption(bob: Membership, mode: str, blocking: bool) -> None:
    set_policy(bob, unchanged_caption=mode)
    problems = check(bob, "x", "  we  LAUNCHED\n today ", ["Something else", "We launched today"], NOW)
    assert len(problems) == 1 and problems[0].blocking is blocking
    assert check(bob, "x", "We launched today, and I helped!", ["We launched today"], NOW) == []


def test_unchanged_caption_allowed(bob: Membership) -> None:
    set_policy(bob, unchanged_caption="allow")
    assert check(bob, "x", "We launched today", ["We launched today"], NOW) == []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("This is a Guaranteed win", "guaranteed"),
        ("guaranteed!", "guaranteed"),
        ("Not guaranteedly", None),
        ("Get RICH   quick today", "get rich quick"),
        ("get rich slowly", None),
        ("Ask about stock tips", "stock tips"),
    ],
)
def test_blocked_words_whole_words_any_case(bob: Membership, text: str, found: str | None) -> None:
    policy = set_policy(bob, blocked_words="guaranteed\n  get rich quick \n\nstock tips\n")
    assert p.find_blocked(text, policy) == found


def test_blocked_word_is_named_and_blocks(bob: Membership) -> None:
    set_policy(bob, blocked_words="Guaranteed")
    problems = check(bob, "x", "a guaranteed success", [], NOW)
    assert problems[0].blocking and "“Guaranteed”" in problems[0].message


def test_blocked_word_special_characters(bob: Membership) -> None:
    policy = set_policy(bob, blocked_words="c++\n$$$")
    assert p.find_blocked("I love c++ a lot", policy) == "c++"
    assert p.find_blocked("Make $$$ now", policy) == "$$$"


def _posts(member: Membership, item: Item, times: list[dt.datetime], status: str = PostStatus.SCHEDULED) -> None:
    for t in times:
        post = schedule_post(
            member, item, connect(member, handle=f"h{t.timestamp()}.test"), f"p {t}", t, False, now=NOW
        )
        OutboundPost.objects.filter(pk=post.pk).update(status=status)


def test_daily_cap_per_network(bob: Membership, item: Item, fake_network: FakeNetwork) -> None:
    set_policy(bob, max_per_day_per_network=2, max_per_week_per_network=50)
    _posts(bob, item, [NOW + dt.timedelta(hours=1), NOW + dt.timedelta(hours=2)])
    problems = check(bob, "bluesky", "third", [], NOW + dt.timedelta(hours=3))
    assert len(problems) == 1 and problems[0].blocking and "that day" in problems[0].message
    assert check(bob, "linkedin", "other network", [], NOW + dt.timedelta(hours=3)) == []
    assert check(bob, "bluesky", "tomorrow", [], NOW + dt.timedelta(days=1)) == []
    with pytest.raises(PostingError, match="that day"):
        schedule_post(bob, item, connect(bob), "third", NOW + dt.timedelta(hours=3), False, now=NOW)


def test_cancelled_and_failed_posts_do_not_count(bob: Membership, item: Item, fake_network: FakeNetwork) -> None:
    set_policy(bob, max_per_day_per_network=1)
    _posts(bob, item, [NOW + dt.timedelta(hours=1)], PostStatus.CANCELLED)
    _posts(bob, item, [NOW + dt.timedelta(hours=2)], PostStatus.FAILED)
    assert check(bob, "bluesky", "ok", [], NOW + dt.timedelta(hours=3)) == []


def test_day_is_the_workspace_local_day(bob: Membership, item: Item, fake_network: FakeNetwork) -> None:
    bob.workspace.timezone = "America/New_York"
    bob.workspace.save()
    set_policy(bob, max_per_day_per_network=1)
    # 23:30 New York on Wednesday is 04:30 UTC on Thursday.
    late_wed = dt.datetime(2026, 3, 5, 4, 30, tzinfo=dt.UTC)
    _posts(bob, item, [late_wed])
    assert check(bob, "bluesky", "x", [], dt.datetime(2026, 3, 4, 15, 0, tzinfo=dt.UTC))
    assert check(bob, "bluesky", "x", [], dt.datetime(2026, 3, 5, 15, 0, tzinfo=dt.UTC)) == []


def test_weekly_cap_uses_iso_weeks(bob: Membership, item: Item, fake_network: FakeNetwork) -> None:
    set_policy(bob, max_per_day_per_network=10, max_per_week_per_network=2)
    monday = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
    _posts(bob, item, [NOW + dt.timedelta(hours=1), NOW + dt.timedelta(days=2)])
    assert "that week" in messages(check(bob, "bluesky", "x", [], NOW + dt.timedelta(days=4)))[0]  # Sunday
    assert check(bob, "bluesky", "x", [], monday + dt.timedelta(days=7)) == []  # next Monday


def test_zero_cap_means_no_limit(bob: Membership, item: Item, fake_network: FakeNetwork) -> None:
    set_policy(bob, max_per_day_per_network=0, max_per_week_per_network=0)
    _posts(bob, item, [NOW + dt.timedelta(hours=h) for h in range(1, 5)])
    assert check(bob, "bluesky", "x", [], NOW + dt.timedelta(hours=6)) == []


def test_schedule_post_applies_the_policy(bob: Membership, item: Item, fake_network: FakeNetwork) -> None:
    Caption.objects.create(item=item, text="We launched something great")
    set_policy(bob, unchanged_caption="block", blocked_words="awesome", disclosure="#employee")
    account = connect(bob)
    with pytest.raises(PostingError, match="own words"):
        schedule_post(bob, item, account, "we launched  something GREAT", None, False, now=NOW)
    with pytest.raises(PostingError, match="“awesome”"):
        schedule_post(bob, item, account, "This is Awesome", None, False, now=NOW)
    assert not OutboundPost.objects.exists() and not item.shares.exists()
    post = schedule_post(bob, item, account, "My team built this", None, False, now=NOW)
    assert post.text.startswith("My team built this #employee\n\nhttp://testserver/")
    assert post.share.caption == "My team built this #employee"
