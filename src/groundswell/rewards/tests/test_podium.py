"""The leaderboard's podium, rank changes and avatars: they follow the privacy rule and add no query."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groundswell.analytics.tests.helpers import share_with_clicks
from groundswell.conftest import make_member
from groundswell.content.models import Item
from groundswell.core.templatetags.avatars import avatar_hue
from groundswell.lib.periods import period_start
from groundswell.rewards.leaderboard import ANONYMOUS_NAME, leaderboard
from groundswell.rewards.tests.conftest import viewer
from groundswell.workspaces.models import Membership, Workspace

URL = reverse("rewards:leaderboard", kwargs={"ws": "acme"})


def month() -> dt.date:
    return period_start("m", timezone.now().date())


def last_month() -> dt.date:
    return period_start("m", month() - dt.timedelta(days=1))


def in_last_month() -> dt.datetime:
    return dt.datetime.combine(last_month() + dt.timedelta(days=10), dt.time(12), tzinfo=dt.UTC)


@pytest.mark.django_db
def test_podium_shows_the_top_three_and_never_a_private_name(
    workspace: Workspace, bob: Membership, carol: Membership, alice: Membership, item: Item, bob_client: Client
) -> None:
    share_with_clicks(bob, item, 3)  # 16
    share_with_clicks(carol, item, 2)  # 14
    share_with_clicks(alice, item, 0)  # 10
    dave = make_member(workspace, "dave.anon@acme.test", leaderboard_visibility="anonymous")  # "Dave.Anon"
    share_with_clicks(dave, item, 10)  # 30
    erin = make_member(workspace, "erin.private@acme.test", leaderboard_visibility="hidden")  # "Erin.Private"
    share_with_clicks(erin, item, 20)  # 50, private: on nobody's board but her own

    html = bob_client.get(URL).content.decode()
    podium = html[html.index('<ol class="podium"') : html.index("</ol>", html.index('<ol class="podium"'))]
    assert podium.count('class="podium-step') == 3
    assert "Erin" not in html and ">E<" not in html  # neither her name nor her initial, anywhere on the page
    assert "Dave" not in html and ">D<" not in html
    steps = podium.split('<li class="podium-step')[1:]
    assert ANONYMOUS_NAME in steps[0] and "avatar-anon" in steps[0]
    assert f"avatar-h{avatar_hue(dave.pk)}" not in steps[0]  # the anonymous row does not carry dave's colour
    assert "Bob" in steps[1] and "is-me" in steps[1].split(">")[0] and ">BS<" not in steps[1]
    assert f"avatar-h{avatar_hue(bob.pk)}" in steps[1]
    assert "Carol" in steps[2]

    # Erin sees herself first, only she does.
    erin_html = Client()
    erin_html.force_login(erin.user)
    own = erin_html.get(URL).content.decode()
    assert "Erin.Private (you)" in own[own.index('<ol class="podium"') :]


@pytest.mark.django_db
def test_no_podium_on_later_pages_other_views_or_with_fewer_than_three(
    workspace: Workspace, bob: Membership, carol: Membership, item: Item, bob_client: Client
) -> None:
    share_with_clicks(bob, item, 1)
    share_with_clicks(carol, item, 1)
    assert 'class="podium"' not in bob_client.get(URL).content.decode()
    share_with_clicks(make_member(workspace, "dan@acme.test"), item, 1)
    assert 'class="podium"' in bob_client.get(URL).content.decode()
    for params in ({"view": "near"}, {"view": "normalised"}, {"page": "2"}):
        assert 'class="podium"' not in bob_client.get(URL, params).content.decode(), params


@pytest.mark.django_db
def test_rank_change_against_the_previous_period_counts_only_people_the_viewer_could_see(
    workspace: Workspace, bob: Membership, carol: Membership, alice: Membership, item: Item, bob_client: Client
) -> None:
    share_with_clicks(alice, item, 10, when=in_last_month())  # 30 last month: first
    share_with_clicks(bob, item, 0, when=in_last_month())  # 10 last month: second
    erin = make_member(workspace, "erin@acme.test", leaderboard_visibility="hidden")
    share_with_clicks(erin, item, 40, when=in_last_month())  # 90 last month, private: never counted
    share_with_clicks(bob, item, 5)  # 20 this month: first (up one)
    share_with_clicks(alice, item, 0)  # 10: second (down one)
    share_with_clicks(carol, item, 0)  # 10: second, new this month

    rows = leaderboard(viewer(workspace), "m", month(), previous_start=last_month())
    assert sorted((r.display_name, r.rank, r.previous_rank, r.rank_change) for r in rows) == [
        ("Alice", 2, 1, -1),
        ("Bob", 1, 2, 1),
        ("Carol", 2, None, None),
    ]
    # Without previous_start nothing is measured.
    assert all(r.previous_rank is None for r in leaderboard(viewer(workspace), "m", month()))

    html = bob_client.get(URL).content.decode()
    assert '1<span class="sr-only"> places up since last month</span>' in html
    assert '1<span class="sr-only"> places down since last month</span>' in html
    assert 'class="trend trend-new"' in html
    # All time has no previous period: no arrows.
    assert "trend" not in bob_client.get(URL, {"period": "a"}).content.decode().split("<tbody>")[1]


@pytest.mark.django_db
def test_rank_change_costs_three_queries_whoever_is_on_the_page(
    workspace: Workspace, bob: Membership, carol: Membership, alice: Membership, item: Item
) -> None:
    for member in (bob, carol, alice):
        share_with_clicks(member, item, 1, when=in_last_month())
        share_with_clicks(member, item, 2)
    looking = viewer(workspace)

    def queries(**kwargs: object) -> int:
        with CaptureQueriesContext(connection) as ctx:
            rows = leaderboard(looking, "m", month(), **kwargs)  # type: ignore[arg-type]
        assert rows
        return len(ctx.captured_queries)

    # Three queries (the previous board's rule, the page's people's points then, a histogram of the top of that
    # board), however many people the board holds: not annotated on the board query, where SQLite computed a
    # rank for every row before the sort and limit, nor one count per row (bench/dashboard).
    assert queries(previous_start=last_month()) == queries() + 3
    assert queries(previous_start=last_month(), offset=1) == queries(offset=1) + 3
    for n in range(6):
        share_with_clicks(make_member(workspace, f"more{n}@acme.test"), item, 1, when=in_last_month())
    assert queries(previous_start=last_month()) == queries() + 3


@pytest.mark.django_db
def test_no_arrows_when_nobody_on_the_page_had_points_last_period(
    workspace: Workspace, bob: Membership, carol: Membership, item: Item, bob_client: Client
) -> None:
    share_with_clicks(bob, item, 1)
    share_with_clicks(carol, item, 2)
    html = bob_client.get(URL).content.decode()
    assert "trend" not in html.split("<tbody>")[1]  # not a column of "new"
    assert "avatar-h" in html.split("<tbody>")[1]


@pytest.mark.django_db
def test_points_per_opportunity_rows_have_avatars(
    workspace: Workspace, bob: Membership, item: Item, bob_client: Client
) -> None:
    share_with_clicks(bob, item, 1)
    html = bob_client.get(URL, {"view": "normalised"}).content.decode()
    assert f"avatar-h{avatar_hue(bob.pk)}" in html.split("<tbody>")[1]


@pytest.mark.django_db
def test_rank_changes_stop_after_the_first_pages(
    workspace: Workspace, bob: Membership, item: Item, bob_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from groundswell.rewards import views

    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    monkeypatch.setattr(views, "TREND_PAGES", 1)
    carol = make_member(workspace, "carol2@acme.test")
    for member in (bob, carol):
        share_with_clicks(member, item, 1, when=in_last_month())
        share_with_clicks(member, item, 1)
    assert "trend" in bob_client.get(URL).content.decode().split("<tbody>")[1]
    assert "trend" not in bob_client.get(URL, {"page": "2"}).content.decode().split("<tbody>")[1]
