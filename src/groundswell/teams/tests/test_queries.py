from __future__ import annotations

import datetime as dt

from groundswell.teams import actions
from groundswell.teams.models import Team
from groundswell.teams.queries import member_ids_on, teams_of
from groundswell.teams.tests.conftest import NOW, seat, settings_for
from groundswell.workspaces.models import Membership, Workspace


def test_member_ids_on_and_teams_of_follow_the_history(
    workspace: Workspace, team: Team, people: list[Membership], django_assert_num_queries: object
) -> None:
    dana, erin = people[:2]
    other = actions.create_team(workspace=workspace, settings=settings_for("Bluesky early birds"))
    seat(team, dana)
    seat(team, erin)
    seat(other, dana)
    actions.leave_team(team=team, member=erin, now=NOW + dt.timedelta(days=5))
    day_before, left_day = NOW.date() - dt.timedelta(days=1), NOW.date() + dt.timedelta(days=5)
    assert member_ids_on(team, day_before) == set()
    assert member_ids_on(team, NOW.date()) == {dana.pk, erin.pk}
    assert member_ids_on(team, left_day) == {dana.pk}  # served_until is exclusive
    assert [t.name for t in teams_of(dana, NOW.date())] == ["Bluesky early birds", "LinkedIn crew 2027"]
    assert teams_of(erin, left_day) == []
    with django_assert_num_queries(1):  # type: ignore[operator]
        member_ids_on(team, NOW.date())
    with django_assert_num_queries(1):  # type: ignore[operator]
        teams_of(dana, NOW.date())
