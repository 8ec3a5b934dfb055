"""The two switches, what a manager sees (carol manages bob), and the outsider."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from groundswell.conftest import client_for, make_member
from groundswell.content.models import Item
from groundswell.privacy import visibility
from groundswell.privacy.models import PrivacyAction, PrivacyEvent
from groundswell.sharing.actions import create_share
from groundswell.workspaces.models import LeaderboardVisibility, Membership, Role

from .conftest import ACCESS_SECRET, REFRESH_SECRET, Activity

URLS = ("", "leaderboard/", "manager/", "export/", "export/status.json", "export/download/", "leave/", "delete/",
        "log/", "team/")  # fmt: skip


def url(member: Membership, path: str = "") -> str:
    return f"/w/{member.workspace.slug}/privacy/{path}"


def test_leaderboard_switch_changes_visibility_and_is_logged(bob: Membership, bob_client: Client) -> None:
    resp = bob_client.post(url(bob, "leaderboard/"), {"leaderboard_visibility": "anonymous"})
    assert resp.status_code == 302
    bob.refresh_from_db()
    assert bob.leaderboard_visibility == LeaderboardVisibility.ANONYMOUS
    event = PrivacyEvent.objects.get()
    assert (event.action, event.detail, event.member_number) == (PrivacyAction.VISIBILITY, "anonymous", bob.pk)
    # The same choice again changes nothing and logs nothing.
    bob_client.post(url(bob, "leaderboard/"), {"leaderboard_visibility": "anonymous"})
    assert PrivacyEvent.objects.count() == 1


@pytest.mark.parametrize("data", [{}, {"leaderboard_visibility": "everywhere"}])
def test_leaderboard_switch_bad_input(bob: Membership, bob_client: Client, data: dict[str, str]) -> None:
    resp = bob_client.post(url(bob, "leaderboard/"), data)
    assert resp.status_code == 400
    assert "leaderboard" in resp.content.decode().lower() or "pick one" in resp.content.decode().lower()
    bob.refresh_from_db()
    assert bob.leaderboard_visibility == LeaderboardVisibility.HIDDEN and not PrivacyEvent.objects.exists()


def test_manager_sharing_bad_input(bob: Membership, bob_client: Client) -> None:
    resp = bob_client.post(url(bob, "manager/"), {"share": "maybe"})
    assert resp.status_code == 400 and "Pick yes or no." in resp.content.decode()
    assert not visibility.shares_with_manager(bob)


def test_manager_sees_a_reports_stats_only_when_allowed(
    bob: Membership, carol: Membership, alice: Membership, item: Item, bob_client: Client
) -> None:
    Membership.objects.filter(pk=bob.pk).update(manager=carol)
    bob.refresh_from_db()
    create_share(member=bob, item=item, network="linkedin", caption="hello")
    carol_client = client_for(carol)

    # Off by default: carol sees that bob keeps his statistics private.
    assert not visibility.can_see_member_stats(carol, bob)
    text = carol_client.get(url(carol, "team/")).content.decode()
    assert "Bob" in text and "Keeps their statistics private" in text
    # Program admins run the program and do see individual activity.
    assert visibility.can_see_member_stats(alice, bob)

    assert bob_client.post(url(bob, "manager/"), {"share": "on"}).status_code == 302
    assert visibility.can_see_member_stats(carol, bob)
    text = carol_client.get(url(carol, "team/")).content.decode()
    assert "Keeps their statistics private" not in text
    assert '<td data-label="Shares">1</td>' in text
    # A team of one who shares: the team total is bob's own numbers, which carol sees anyway (ADR 0025).
    assert "Team totals" in text

    # Another manager who is not bob's manager never sees him.
    dave = make_member(bob.workspace, "dave@acme.test", Role.MANAGER)
    assert not visibility.can_see_member_stats(dave, bob)
    assert "Bob" not in client_for(dave).get(url(dave, "team/")).content.decode()

    assert bob_client.post(url(bob, "manager/"), {"share": "off"}).status_code == 302
    assert not visibility.can_see_member_stats(carol, bob)
    assert [e.detail for e in PrivacyEvent.objects.order_by("at", "id")] == ["on", "off"]


def test_team_totals_need_min_group_size(carol: Membership, workspace: object) -> None:
    for n in range(5):
        make_member(carol.workspace, f"r{n}@acme.test", manager=carol)
    text = client_for(carol).get(url(carol, "team/")).content.decode()
    assert "Team totals" in text and "0 shares" in text


def test_employees_cannot_open_the_team_page_or_the_log(bob: Membership, bob_client: Client) -> None:
    assert bob_client.get(url(bob, "team/")).status_code == 404
    assert bob_client.get(url(bob, "log/")).status_code == 404


def test_carol_the_manager_cannot_open_the_log(carol: Membership) -> None:
    assert client_for(carol).get(url(carol, "log/")).status_code == 404


@pytest.mark.parametrize("path", URLS)
def test_outsider_gets_404_everywhere(bob: Membership, charlie_client: Client, path: str) -> None:
    for method in ("get", "post"):
        resp = getattr(charlie_client, method)(url(bob, path), {"confirm": "on", "history": "keep", "share": "on"})
        assert resp.status_code == 404, (method, path, resp.status_code)
    bob.refresh_from_db()
    assert bob.is_active and not PrivacyEvent.objects.exists()


def test_centre_shows_connected_accounts_with_scopes_and_what_they_are_for(
    bob: Membership, bob_client: Client, activity: Activity
) -> None:
    text = bob_client.get(url(bob)).content.decode()
    assert "FakeNet: @bob" in text
    assert "<code>post.write</code>" in text and "Publish the posts you ask Groundswell to make." in text
    assert "<code>post.read</code>" in text and "Read the likes and reposts of those posts." in text
    assert ACCESS_SECRET not in text and REFRESH_SECRET not in text


def test_centre_says_when_the_manager_sees_statistics(bob: Membership, bob_client: Client) -> None:
    assert "not shared</strong> with your manager" in bob_client.get(url(bob)).content.decode()
    bob_client.post(url(bob, "manager/"), {"share": "on"})
    text = bob_client.get(url(bob)).content.decode()
    assert "Your program admins and, because you allow it, your manager can see:" in text
    assert "<strong>shared</strong> with your manager" in text


def test_centre_query_count_does_not_grow_with_activity(
    bob: Membership, bob_client: Client, item: Item, django_assert_max_num_queries: Any
) -> None:
    create_share(member=bob, item=item, network="linkedin", caption="one")
    with CaptureQueriesContext(connection) as few:
        assert bob_client.get(url(bob)).status_code == 200
    for n in range(10):
        create_share(member=bob, item=item, network="x", caption=f"more {n}")
    # A few counts per registered provider (about 25 apps keep something about a person, since stories,
    # videos, chat and lesson quizzes joined them: 76 queries): constant, and it must stay constant as
    # activity grows.
    with CaptureQueriesContext(connection) as many, django_assert_max_num_queries(80):
        bob_client.get(url(bob))
    assert len(many.captured_queries) == len(few.captured_queries)
