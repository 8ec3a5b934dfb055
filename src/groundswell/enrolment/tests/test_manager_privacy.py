"""A manager cannot learn whether a given report declined the call (or joined, unless they allowed it).

The method: render every page and API endpoint the manager can reach, change one person's answer, render
them all again, and require the two to be identical — byte for byte, apart from CSRF tokens. Around the
threshold and for overlapping groups the same check shows that no total, and no difference of two totals,
gives one person away.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from groundswell.api.tokens import create_token
from groundswell.conftest import client_for, make_member
from groundswell.enrolment import actions
from groundswell.enrolment.models import CallForInterest, Enrolment
from groundswell.enrolment.tests.helpers import join, open_a_call
from groundswell.enrolment.totals import OVERLAP, TOO_FEW, team_view
from groundswell.workspaces.models import ApiToken, Department, Location, Membership, Role, Workspace
from tests.test_isolation import ROUTES, Route, api_operations

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+"|(csrftoken=)[^;"]+')

# Objects named in URLs: the people pages about bob, his department and location, the call.
FILLABLE = {"member_id", "membership_id", "department_id", "location_id", "call_id"}


def reachable_pages(workspace: Workspace, bob: Membership, call: CallForInterest) -> list[str]:
    values = {
        "member_id": bob.pk,
        "membership_id": bob.pk,
        "department_id": bob.department_id,
        "location_id": bob.location_id,
        "call_id": call.pk,
    }
    urls = []
    for route in ROUTES:
        # The API tokens page lists the manager's own tokens and when they were last used (by this sweep).
        if not isinstance(route, Route) or route.namespace == "apitokens" or not set(route.kwargs) <= FILLABLE:
            continue
        if all(values[k] is not None for k in route.kwargs):
            urls.append(reverse(route.name, kwargs={"ws": workspace.slug, **{k: values[k] for k in route.kwargs}}))
    return urls


def api_gets(bob: Membership) -> list[tuple[str, dict[str, Any]]]:
    gets = []
    for method, path, op in api_operations():
        if method != "get" or "{" in path:
            continue
        gets.append((path, {}))
        params = {p["name"] for p in op.get("parameters", [])}
        if "department" in params:
            gets.append((path, {"department": bob.department_id}))
    return gets


_TOKENS: dict[int, str] = {}


def snapshot(manager: Membership, bob: Membership, call: CallForInterest) -> dict[str, tuple[int, str]]:
    """Everything the manager sees: each page (GET) and each API read, normalised."""
    web = client_for(manager)
    # One token per manager for every snapshot: a new token would itself change the manager's privacy centre.
    cached = _TOKENS.get(manager.pk)
    if cached is None or not ApiToken.objects.filter(member=manager, token_hash=ApiToken.hash_token(cached)).exists():
        _TOKENS[manager.pk] = create_token(manager, "snapshot")[1]
    secret = _TOKENS[manager.pk]
    api = Client()
    seen: dict[str, tuple[int, str]] = {}
    for url in reachable_pages(manager.workspace, bob, call):
        r = web.get(url)
        seen[url] = (r.status_code, CSRF.sub(r"\1\2", r.content.decode(errors="replace")))
    for path, query in api_gets(bob):
        r = api.get(path, query, headers={"Authorization": f"Bearer {secret}"})
        seen[f"{path}?{query}"] = (r.status_code, r.content.decode(errors="replace"))
    return seen


def assert_same(before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]]) -> None:
    assert before.keys() == after.keys()
    changed = [url for url in before if before[url] != after[url]]
    assert not changed, f"the manager's view changed on {changed}"


@pytest.fixture
def team(workspace: Workspace, sales: Department, berlin: Location, alice: Membership) -> dict[str, Any]:
    """Carol manages Sales: bob and five more reports (six people besides her); a call is open."""
    carol = make_member(workspace, "carol@acme.test", Role.MANAGER, department=sales)
    bob = make_member(workspace, "bob@acme.test", department=sales, location=berlin, manager=carol)
    others = [make_member(workspace, f"r{i}@acme.test", department=sales, manager=carol) for i in range(5)]
    call = open_a_call(alice)
    join(others[0], "share")
    join(others[1], "video")
    actions.decline(others[2])
    return {"carol": carol, "bob": bob, "others": others, "call": call}


def test_the_sweep_covers_the_manager_pages(team: dict[str, Any]) -> None:
    urls = reachable_pages(team["carol"].workspace, team["bob"], team["call"])
    for name in ("core:home", "enrolment:team", "enrolment:answer", "workspaces:people", "analytics:dashboard"):
        assert reverse(name, kwargs={"ws": "acme"}) in urls, name
    assert any("/api/enrolment/me" in p for p, _ in api_gets(team["bob"]))
    seen = snapshot(team["carol"], team["bob"], team["call"])
    assert sum(1 for status, _ in seen.values() if status == 200) >= 12  # a real sweep, not a vacuous one
    assert "3 of 6 joined" not in seen[reverse("enrolment:team", kwargs={"ws": "acme"})][1]
    assert "2</strong> of 6 joined" in seen[reverse("enrolment:team", kwargs={"ws": "acme"})][1]


def test_manager_cannot_tell_declined_from_no_answer(team: dict[str, Any]) -> None:
    carol, bob, call = team["carol"], team["bob"], team["call"]
    ignored = snapshot(carol, bob, call)
    actions.decline(bob)
    assert_same(ignored, snapshot(carol, bob, call))
    # Nor after the call closes: "declined" and "never answered" (no row at all) still look the same.
    actions.close_call(call)
    declined_closed = snapshot(carol, bob, call)
    Enrolment.objects.filter(member=bob).delete()
    assert_same(declined_closed, snapshot(carol, bob, call))


def test_a_small_team_shows_no_totals_at_all(
    workspace: Workspace, sales: Department, berlin: Location, alice: Membership
) -> None:
    """Four reports (one below the threshold): joined, declined and ignored all look the same."""
    carol = make_member(workspace, "carol@acme.test", Role.MANAGER)
    bob = make_member(workspace, "bob@acme.test", department=sales, location=berlin, manager=carol)
    for i in range(3):
        make_member(workspace, f"r{i}@acme.test", manager=carol)
    call = open_a_call(alice)
    ignored = snapshot(carol, bob, call)
    actions.decline(bob)
    assert_same(ignored, snapshot(carol, bob, call))
    join(bob, "share", "answer")
    assert_same(ignored, snapshot(carol, bob, call))
    text = client_for(carol).get(reverse("enrolment:team", kwargs={"ws": "acme"})).content.decode()
    assert TOO_FEW in text


@pytest.mark.parametrize(("reports", "shown"), [(4, False), (5, True), (6, True)])
def test_threshold_just_below_at_and_above(workspace: Workspace, alice: Membership, reports: int, shown: bool) -> None:
    carol = make_member(workspace, "carol@acme.test", Role.MANAGER)
    people = [make_member(workspace, f"r{i}@acme.test", manager=carol) for i in range(reports)]
    join(people[0], "share", "answer")
    view = team_view(carol)
    group = view.groups[0]
    assert group.key == "reports" and group.size == reports and group.shown is shown
    if shown:
        assert group.joined == 1 and dict(group.by_activity)["Answer customers"] == 1
    else:
        assert group.reason == TOO_FEW and group.joined == 0 and group.by_activity == []
    page = client_for(carol).get(reverse("enrolment:team", kwargs={"ws": "acme"})).content.decode()
    assert ("1</strong> of" in page) is shown


def test_the_threshold_is_the_workspace_setting(workspace: Workspace, alice: Membership) -> None:
    carol = make_member(workspace, "carol@acme.test", Role.MANAGER)
    for i in range(5):
        make_member(workspace, f"r{i}@acme.test", manager=carol)
    assert team_view(carol).groups[0].shown
    actions.set_min_group_size(workspace, 6)
    carol.workspace.refresh_from_db()
    assert not team_view(carol).groups[0].shown


Scenario = Callable[[Workspace, Department, Membership], tuple[Membership, Membership | None]]


def _dept_is_reports_plus_one(ws: Workspace, sales: Department, carol: Membership) -> tuple[Membership, None]:
    """Department minus direct reports = dave: the two totals must not both be shown."""
    for i in range(5):
        make_member(ws, f"r{i}@acme.test", department=sales, manager=carol)
    return make_member(ws, "dave@acme.test", department=sales), None  # in Sales, reports to someone else


def _reports_are_dept_plus_one(ws: Workspace, sales: Department, carol: Membership) -> tuple[Membership, Membership]:
    """Direct reports minus department = dave (a report in Marketing)."""
    peer = make_member(ws, "r0@acme.test", department=sales, manager=carol)
    for i in range(1, 5):
        make_member(ws, f"r{i}@acme.test", department=sales, manager=carol)
    marketing = Department.objects.create(workspace=ws, name="Marketing")
    return make_member(ws, "dave@acme.test", department=marketing, manager=carol), peer


def _allowed_reports_uncover_the_last_one(
    ws: Workspace, sales: Department, carol: Membership
) -> tuple[Membership, Membership]:
    """Four reports let carol see them by name; the fifth would be "the reports' total minus the four"."""
    for i in range(4):
        join(make_member(ws, f"r{i}@acme.test", department=sales, manager=carol), "share", show_to_manager=True)
    peer = make_member(ws, "s0@acme.test", department=sales)
    for i in range(1, 5):
        make_member(ws, f"s{i}@acme.test", department=sales)
    return make_member(ws, "dave@acme.test", department=sales, manager=carol), peer


@pytest.mark.parametrize(
    "scenario", [_dept_is_reports_plus_one, _reports_are_dept_plus_one, _allowed_reports_uncover_the_last_one]
)
def test_differencing_two_totals_reveals_nobody(
    workspace: Workspace, sales: Department, alice: Membership, scenario: Scenario
) -> None:
    """The manager cannot tell "dave joined" from "a peer of dave in the same shown groups joined" (or, when
    no group can show dave, from "nobody joined")."""
    carol = make_member(workspace, "carol@acme.test", Role.MANAGER, department=sales)
    target, peer = scenario(workspace, sales, carol)
    call = open_a_call(alice)
    if peer is not None:
        join(peer, "share", "video")
    before = snapshot(carol, target, call)
    if peer is not None:
        actions.leave(peer)
    join(target, "share", "video")
    assert_same(before, snapshot(carol, target, call))


def test_overlap_suppresses_the_second_group_with_a_reason(workspace: Workspace, sales: Department) -> None:
    carol = make_member(workspace, "carol@acme.test", Role.MANAGER, department=sales)
    _dept_is_reports_plus_one(workspace, sales, carol)
    reports, dept = team_view(carol).groups
    assert reports.shown and not dept.shown and dept.reason == OVERLAP.format(other="your direct reports")
    for i in range(4):  # four more outside carol's team: the difference is now five people
        make_member(workspace, f"x{i}@acme.test", department=sales)
    reports, dept = team_view(carol).groups
    assert reports.shown and dept.shown and dept.size == 10


def test_show_to_manager_names_only_to_the_own_manager(workspace: Workspace, sales: Department) -> None:
    carol = make_member(workspace, "carol@acme.test", Role.MANAGER, department=sales)
    frank = make_member(workspace, "frank@acme.test", Role.MANAGER, department=sales)
    bob = make_member(workspace, "bob@acme.test", department=sales, manager=carol)
    for i in range(5):
        make_member(workspace, f"r{i}@acme.test", department=sales, manager=carol)
    join(bob, "brand", show_to_manager=True)
    url = reverse("enrolment:team", kwargs={"ws": "acme"})
    text = client_for(carol).get(url).content.decode()
    assert "Bob</strong> — Run a brand account" in text
    assert "0</strong> of 5 joined" in text  # bob is listed by name, not counted again
    assert "Bob" not in client_for(frank).get(url).content.decode()
    actions.leave(bob)
    assert "Bob" not in client_for(carol).get(url).content.decode()
