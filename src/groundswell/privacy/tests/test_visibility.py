"""The one visibility rule (ADR 0025), piece by piece: boards, totals, contest entries and the migration."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from groundswell.analytics.models import Dimension
from groundswell.analytics.queries import BreakdownRow
from groundswell.conftest import client_for, make_member
from groundswell.lib.periods import local_day, period_start
from groundswell.privacy import actions, visibility
from groundswell.privacy.models import PrivacyEvent
from groundswell.recognition import actions as recognition
from groundswell.rewards.actions import adjust_points
from groundswell.rewards.leaderboard import ANONYMOUS_NAME, Scope, leaderboard, member_standing, near_me
from groundswell.workspaces.models import Department, LeaderboardVisibility, Membership, Role, Workspace

pytestmark = pytest.mark.django_db


def today(ws: Workspace) -> dt.date:
    return local_day(timezone.now(), ws.timezone)


def give(member: Membership, points: int) -> None:
    adjust_points(
        member=member, points=points, reason="test", author=None, key=f"t:{member.pk}", day=today(member.workspace)
    )


def month(ws: Workspace) -> dt.date:
    return period_start("m", today(ws))


def test_a_new_member_is_private_and_sees_only_their_own_place(workspace: Workspace, alice: Membership) -> None:
    newcomer = make_member(workspace, "new@acme.test")
    assert newcomer.leaderboard_visibility == LeaderboardVisibility.HIDDEN
    named = make_member(workspace, "named@acme.test")
    actions.set_leaderboard_visibility(named, "name")
    give(newcomer, 50)
    give(named, 20)
    # Everyone else — the program admin included — sees only the named person.
    assert [(r.rank, r.display_name) for r in leaderboard(alice, "m", month(workspace))] == [(1, "Named")]
    # The newcomer sees their own row and place, and is told nobody else does.
    mine = [(r.rank, r.display_name) for r in leaderboard(newcomer, "m", month(workspace))]
    assert mine == [(1, "New"), (2, "Named")]
    standing = member_standing(newcomer, "m", month(workspace))
    assert standing is not None and standing.rank == 1 and not standing.listed
    assert [r.display_name for r in near_me(newcomer, "m", month(workspace))] == ["New", "Named"]
    page = client_for(newcomer).get(f"/w/{workspace.slug}/points/leaderboard/").content.decode()
    assert "only you see this row" in page


def test_anonymous_rows_need_enough_anonymous_people_on_the_board(workspace: Workspace, alice: Membership) -> None:
    sales = Department.objects.create(workspace=workspace, name="Sales")
    named = make_member(workspace, "named@acme.test", department=sales)
    actions.set_leaderboard_visibility(named, "name")
    give(named, 10)
    anonymous = []
    for i in range(5):
        m = make_member(workspace, f"a{i}@acme.test", department=sales if i == 0 else None)
        actions.set_leaderboard_visibility(m, "anonymous")
        give(m, 100 + i)
        anonymous.append(m)
    # Company board: five anonymous people — listed, without names, ranked above the named one.
    company = leaderboard(alice, "m", month(workspace))
    assert [r.display_name for r in company] == [ANONYMOUS_NAME] * 5 + ["Named"]
    assert company[-1].rank == 6
    # Sales board: one anonymous person would be "the anonymous one in Sales": left out, and out of the ranks.
    sales_board = leaderboard(alice, "m", month(workspace), scope=Scope(department_id=sales.pk))
    assert [(r.rank, r.display_name) for r in sales_board] == [(1, "Named")]
    # They still see themselves there, and know that nobody else does.
    own = member_standing(anonymous[0], "m", month(workspace), scope=Scope(department_id=sales.pk))
    assert own is not None and own.rank == 1 and not own.listed
    # The threshold is the workspace's setting.
    Workspace.objects.filter(pk=workspace.pk).update(min_group_size=6)
    alice.workspace.refresh_from_db()
    assert [r.display_name for r in leaderboard(alice, "m", month(workspace))] == ["Named"]


def _row(key: str, clicks: int) -> BreakdownRow:
    return BreakdownRow(key=key, label=key, shares=clicks, clicks=clicks, unique=clicks, reach=0, active_members=None)


def test_department_totals_never_stand_for_one_private_person(workspace: Workspace) -> None:
    carol = make_member(workspace, "carol@acme.test", Role.MANAGER)
    big = Department.objects.create(workspace=workspace, name="Big")
    small = Department.objects.create(workspace=workspace, name="Small")
    big_people = [make_member(workspace, f"b{i}@acme.test", department=big) for i in range(6)]
    loner = make_member(workspace, "loner@acme.test", department=small)
    rows = [_row(str(big.pk), 60), _row(str(small.pk), 9)]
    total = _row("", 69)
    # Big is listed; Small is one private person: folded, and "everyone else" = total - Big = carol + loner,
    # one private person besides carol herself → Big must fold too, or total - Big would be the loner's clicks.
    folded = visibility.fold_small_groups(carol, Dimension.DEPARTMENT, rows, total)
    assert [(r.label, r.clicks) for r in folded] == [(visibility.SMALL_GROUPS_LABEL, 69)]
    # Four more private people outside Big: now Big and "everyone else" (5 private people) are both safe.
    for i in range(4):
        make_member(workspace, f"x{i}@acme.test")
    folded = visibility.fold_small_groups(carol, Dimension.DEPARTMENT, rows, total)
    assert [(r.label, r.clicks) for r in folded] == [(str(big.pk), 60), (visibility.SMALL_GROUPS_LABEL, 9)]
    # People listed by name are known to the manager: a department of 5 named + 1 private is one person's total.
    for m in big_people[:5]:
        actions.set_leaderboard_visibility(m, "name")
    folded = visibility.fold_small_groups(carol, Dimension.DEPARTMENT, rows, total)
    assert str(big.pk) not in [r.label for r in folded]
    # Program admins see every department.
    admin = make_member(workspace, "admin@acme.test", Role.ADMIN)
    assert visibility.fold_small_groups(admin, Dimension.DEPARTMENT, rows, total) == rows
    del loner


def test_team_totals_cannot_be_differenced(workspace: Workspace) -> None:
    sales = Department.objects.create(workspace=workspace, name="Sales")
    carol = make_member(workspace, "carol@acme.test", Role.MANAGER, department=sales)
    team = [make_member(workspace, f"r{i}@acme.test", department=sales, manager=carol) for i in range(5)]
    ids = [m.pk for m in team]
    assert visibility.team_totals(carol, ids).shown
    # One report shares with carol: 4 private ones left — their total would be "team minus the sharer".
    actions.set_manager_sharing(team[0], True)
    result = visibility.team_totals(carol, ids)
    assert not result.shown and "at least 5" in result.reason
    actions.set_manager_sharing(team[0], False)
    # One private person in Sales outside the team: department total - team total = that person.
    make_member(workspace, "dave@acme.test", department=sales)
    result = visibility.team_totals(carol, ids)
    assert not result.shown and result.reason == visibility.OVERLAP


def test_contest_entries_cannot_be_found_from_a_membership_id(workspace: Workspace, alice: Membership) -> None:
    contest = recognition.create_contest(
        workspace=workspace, by=alice, name="C", goal="g", starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 1, 31), method="raffle", prizes=1, prize_description="p", threshold_points=1,
        points_cap=10, cooldown=0,
    )  # fmt: skip
    import hashlib

    public_guess = hashlib.sha256(f"{contest.pk}:{alice.pk}:{contest.seed_commitment}".encode()).hexdigest()[:12]
    key = recognition.entry_key(contest, alice.pk)
    assert key != public_guess and key == recognition.entry_key(contest, alice.pk) and len(key) == 12
    assert contest.entry_salt and contest.entry_salt not in str(contest.__dict__.get("seed_commitment"))


def test_entrant_labels_follow_the_choice() -> None:
    viewer = Membership(pk=1, role=Role.MANAGER)
    admin = Membership(pk=2, role=Role.ADMIN)
    private = visibility.Entrant(3, "Bob", LeaderboardVisibility.HIDDEN)
    named = visibility.Entrant(4, "Rita", LeaderboardVisibility.NAME)
    assert visibility.entrant_label(viewer, private) == visibility.PRIVATE_ENTRANT
    assert visibility.entrant_label(viewer, private, winner=True) == visibility.PRIVATE_ENTRANT
    assert visibility.entrant_label(admin, private, winner=True) == "Bob"  # the prize must reach its winner
    assert visibility.entrant_label(admin, private) == visibility.PRIVATE_ENTRANT
    assert visibility.entrant_label(viewer, named) == "Rita"
    assert visibility.entrant_label(viewer, visibility.Entrant(1, "Carol", "hidden")) == "You (Carol)"


def test_the_migration_makes_only_members_who_never_chose_private(workspace: Workspace) -> None:
    migration = importlib.import_module(
        "groundswell.privacy.migrations.0002_private_leaderboards_for_members_who_never_chose"
    )
    old_default = make_member(workspace, "old@acme.test", leaderboard_visibility="name")
    chose_name = make_member(workspace, "chose@acme.test", leaderboard_visibility="anonymous")
    actions.set_leaderboard_visibility(chose_name, "name")
    anonymous = make_member(workspace, "anon@acme.test", leaderboard_visibility="anonymous")
    assert PrivacyEvent.objects.filter(member=chose_name, detail="name").exists()
    migration.make_private(apps, None)
    values = dict(Membership.objects.values_list("user__email", "leaderboard_visibility"))
    assert values["old@acme.test"] == "hidden"
    assert values["chose@acme.test"] == "name"
    assert values["anon@acme.test"] == "anonymous"
    migration.restore_default(apps, None)
    assert Membership.objects.get(pk=old_default.pk).leaderboard_visibility == "name"
    assert Membership.objects.get(pk=anonymous.pk).leaderboard_visibility == "anonymous"


def test_the_privacy_centre_says_who_can_see_what(workspace: Workspace, bob: Membership) -> None:
    page = client_for(bob).get(f"/w/{workspace.slug}/privacy/").content.decode()
    assert "Who can see what" in page and "Payroll must name who is paid" in page
    assert "report of your numbers to your manager" in page
    assert "Right now you are <strong>private</strong>: only you see your place" in page
