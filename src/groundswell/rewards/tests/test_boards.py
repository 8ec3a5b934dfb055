"""Leaderboard scopes (location, team through the optional interface), near me, and points per opportunity."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groundswell.analytics.rollups import Delta, RollupBatch
from groundswell.conftest import client_for, make_member
from groundswell.content.models import Item, ItemKind, ItemState
from groundswell.lib.periods import period_start
from groundswell.rewards.leaderboard import ANONYMOUS_NAME, Scope, leaderboard, near_me
from groundswell.rewards.normalised import normalised_board, opportunities_for
from groundswell.rewards.teams import reset_team_directory, set_team_directory, team_directory
from groundswell.rewards.tests.conftest import viewer
from groundswell.workspaces.models import Department, Location, Membership, Workspace


def month() -> dt.date:
    return period_start("m", timezone.localdate())


def give(member: Membership, points: int) -> None:
    batch = RollupBatch()
    batch.add(
        workspace_id=member.workspace_id,
        member_id=member.pk,
        department_id=member.department_id,
        location_id=member.location_id,
        day=timezone.localdate(),
        delta=Delta(points=points),
    )
    batch.write()


def people(workspace: Workspace, points: list[int], **extra: object) -> list[Membership]:
    out = []
    for i, p in enumerate(points):
        m = make_member(workspace, f"p{i}-{p}@acme.test", **extra)
        give(m, p)
        out.append(m)
    return out


class StubTeams:
    """The team interface with one team, "Blue", of fixed members."""

    def __init__(self, members: list[Membership]) -> None:
        self.members = frozenset(m.pk for m in members)

    def teams(self, workspace: Workspace) -> list[tuple[int, str]]:
        return [(7, "Blue")]

    def member_ids(self, workspace: Workspace, team_id: int, day: dt.date) -> frozenset[int] | None:
        return self.members if team_id == 7 else None


@pytest.fixture
def no_team_app() -> Iterator[None]:
    yield
    reset_team_directory()


@pytest.mark.django_db
def test_near_me_shows_five_above_and_below_with_competition_ranks(workspace: Workspace) -> None:
    # 20 people: points 200, 190, ... with a tie block around the middle.
    points = [200, 190, 180, 170, 160, 150, 140, 130, 130, 130, 130, 120, 110, 100, 90, 80, 70, 60, 50, 40]
    members = people(workspace, points)
    me = members[9]  # one of the four on 130
    rows = near_me(me, "m", month())
    full = {r.member_id: r.rank for r in leaderboard(viewer(workspace), "m", month(), limit=100)}
    assert len(rows) == 11
    assert [r.points for r in rows] == points[4:15]
    assert all(r.rank == full[r.member_id] for r in rows)
    assert [r.rank for r in rows][:7] == [5, 6, 7, 8, 8, 8, 8]
    top = near_me(members[0], "m", month())
    assert [r.rank for r in top] == [1, 2, 3, 4, 5, 6]
    bottom = near_me(members[-1], "m", month())
    assert [r.rank for r in bottom] == [15, 16, 17, 18, 19, 20]

    hidden = make_member(workspace, "hid@acme.test", leaderboard_visibility="hidden")
    give(hidden, 135)
    anon = make_member(workspace, "anon@acme.test", leaderboard_visibility="anonymous")
    give(anon, 125)
    rows = near_me(me, "m", month())
    assert hidden.pk not in {r.member_id for r in rows}
    assert next(r for r in rows if r.member_id == anon.pk).display_name == ANONYMOUS_NAME
    # A private member sees the people around their own place, and themselves (under their name).
    own = near_me(hidden, "m", month())
    assert [r.display_name for r in own if r.member_id == hidden.pk] == ["Hid"]
    assert len(own) == 11


@pytest.mark.django_db
def test_near_me_needs_a_constant_number_of_queries(workspace: Workspace) -> None:
    members = people(workspace, [50, 40, 30, 30, 20])
    with CaptureQueriesContext(connection) as small:
        near_me(members[2], "m", month())
    people(workspace, list(range(100, 160)))
    with CaptureQueriesContext(connection) as large:
        rows = near_me(members[2], "m", month())
    # The rule's count of anonymous people, standing, above, below, and two counts for the ranks.
    assert len(small.captured_queries) == len(large.captured_queries) == 6
    assert len(rows) == 8  # five above, me, and the two below me


@pytest.mark.django_db
def test_location_and_team_scopes(
    workspace: Workspace, bob: Membership, carol: Membership, alice: Membership, berlin: Location, no_team_app: None
) -> None:
    give(bob, 30)
    give(carol, 20)
    give(alice, 10)
    rows = leaderboard(viewer(workspace), "m", month(), scope=Scope(location_id=berlin.pk))
    assert [r.display_name for r in rows] == ["Bob"]
    team = Scope(member_ids=frozenset({carol.pk, alice.pk}))
    assert [(r.rank, r.display_name) for r in leaderboard(viewer(workspace), "m", month(), scope=team)] == [
        (1, "Carol"),
        (2, "Alice"),
    ]

    url = reverse("rewards:leaderboard", kwargs={"ws": "acme"})
    client = client_for(carol)
    set_team_directory(None)
    assert team_directory() is None
    page = client.get(url)
    assert "team" not in page.context["scope"].options and b'<optgroup label="Teams"' not in page.content
    # Unknown or foreign scopes fall back to the whole company instead of failing.
    assert client.get(url, {"scope": "team", "id": "7"}).context["scope"].kind == "company"

    set_team_directory(StubTeams([carol, alice]))
    page = client.get(url, {"scope": "team", "id": "7"})
    assert page.status_code == 200 and b"Blue" in page.content
    assert [r.display_name for r in page.context["rows"]] == ["Carol", "Alice"]
    assert client.get(url, {"scope": "team", "id": "8"}).context["scope"].kind == "company"
    page = client.get(url, {"scope": "loc", "id": str(berlin.pk), "view": "near"})
    assert page.context["rows"] == []  # carol is not in Berlin
    assert b"You are not on this board yet" in page.content
    assert client.get(url, {"scope": "loc", "id": "abc", "period": "zz", "view": "??"}).status_code == 200


@pytest.mark.django_db
def test_team_directory_is_hidden_when_the_teams_app_has_no_interface(no_team_app: None) -> None:
    reset_team_directory()
    # The teams app is installed as scaffolding but has no queries module yet: the scope is hidden.
    try:
        import groundswell.teams.queries  # noqa: F401
    except ImportError:
        assert team_directory() is None


def test_opportunities_count_items_aimed_at_the_person_while_they_were_a_member() -> None:
    begin = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    end = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    items = [
        (end, set(), set()),  # everyone, all month
        (end, {1}, set()),  # department 1 only
        (dt.datetime(2026, 11, 10, tzinfo=dt.UTC), set(), set()),  # expired on the 10th
        (end, set(), {5}),  # location 5 only
    ]
    joined_early = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    joined_late = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
    got = opportunities_for(
        items,
        [(1, 1, 5, joined_early), (2, 2, None, joined_early), (3, 1, 5, joined_late), (4, 3, 9, joined_late)],
        begin,
    )
    assert got == {1: 4, 2: 2, 3: 3, 4: 1}


@pytest.mark.django_db
def test_normalised_board_ranks_points_per_opportunity(
    workspace: Workspace, bob: Membership, carol: Membership, sales: Department, alice: Membership
) -> None:
    now = timezone.now()
    for i in range(4):
        item = Item.objects.create(
            workspace=workspace,
            kind=ItemKind.URL,
            state=ItemState.PUBLISHED,
            url=f"https://e.com/{i}",
            title=f"I{i}",
            published_at=now - dt.timedelta(hours=1),
        )
        if i < 3:
            item.target_departments.add(sales)  # only Sales (bob, carol) gets three of them
    give(bob, 40)  # 4 opportunities -> 10
    give(alice, 12)  # only the item for everyone -> 12
    give(carol, 20)  # 4 -> 5
    rows = normalised_board(viewer(workspace), "m", month())
    assert [(r.rank, r.display_name, r.opportunities, r.ratio) for r in rows] == [
        (1, "Alice", 1, 12.0),
        (2, "Bob", 4, 10.0),
        (3, "Carol", 4, 5.0),
    ]
    page = client_for(bob).get(reverse("rewards:leaderboard", kwargs={"ws": "acme"}), {"view": "normalised"})
    assert page.status_code == 200
    assert b"Points per opportunity" in page.content and b"10.00" in page.content
    assert page.context["my_normalised"].rank == 2


@pytest.mark.django_db
def test_board_views_have_constant_query_counts(
    workspace: Workspace, bob: Membership, bob_client: Client, berlin: Location, item: Item
) -> None:
    give(bob, 50)
    people(workspace, [10, 20, 30])
    url = reverse("rewards:leaderboard", kwargs={"ws": "acme"})
    variants = [
        {"view": "near"},
        {"view": "normalised"},
        {"scope": "loc", "id": str(berlin.pk)},
        {"view": "near", "scope": "loc", "id": str(berlin.pk), "period": "y"},
    ]

    def count(params: dict[str, str]) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert bob_client.get(url, params).status_code == 200
        return len(ctx.captured_queries)

    before = [count(v) for v in variants]
    people(workspace, list(range(100, 140)), location=berlin)
    after = [count(v) for v in variants]
    assert before == after


@pytest.mark.django_db
def test_outsider_gets_404_on_board_views(workspace: Workspace, charlie_client: Client) -> None:
    url = reverse("rewards:leaderboard", kwargs={"ws": "acme"})
    for params in ({"view": "near"}, {"view": "normalised"}, {"scope": "team", "id": "7"}):
        assert charlie_client.get(url, params).status_code == 404


@pytest.mark.django_db
def test_the_board_picker_chooses_one_scope(
    workspace: Workspace, bob: Membership, carol: Membership, berlin: Location, sales: Department
) -> None:
    give(bob, 30)
    give(carol, 20)
    url = reverse("rewards:leaderboard", kwargs={"ws": "acme"})
    client = client_for(carol)
    page = client.get(url, {"board": f"loc:{berlin.pk}"})
    assert [r.display_name for r in page.context["rows"]] == ["Bob"]
    assert f'value="loc:{berlin.pk}" selected'.encode() in page.content
    assert [r.display_name for r in client.get(url, {"board": f"dept:{sales.pk}"}).context["rows"]] == ["Bob", "Carol"]
    for bad in ("loc:", "loc:x", "planet:1", "company"):
        assert client.get(url, {"board": bad}).context["scope"].kind == "company"


def test_team_scope_reads_the_real_teams_app(
    workspace: Workspace, bob: Membership, carol: Membership, alice: Membership
) -> None:
    from groundswell.teams.models import Seat, Team

    reset_team_directory()
    today = timezone.localdate()
    crew = Team.objects.create(workspace=workspace, name="LinkedIn crew", seats=5, term_start=today, term_end=today)
    Seat.objects.create(team=crew, member=bob, served_from=today)
    Seat.objects.create(team=crew, member=alice, served_from=today)
    give(bob, 30)
    give(carol, 50)
    give(alice, 10)
    directory = team_directory()
    assert directory is not None and directory.teams(workspace) == [(crew.pk, "LinkedIn crew")]
    page = client_for(carol).get(
        reverse("rewards:leaderboard", kwargs={"ws": "acme"}), {"scope": "team", "id": str(crew.pk)}
    )
    assert page.status_code == 200 and page.context["scope"].kind == "team"
    assert b'<optgroup label="Teams"' in page.content
    assert [r.display_name for r in page.context["rows"]] == ["Bob", "Alice"]  # carol is not on the team
    members = directory.member_ids(workspace, crew.pk, today)
    assert members == frozenset({bob.pk, alice.pk})
    rows = leaderboard(viewer(workspace), "m", month(), scope=Scope(member_ids=members))
    assert [r.display_name for r in rows] == ["Bob", "Alice"]
